package policy

import (
	"fmt"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
)

// Finding is one way a key breaks the audit policy. ID is the Security Hub control ("IAM.3")
// or, where Security Hub has none, the CIS benchmark item ("CIS.1.13").
type Finding struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Thresholds are the audit limits. A zero field takes its default.
type Thresholds struct {
	MaxAge    time.Duration // default 90 days (CIS 1.14, Security Hub IAM.3)
	MaxUnused time.Duration // default 45 days (CIS 1.12, Security Hub IAM.22)
	// GraceNew: a key created less than this long ago is not yet "unused", however short
	// MaxUnused is (a fresh key that no script has picked up yet; prowler #645). 0: no grace.
	GraceNew time.Duration
}

// DefaultThresholds are the CIS AWS Foundations Benchmark limits.
func DefaultThresholds() Thresholds {
	return Thresholds{MaxAge: 90 * Day, MaxUnused: 45 * Day}
}

// Findings lists what is wrong with one key as of now. Only active keys have findings: an
// inactive key cannot be used. activeKeysOfUser counts the user's active keys, this one
// included. Limits use the same rule as jobs: a key is over when its age is at least the limit.
func Findings(k keys.Key, activeKeysOfUser int, th Thresholds, now time.Time) []Finding {
	if k.Status != keys.Active {
		return nil
	}
	def := DefaultThresholds()
	if th.MaxAge <= 0 {
		th.MaxAge = def.MaxAge
	}
	if th.MaxUnused <= 0 {
		th.MaxUnused = def.MaxUnused
	}
	var out []Finding
	// A credential report can give an active key no creation date (last_rotated N/A). Its age
	// is unknown, not two thousand years: it is still a finding, since it cannot be shown to
	// be young, but one that says what is known.
	unknownAge := k.Created.IsZero()
	switch {
	case unknownAge:
		out = append(out, Finding{"IAM.3", fmt.Sprintf("active key of unknown age: the credential report gives no creation date, so it cannot be shown younger than %s (CIS 1.14)", limitText(th.MaxAge))})
	case age(k.Created, now) >= th.MaxAge:
		out = append(out, Finding{"IAM.3", fmt.Sprintf("active key older than %s (CIS 1.14)", limitText(th.MaxAge))})
	}
	if t, used := lastActivity(k); !isNew(k, th.GraceNew, now) && age(t, now) >= th.MaxUnused {
		title := fmt.Sprintf("active key unused for %s (CIS 1.12)", limitText(th.MaxUnused))
		switch {
		case !used && unknownAge:
			title = "active key with no recorded use and no creation date (CIS 1.12)"
		case !used:
			title = fmt.Sprintf("active key never used in the %s since its creation (CIS 1.12)", limitText(th.MaxUnused))
		}
		out = append(out, Finding{"IAM.22", title})
	}
	if activeKeysOfUser > 1 {
		out = append(out, Finding{"CIS.1.13", fmt.Sprintf("user has %d active keys; CIS 1.13 wants only one active access key per user", activeKeysOfUser)})
	}
	return out
}

// isNew reports whether k is still within the grace for new keys. A key is new while its age
// is under the grace, the same "at least the limit" rule as every other limit.
func isNew(k keys.Key, grace time.Duration, now time.Time) bool {
	return grace > 0 && age(k.Created, now) < grace
}

// limitText prints a limit the way a person reads it: "90 days", or "36h" when not whole days.
func limitText(d time.Duration) string {
	if d%Day == 0 {
		if d == Day {
			return "1 day"
		}
		return fmt.Sprintf("%d days", d/Day)
	}
	return Duration(d).String()
}
