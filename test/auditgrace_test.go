package test

import (
	"strings"
	"testing"
	"time"
)

// A fresh key nobody has used yet is not "unused" during --grace-new (prowler #645).
func TestAuditGraceNew(t *testing.T) {
	c := fresh(t)
	id := mkUser(t, c, "newbie", 1)[0]
	created := createdAt(t, c, "newbie", id) // moto's clock, whatever the date is

	for _, tc := range []struct {
		name string
		at   time.Duration
		args []string
		want string
	}{
		{"no grace: 3 days unused is over 1d", 3 * 24 * time.Hour, nil, "IAM.22"},
		{"within a 7d grace", 3 * 24 * time.Hour, []string{"--grace-new", "7d"}, ""},
		{"grace over", 7 * 24 * time.Hour, []string{"--grace-new", "7d"}, "IAM.22"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"audit", "-o", "json", "--max-unused", "1d"}, tc.args...)
			r := kwAt(t, created.Add(tc.at), admin(t), args...)
			rows := auditRows(t, r)
			if r.code != 0 || len(rows) != 1 {
				t.Fatalf("exit %d, %d rows\n%s", r.code, len(rows), r.stderr)
			}
			if got := findingIDs(rows[0]); got != tc.want {
				t.Errorf("findings %q, want %q", got, tc.want)
			}
		})
	}
	r := kw(t, admin(t), "audit", "--grace-new", "soon")
	if r.code != 2 || !strings.HasPrefix(r.stderr, `keywarden: --grace-new "soon": `) {
		t.Errorf("--grace-new soon: exit %d, want 2 and a sentence naming the flag\n%s", r.code, r.stderr)
	}
}
