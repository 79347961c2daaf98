package policy

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
)

const rotateYAML = `jobs:
  rotate-ci:
    schedule: "0 3 * * 1"
    timezone: Asia/Tokyo
    select: {users: ["svc-*"]}
    do:
      - rotate: {older_than: 80d, to: ["secretsmanager:ci/{user}", "ssm:/ci/{user}"], grace: 24h}
`

func TestLoadRotateRule(t *testing.T) {
	cfg, err := Load("keywarden.yaml", []byte(rotateYAML))
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Jobs[0].Rules[0]
	if r.Kind != Rotate || r.OlderThan != Duration(80*Day) || r.Grace != Duration(Day) || !slices.Equal(r.To, []string{"secretsmanager:ci/{user}", "ssm:/ci/{user}"}) {
		t.Fatalf("rule = %+v", r)
	}
	if r.String() != "rotate older_than=80d to=secretsmanager:ci/{user},ssm:/ci/{user} grace=1d" {
		t.Fatalf("String() = %s", r)
	}
	cfg, err = Load("k.yaml", []byte("jobs:\n  a:\n    select: {users: [svc-ci]}\n    do:\n      - rotate: {older_than: 1d, to: [\"profile:ci\"], grace: 0d, make_room: true, kms_key_id: alias/ci}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if r := cfg.Jobs[0].Rules[0]; r.Grace != 0 || !r.MakeRoom || r.KMSKeyID != "alias/ci" {
		t.Fatalf("one exact user, no {user}, grace 0: %+v", r)
	}
}

func TestLoadRotateRuleErrors(t *testing.T) {
	do := func(rule string) string {
		return "jobs:\n  a:\n    select: {users: [\"svc-*\"]}\n    do:\n      - rotate: " + rule + "\n"
	}
	for _, tc := range []struct{ name, yaml, want string }{
		{"no older_than", do(`{to: ["ssm:/{user}"]}`), "keywarden.yaml:5:9: rotate needs older_than"},
		{"no to", do(`{older_than: 80d}`), "keywarden.yaml:5:9: rotate needs to"},
		{"empty to", do(`{older_than: 80d, to: []}`), "keywarden.yaml:5:39: to: an empty list delivers the new key nowhere"},
		{"zero older_than", do(`{older_than: 0d, to: ["ssm:/{user}"]}`), "keywarden.yaml:5:30: older_than: 0d would match every key; want a positive duration like 45d (to rotate a key now, run keywarden rotate --user NAME --to DEST)"},
		{"unknown kind", do(`{older_than: 80d, to: ["vault:x/{user}"]}`), `keywarden.yaml:5:40: to: destination "vault:x/{user}": unknown kind "vault"`},
		{"kind typo", do(`{older_than: 80d, to: ["secretmanager:x/{user}"]}`), `(did you mean secretsmanager?)`},
		{"bad secret name", do(`{older_than: 80d, to: ["secretsmanager:ci svc/{user}"]}`), `a secret name is up to 512 letters`},
		{"bad profile", do(`{older_than: 80d, to: ["profile:@/tmp/c"]}`), `want profile:NAME[@FILE]`},
		{"no {user} for a glob", do(`{older_than: 80d, to: ["secretsmanager:ci/svc"]}`), `keywarden.yaml:5:40: to: destination "secretsmanager:ci/svc" would hold the keys of every user the job selects; put {user} in it, like "secretsmanager:ci/svc/{user}"`},
		{"bad grace", do(`{older_than: 80d, to: ["ssm:/{user}"], grace: soon}`), "keywarden.yaml:5:63: grace: malformed duration"},
		{"bad make_room", do(`{older_than: 80d, to: ["ssm:/{user}"], make_room: yes please}`), "make_room: want true or false"},
		{"unknown key", do(`{older_than: 80d, to: ["ssm:/{user}"], grace_period: 1d}`), `unknown key "grace_period" in rotate`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load("keywarden.yaml", []byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v\nwant …%s…", err, tc.want)
			}
		})
	}
}

