package policy

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
)

func TestFindings(t *testing.T) {
	const sec = time.Second
	recent := at(ago(Day))
	def := Thresholds{}
	cases := []struct {
		name   string
		k      keys.Key
		active int
		th     Thresholds
		want   string
	}{
		{"fresh key", activeKey("K", ago(Day), recent), 1, def, "[]"},
		{"age: just before 90 days", activeKey("K", ago(90*Day-sec), recent), 1, def, "[]"},
		{"age: exactly 90 days", activeKey("K", ago(90*Day), recent), 1, def, "[IAM.3: active key older than 90 days (CIS 1.14)]"},
		{"age: just after 90 days", activeKey("K", ago(90*Day+sec), recent), 1, def, "[IAM.3: active key older than 90 days (CIS 1.14)]"},
		{"unused: just before 45 days", activeKey("K", ago(60*Day), at(ago(45*Day-sec))), 1, def, "[]"},
		{"unused: exactly 45 days", activeKey("K", ago(60*Day), at(ago(45*Day))), 1, def, "[IAM.22: active key unused for 45 days (CIS 1.12)]"},
		{"unused: just after 45 days", activeKey("K", ago(60*Day), at(ago(45*Day+sec))), 1, def, "[IAM.22: active key unused for 45 days (CIS 1.12)]"},
		{"never used: just before 45 days", activeKey("K", ago(45*Day-sec), nil), 1, def, "[]"},
		{"never used: exactly 45 days", activeKey("K", ago(45*Day), nil), 1, def, "[IAM.22: active key never used in the 45 days since its creation (CIS 1.12)]"},
		{"never used and old", activeKey("K", ago(100*Day), nil), 1, def,
			"[IAM.3: active key older than 90 days (CIS 1.14) IAM.22: active key never used in the 45 days since its creation (CIS 1.12)]"},
		{"two active keys", activeKey("K", ago(Day), recent), 2, def, "[CIS.1.13: user has 2 active keys; CIS 1.13 wants only one active access key per user]"},
		{"inactive key has no findings", keys.Key{AccessKeyID: "K", Status: keys.Inactive, Created: ago(400 * Day)}, 2, def, "[]"},
		{"custom thresholds", activeKey("K", ago(31*Day), at(ago(8*Day))), 1, Thresholds{MaxAge: 30 * Day, MaxUnused: 36 * time.Hour},
			"[IAM.3: active key older than 30 days (CIS 1.14) IAM.22: active key unused for 1d12h (CIS 1.12)]"},
		{"grace: a new never-used key is not yet unused", activeKey("K", ago(3*Day), nil), 1, Thresholds{MaxUnused: Day, GraceNew: 7 * Day}, "[]"},
		{"grace: a new used key is not yet unused", activeKey("K", ago(3*Day), at(ago(2*Day))), 1, Thresholds{MaxUnused: Day, GraceNew: 7 * Day}, "[]"},
		{"grace: just before it ends", activeKey("K", ago(7*Day-sec), nil), 1, Thresholds{MaxUnused: Day, GraceNew: 7 * Day}, "[]"},
		{"grace: exactly at its end", activeKey("K", ago(7*Day), nil), 1, Thresholds{MaxUnused: Day, GraceNew: 7 * Day},
			"[IAM.22: active key never used in the 1 day since its creation (CIS 1.12)]"},
		{"grace does not hide age", activeKey("K", ago(3*Day), nil), 1, Thresholds{MaxAge: Day, MaxUnused: Day, GraceNew: 7 * Day},
			"[IAM.3: active key older than 1 day (CIS 1.14)]"},
		{"custom age only, unused default", activeKey("K", ago(31*Day), at(ago(8*Day))), 1, Thresholds{MaxAge: 30 * Day},
			"[IAM.3: active key older than 30 days (CIS 1.14)]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Findings(c.k, c.active, c.th, now)
			s := "["
			for i, f := range got {
				if i > 0 {
					s += " "
				}
				s += fmt.Sprintf("%s: %s", f.ID, f.Title)
			}
			s += "]"
			if s != c.want {
				t.Fatalf("findings = %s\nwant       %s", s, c.want)
			}
		})
	}
}

func TestChecksNameEveryFinding(t *testing.T) {
	// Every id Findings can return has a description, and each names the benchmark version.
	ids := map[string]bool{}
	for _, f := range Findings(activeKey("K", ago(400*Day), nil), 2, Thresholds{}, now) {
		ids[f.ID] = true
	}
	if len(ids) != 3 {
		t.Fatalf("want all three findings from an old, never-used second key, got %v", ids)
	}
	for id := range ids {
		c, ok := CheckOf(id)
		if !ok {
			t.Fatalf("%s has no Check", id)
		}
		if c.Title == "" || c.HelpURI == "" || c.Severity == "" || c.CIS == "" || !strings.Contains(c.Help, Benchmark) {
			t.Errorf("%s is incomplete or does not name %s: %+v", id, Benchmark, c)
		}
	}
	if len(Checks()) != len(ids) {
		t.Errorf("Checks() has %d entries, Findings reports %d ids", len(Checks()), len(ids))
	}
}

func TestDefaultThresholds(t *testing.T) {
	if th := DefaultThresholds(); th.MaxAge != 90*Day || th.MaxUnused != 45*Day {
		t.Fatalf("defaults = %+v, want 90 and 45 days", th)
	}
}
