package report

import (
	"time"

	"github.com/keywarden/keywarden/internal/policy"
)

// verdict is one check's line in "Findings by id": every check, passed or failed, with the
// command that fixes a failing key, so the page answers "what do we do?" as well as "what?".
type verdict struct {
	policy.Check
	Count int
	Fix   string
}

// fixFor is the one command that fixes finding id on key k, in the words a reader can paste
// (a rotation's destination is the reader's to name: DEST). "" when keywarden has none.
func fixFor(id string, k AuditKey) string {
	acct := ""
	if k.Account != "" {
		acct = " --accounts " + k.Account
	}
	key := k.AccessKeyID
	if key == "" {
		key = "KEY_ID"
	}
	switch id {
	case "IAM.3":
		return "keywarden rotate --user " + k.User + acct + " --to DEST"
	case "IAM.22", "CIS.1.13":
		return "keywarden deactivate --key " + key + acct
	}
	return ""
}

// genericFix is fixFor for the verdict table, with placeholders.
func genericFix(id string) string {
	return fixFor(id, AuditKey{User: "USER", AccessKeyID: "KEY_ID"})
}

// HumanDate is a date people read ("3 Dec 2026"), in UTC so every reader sees the same day.
func HumanDate(t time.Time) string { return humanDate(t) }

func humanDate(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format("2 Jan 2006")
}