func TestEvaluateRotate(t *testing.T) {
	cfg, err := Load("keywarden.yaml", []byte(rotateYAML))
	if err != nil {
		t.Fatal(err)
	}
	old := activeKey("AKIAOLDOLDOLDOLDOLD1", ago(90*Day), at(ago(time.Hour)))
	delivered := func(d time.Time, grace time.Duration) map[string]string {
		st := keys.Rotation{Phase: keys.PhaseDelivered, OldKeyID: old.AccessKeyID, NewKeyID: "AKIANEWNEWNEWNEWNEW1", Started: d, Delivered: d, Grace: grace, Dests: "0badf00d"}
		return map[string]string{keys.RotationTag: st.String()}
	}
	tagged := func(tags map[string]string, ks ...keys.Key) keys.User {
		u := user("svc-ci", nil, ks...)
		u.Tags = tags
		return u
	}
	newKey := activeKey("AKIANEWNEWNEWNEWNEW1", ago(2*Day), nil)
	for _, tc := range []struct {
		name   string
		u      keys.User
		kind   Kind // "" for no action
		reason string
	}{
		{"old key rotates", user("svc-ci", nil, old), Rotate, "created 90 days ago on 2026-08-25 (limit 80d); rotate into secretsmanager:ci/{user}, ssm:/ci/{user}"},
		{"young key waits for its age", user("svc-ci", nil, activeKey("AKIAYOUNGYOUNGYOUNG1", ago(10*Day), nil)), "", ""},
		{"only inactive keys: nothing to rotate", user("svc-ci", nil, inactiveKey("AKIAINACTIVEINACTIV1", ago(100*Day))), "", ""},
		{"two active keys are a finding", user("svc-ci", nil, old, activeKey("AKIAOTHEROTHEROTHER1", ago(5*Day), nil)), Report, "has two active keys"},
		{"no room without make_room", user("svc-ci", nil, old, inactiveKey("AKIAINACTIVEINACTIV1", ago(100*Day))), Report, "set make_room: true"},
		{"interrupted rotation resumes", tagged(map[string]string{keys.RotationTag: keys.Rotation{Phase: keys.PhaseCreating, OldKeyID: old.AccessKeyID, Started: ago(time.Hour)}.String()}, old), FinishRotation, "was interrupted while creating: resume it"},
		{"within the grace: wait", tagged(delivered(ago(time.Hour), Day), old, newKey), WaitRotation, "the old key stays active until 2026-11-24T14:00:00Z (grace 1d)"},
		{"used since delivery: wait for the consumer", tagged(delivered(ago(2*Day), Day), old, newKey), WaitRotation, "a consumer used the old key at 2026-11-23T14:00:00Z (s3 in us-east-1)"},
		{"unused after the grace: finish", tagged(delivered(ago(2*Day), Day), activeKey(old.AccessKeyID, ago(90*Day), at(ago(3*Day))), newKey), FinishRotation, "the grace 1d has passed and the old key is unused since: deactivate it"},
		{"old key already gone: close", tagged(delivered(ago(time.Hour), Day), newKey), FinishRotation, "no active old key is left"},
		{"unreadable record is a finding", tagged(map[string]string{keys.RotationTag: "garbage"}, old), Report, "cannot be read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Evaluate(keys.Inventory{Users: []keys.User{tc.u}}, cfg, nil, now)
			if err != nil {
				t.Fatal(err)
			}
			if tc.kind == "" {
				if len(p.Actions) != 0 {
					t.Fatalf("want no action, got %+v", p.Actions)
				}
				return
			}
			if len(p.Actions) != 1 {
				t.Fatalf("want one action, got %+v", p.Actions)
			}
			a := p.Actions[0]
			if a.Kind != tc.kind || !strings.Contains(a.Reason, tc.reason) || a.Job != "rotate-ci" {
				t.Fatalf("got %s: %q\nwant %s: …%s…", a.Kind, a.Reason, tc.kind, tc.reason)
			}
			if tc.kind != Report && (a.Rotation == nil || !slices.Equal(a.Rotation.To, []string{"secretsmanager:ci/svc-ci", "ssm:/ci/svc-ci"}) || a.Rotation.Grace != Duration(Day)) {
				t.Fatalf("rotation spec = %+v", a.Rotation)
			}
			if tc.kind.Changes() != (tc.kind == Rotate || tc.kind == FinishRotation) {
				t.Fatalf("%s.Changes() = %v", tc.kind, tc.kind.Changes())
			}
		})
	}
}

