package test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/keys"
)

func TestApplyRunsCurfewAndHygieneThenChangesNothing(t *testing.T) {
	c := fresh(t)
	w := mkJobsWorld(t, c)

	r := kw(t, admin(t), "apply", "-c", sampleConfig, "--yes", "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var got []struct {
		User, Outcome, Job string
		AccessKeyID        string `json:"access_key_id"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, r.stdout)
	}
	want := map[string]string{w.curfewKey: "deactivated curfew", w.oldKey: "deleted hygiene"}
	if len(got) != 2 {
		t.Fatalf("results %+v", got)
	}
	for _, g := range got {
		if want[g.AccessKeyID] != g.Outcome+" "+g.Job {
			t.Errorf("result %+v, want %s", g, want[g.AccessKeyID])
		}
	}
	if !strings.Contains(r.stderr, "keywarden: 2 jobs, 3 users, 3 keys: 1 deactivate, 1 delete") {
		t.Errorf("stderr lacks the plan summary:\n%s", r.stderr)
	}
	if s := statusByCLI(t, "access-key-user", w.curfewKey); s != "Inactive" {
		t.Errorf("curfew key is %s", s)
	}
	if s := statusByCLI(t, "old", w.oldKey); s != "absent" {
		t.Errorf("hygiene left old's key %s", s)
	}
	if s := statusByCLI(t, "alice", w.aliceKey); s != "Active" {
		t.Errorf("alice's key is %s", s)
	}
	rec, err := keys.ParseRecord(tagsByCLI(t, "access-key-user")[keys.TagKey(w.curfewKey)])
	if err != nil || rec.Action != keys.ActionDeactivated || rec.Origin != "job:curfew" || !rec.Time.Equal(fixedNow) {
		t.Errorf("provenance %+v, %v", rec, err)
	}

	before := w.snapshot(t)
	r = kw(t, admin(t), "apply", "-c", sampleConfig, "--yes")
	if r.code != 0 || r.stdout != "" || !strings.Contains(r.stderr, "keywarden: no changes") {
		t.Fatalf("second apply: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if after := w.snapshot(t); !sameMap(before, after) {
		t.Fatalf("second apply changed AWS:\nbefore %v\nafter  %v", before, after)
	}
}

func TestApplyAsksOnATerminalAndNeedsYesElsewhere(t *testing.T) {
	c := fresh(t)
	id := mkUser(t, c, "access-key-user", 1)[0]
	cases := []struct {
		name       string
		o          run
		args       []string
		code       int
		stderr     string
		wantStatus string
	}{
		{"no terminal, no --yes", run{}, nil, 2, "keywarden: not applying 1 change: no terminal to confirm on; pass --yes to apply without asking\n", "Active"},
		{"terminal, answer n", run{tty: true, stdin: "n\n"}, nil, 0, "keywarden: apply 1 change? [y/N] keywarden: apply cancelled: nothing changed\n", "Active"},
		{"terminal, just enter", run{tty: true, stdin: "\n"}, nil, 0, "apply cancelled", "Active"},
		{"terminal, stdin closed", run{tty: true}, nil, 0, "apply cancelled", "Active"},
		{"dry run", run{}, []string{"--dry-run"}, 0, "keywarden: 1 job, 1 user, 1 key: 1 deactivate\n", "Active"},
		{"terminal, answer y", run{tty: true, stdin: "y\n"}, nil, 0, "keywarden: apply 1 change? [y/N] ", "Inactive"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"apply", "-c", sampleConfig, "--job", "curfew"}, tc.args...)
			r := kwRun(t, admin(t), tc.o, args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", r.code, r.stderr, tc.code, tc.stderr)
			}
			if s := statusByCLI(t, "access-key-user", id); s != tc.wantStatus {
				t.Errorf("key is %s, want %s", s, tc.wantStatus)
			}
			if tc.wantStatus == "Active" && len(tagsByCLI(t, "access-key-user")) != 0 {
				t.Error("a provenance tag was written though nothing was applied")
			}
		})
	}
}

func TestApplyRefusesItsOwnKeyAndHandlesTheOthers(t *testing.T) {
	c := fresh(t)
	mkUser(t, c, "access-key-user", 0)
	self, secret := mkKey(t, c, "access-key-user")
	other, _ := mkKey(t, c, "access-key-user")
	// keywarden signs with self: the curfew selects the very user it runs as.
	signed := moto(t).Config(self, secret)
	r := kw(t, signed, "apply", "-c", sampleConfig, "--job", "curfew", "--yes")
	if r.code != 4 {
		t.Fatalf("exit %d, want 4\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, self+" access-key-user refused: keywarden is signed with this key") ||
		!strings.Contains(r.stdout, other+" access-key-user deactivated") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "warning: job curfew would deactivate "+self+", the key keywarden is signed with") ||
		!strings.Contains(r.stderr, "keywarden: 1 of 2 keys refused") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	if s := statusByCLI(t, "access-key-user", self); s != "Active" {
		t.Errorf("own key is %s", s)
	}
	if s := statusByCLI(t, "access-key-user", other); s != "Inactive" {
		t.Errorf("other key is %s", s)
	}
	if _, ok := tagsByCLI(t, "access-key-user")[keys.TagKey(self)]; ok {
		t.Error("a provenance record was written for the refused key")
	}

	// --allow-self is the explicit way through.
	r = kw(t, signed, "apply", "-c", sampleConfig, "--job", "curfew", "--yes", "--allow-self")
	if r.code != 0 || r.stdout != self+" access-key-user deactivated\n" {
		t.Fatalf("--allow-self: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	out, err := c.ListAccessKeys(t.Context(), &iam.ListAccessKeysInput{UserName: aws.String("access-key-user")})
	if err != nil || len(out.AccessKeyMetadata) != 2 {
		t.Fatalf("keys: %v", err)
	}
}

func TestApplyReportsFindingsAsFindings(t *testing.T) {
	c := fresh(t)
	id := mkUser(t, c, "ci", 1)[0]
	cfg := writeConfig(t, "", "jobs:\n  age:\n    do: [report: {older_than: 1d}]\n")
	r := kwRun(t, admin(t), run{now: createdAt(t, c, "ci", id).AddDate(0, 0, 3)}, "apply", "-c", cfg)
	// Nothing to change: no --yes needed, and the finding is not a change.
	if r.code != 0 || !strings.HasPrefix(r.stdout, id+" ci finding: created 3 days ago") {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "keywarden: no changes (1 job, 1 user, 1 key); 1 finding") {
		t.Errorf("stderr %q", r.stderr)
	}
	if statusByCLI(t, "ci", id) != "Active" || len(tagsByCLI(t, "ci")) != 0 {
		t.Error("a report rule changed AWS")
	}
}
