package test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/keys"
)

func TestDeactivateByKeyAloneRecordsProvenanceAndIsIdempotent(t *testing.T) {
	c := fresh(t)
	id := mkUser(t, c, "access-key-user", 1)[0]

	r := kw(t, admin(t), "deactivate", "--key", id)
	if r.code != 0 || r.stdout != id+" access-key-user deactivated\n" {
		t.Fatalf("first run: exit %d\nstdout %q\nstderr %s", r.code, r.stdout, r.stderr)
	}
	if got := statusByCLI(t, "access-key-user", id); got != "Inactive" {
		t.Fatalf("aws CLI sees %s, want Inactive", got)
	}
	rec, err := keys.ParseRecord(tagsByCLI(t, "access-key-user")[keys.TagKey(id)])
	if err != nil {
		t.Fatalf("provenance tag: %v", err)
	}
	if rec.Action != keys.ActionDeactivated || !rec.Time.Equal(fixedNow) || rec.Origin != "deactivate" {
		t.Fatalf("provenance = %+v", rec)
	}

	r = kw(t, admin(t), "deactivate", "--key", id)
	if r.code != 0 || r.stdout != id+" access-key-user unchanged\n" {
		t.Fatalf("second run: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
}

func TestDeactivateAllOfUserAndDryRun(t *testing.T) {
	c := fresh(t)
	ids := mkUser(t, c, "dev", 2)
	other := mkUser(t, c, "other", 1)[0]

	r := kw(t, admin(t), "deactivate", "--user", "dev", "--all", "--dry-run")
	if r.code != 0 || strings.Count(r.stdout, "would deactivate") != 2 {
		t.Fatalf("dry run: exit %d, stdout %q", r.code, r.stdout)
	}
	for _, id := range ids {
		if s := statusByCLI(t, "dev", id); s != "Active" {
			t.Fatalf("dry run changed %s to %s", id, s)
		}
	}
	if len(tagsByCLI(t, "dev")) != 0 {
		t.Fatal("dry run wrote tags")
	}

	r = kw(t, admin(t), "deactivate", "--user", "dev", "--all", "-o", "json")
	var got []struct {
		User, Outcome string
		AccessKeyID   string `json:"access_key_id"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 0 || len(got) != 2 {
		t.Fatalf("json: exit %d, %v, %q", r.code, err, r.stdout)
	}
	for _, g := range got {
		if g.Outcome != "deactivated" || g.User != "dev" || statusByCLI(t, "dev", g.AccessKeyID) != "Inactive" {
			t.Fatalf("result %+v", g)
		}
	}
	if statusByCLI(t, "other", other) != "Active" {
		t.Fatal("a key of another user was changed")
	}
}

func TestActivateOnlyWhatKeywardenDeactivated(t *testing.T) {
	c := fresh(t)
	ids := mkUser(t, c, "dev", 2)
	curfewed, byHuman := ids[0], ids[1]
	if r := kw(t, admin(t), "deactivate", "--key", curfewed); r.code != 0 {
		t.Fatal(r.stderr)
	}
	// A person disables the other key after a leak, outside keywarden.
	if _, err := c.UpdateAccessKey(context.Background(), &iam.UpdateAccessKeyInput{
		UserName: aws.String("dev"), AccessKeyId: aws.String(byHuman), Status: "Inactive"}); err != nil {
		t.Fatal(err)
	}

	r := kw(t, admin(t), "activate", "--user", "dev", "--all")
	want := map[string]string{
		curfewed: curfewed + " dev activated",
		byHuman:  byHuman + " dev skipped: not deactivated by keywarden (use --force)",
	}
	for id, line := range want {
		if !strings.Contains(r.stdout, line+"\n") {
			t.Errorf("stdout lacks %q:\n%s", line, r.stdout)
		}
		_ = id
	}
	if r.code != 0 {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
	if statusByCLI(t, "dev", curfewed) != "Active" || statusByCLI(t, "dev", byHuman) != "Inactive" {
		t.Fatal("activate re-enabled the wrong keys")
	}
	rec, err := keys.ParseRecord(tagsByCLI(t, "dev")[keys.TagKey(curfewed)])
	if err != nil || rec.Action != keys.ActionActivated {
		t.Fatalf("the deactivation record was not replaced by an activation record: %+v %v", rec, err)
	}

	// The activation record does not let a later deactivation by someone else be undone.
	if _, err := c.UpdateAccessKey(context.Background(), &iam.UpdateAccessKeyInput{
		UserName: aws.String("dev"), AccessKeyId: aws.String(curfewed), Status: "Inactive"}); err != nil {
		t.Fatal(err)
	}
	if r := kw(t, admin(t), "activate", "--key", curfewed); !strings.Contains(r.stdout, "skipped: not deactivated by keywarden") {
		t.Fatalf("a human's later deactivation was undone: %s", r.stdout)
	}

	r = kw(t, admin(t), "activate", "--key", byHuman, "--force")
	if r.code != 0 || statusByCLI(t, "dev", byHuman) != "Active" {
		t.Fatalf("--force: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}
}

func TestBadTargetsChangeNothing(t *testing.T) {
	c := fresh(t)
	alice := mkUser(t, c, "alice", 1)[0]
	mkUser(t, c, "bob", 1)
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown user", []string{"deactivate", "--user", "nobody", "--all"}, 2, `keywarden: user "nobody" not found`},
		{"unknown key", []string{"deactivate", "--key", "AKIAIOSFODNN7EXAMPLE"}, 2, "keywarden: access key AKIAIOSFODNN7EXAMPLE not found in this account"},
		{"key of another user", []string{"deactivate", "--user", "bob", "--key", alice}, 2, "keywarden: access key " + alice + " belongs to user alice, not bob"},
		{"activate unknown user", []string{"activate", "--user", "nobody", "--all"}, 2, `user "nobody" not found`},
		{"a glob that matches no user", []string{"deactivate", "--user", "nobody-*", "--all"}, 2, "keywarden: no user matches nobody-*; list users with 'aws iam list-users'"},
		{"one of two globs matches no user", []string{"deactivate", "--user", "a*", "--user", "nobody-*", "--all"}, 2, "keywarden: no user matches nobody-*"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := kw(t, admin(t), tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
				t.Fatalf("exit %d (want %d)\nstderr %q (want %q)\nstdout %q", r.code, tc.code, r.stderr, tc.want, r.stdout)
			}
			if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
				t.Errorf("want one sentence, got:\n%s", r.stderr)
			}
			if statusByCLI(t, "alice", alice) != "Active" || len(tagsByCLI(t, "alice")) != 0 {
				t.Fatal("bad input changed something")
			}
		})
	}
}

func TestWhoami(t *testing.T) {
	fresh(t)
	r := kw(t, admin(t), "whoami", "-o", "json")
	var id struct {
		Account     string `json:"account"`
		AccessKeyID string `json:"access_key_id"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &id); err != nil || r.code != 0 {
		t.Fatalf("exit %d %v %q %s", r.code, err, r.stdout, r.stderr)
	}
	if id.Account != moto(t).AccountID || id.AccessKeyID != "AKIAADMINADMINADMIN0" {
		t.Fatalf("whoami = %+v", id)
	}
}