// The runner reads what the rule decides on: every selected user's tags (a rotation in
// progress is a tag of a user whose keys are all active) and the old key's last use.
func TestRotateRuleNeedsEveryUsersTagsAndLastUse(t *testing.T) {
	cfg, err := Load("keywarden.yaml", []byte(rotateYAML))
	if err != nil {
		t.Fatal(err)
	}
	if n := cfg.Needs(nil); !n.AllTags || !n.Tags || !n.LastUsed {
		t.Fatalf("Needs = %+v", n)
	}
}

// A consumer still on the old key after the grace is told to its owner once per key and job,
// and only when there is a notify: section to tell them through.
func TestConsumerOnARotatedKeyIsAWarningOnce(t *testing.T) {
	withNotify, err := Load("keywarden.yaml", []byte(rotateYAML+"notify:\n  fallback: \"@ops\"\n  webhook: {url: \"https://hooks.example.com/x\"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	without, err := Load("keywarden.yaml", []byte(rotateYAML))
	if err != nil {
		t.Fatal(err)
	}
	old := activeKey("AKIAOLDOLDOLDOLDOLD1", ago(90*Day), at(ago(time.Hour)))
	newKey := activeKey("AKIANEWNEWNEWNEWNEW1", ago(2*Day), nil)
	st := func(delivered time.Time) string {
		return keys.Rotation{Phase: keys.PhaseDelivered, OldKeyID: old.AccessKeyID, NewKeyID: newKey.AccessKeyID, Started: delivered, Delivered: delivered, Grace: Day, Dests: "0badf00d"}.String()
	}
	u := func(tags map[string]string) keys.User {
		x := user("svc-ci", nil, old, newKey)
		x.Tags = tags
		return x
	}
	for _, tc := range []struct {
		name string
		cfg  *Config
		u    keys.User
		want int
	}{
		{"in use after the grace: told", withNotify, u(map[string]string{keys.RotationTag: st(ago(2 * Day))}), 1},
		{"already told: not again", withNotify, u(map[string]string{keys.RotationTag: st(ago(2 * Day)), keys.WarnedTag: old.AccessKeyID + "=rotate-ci/" + InUseMemo}), 0},
		{"within the grace: nothing to tell", withNotify, u(map[string]string{keys.RotationTag: st(ago(time.Hour))}), 0},
		{"no notify: section: nobody to tell", without, u(map[string]string{keys.RotationTag: st(ago(2 * Day))}), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Evaluate(keys.Inventory{Users: []keys.User{tc.u}}, tc.cfg, nil, now)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Actions) != 1 || p.Actions[0].Kind != WaitRotation {
				t.Fatalf("the action must stay a wait: %+v", p.Actions)
			}
			if len(p.Warnings) != tc.want {
				t.Fatalf("%d warnings, want %d: %+v", len(p.Warnings), tc.want, p.Warnings)
			}
			if tc.want == 0 {
				return
			}
			w := p.Warnings[0]
			if w.Kind != WaitRotation || w.AccessKeyID != old.AccessKeyID || w.Memo != InUseMemo || !w.Due.IsZero() ||
				!strings.Contains(w.Reason, "a consumer used the old key") || w.Job != "rotate-ci" {
				t.Fatalf("warning %+v", w)
			}
		})
	}
}

// respond replaces a leaked key by the rule that selects its user, whatever the key's age.
func TestRotationForFindsTheRuleThatSelectsTheUser(t *testing.T) {
	cfg, err := Load("keywarden.yaml", []byte("jobs:\n  curfew:\n    select: {users: [\"*\"]}\n    do: [deactivate: {}]\n"+strings.TrimPrefix(rotateYAML, "jobs:\n")))
	if err != nil {
		t.Fatal(err)
	}
	job, s, ok := RotationFor(cfg, keys.User{Name: "svc-ci"})
	if !ok || job != "rotate-ci" || !slices.Equal(s.To, []string{"secretsmanager:ci/svc-ci", "ssm:/ci/svc-ci"}) || s.Grace != Duration(Day) {
		t.Fatalf("RotationFor(svc-ci) = %q, %+v, %v", job, s, ok)
	}
	if job, _, ok := RotationFor(cfg, keys.User{Name: "alice"}); ok {
		t.Fatalf("alice is selected by no rotate rule, got job %q", job)
	}
	if _, _, ok := RotationFor(nil, keys.User{Name: "svc-ci"}); ok {
		t.Fatal("no config, no rule")
	}
}
