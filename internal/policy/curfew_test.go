package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
)

const curfewYAML = `jobs:
  curfew:
    schedule: "0 0 * * *"
    timezone: Asia/Tokyo
    select: {users: [dev, ops]}
    do:
      - deactivate: {warn: 1h}
`

// The curfew warns before each run of its schedule: every active key the run will deactivate,
// once per run, nothing to do with a key's age.
func TestCurfewWarnings(t *testing.T) {
	cfg, err := Load("k.yaml", []byte(curfewYAML))
	if err != nil {
		t.Fatal(err)
	}
	j, _ := cfg.Job("curfew")
	if j.CurfewWarn() != time.Hour {
		t.Fatalf("CurfewWarn = %s", j.CurfewWarn())
	}
	due := j.Cron.Next(now) // midnight in Tokyo, 15:00 UTC
	inv := keys.Inventory{Users: []keys.User{
		user("dev", nil, activeKey("AKIADEV1", ago(time.Hour), nil), inactiveKey("AKIADEV2", ago(time.Hour))),
		user("ops", nil, activeKey("AKIAOPS1", ago(400*24*time.Hour), nil)),
		user("other", nil, activeKey("AKIAOTHER", ago(time.Hour), nil)), // not selected
	}}
	for _, c := range []struct {
		name string
		now  time.Time
		inv  keys.Inventory
		want []string
	}{
		{"an hour before", due.Add(-time.Hour), inv, []string{"AKIADEV1", "AKIAOPS1"}},
		{"hours early", due.Add(-3 * time.Hour), inv, nil},
		{"at the run", due, inv, nil},
		{"told of this run already", due.Add(-time.Hour), keys.Inventory{Users: []keys.User{
			withTag(user("dev", nil, activeKey("AKIADEV1", ago(time.Hour), nil)), keys.WarnedTag, "AKIADEV1=curfew/"+WarnedAt(Deactivate, due)),
		}}, nil},
		{"told of last night's run only", due.Add(-time.Hour), keys.Inventory{Users: []keys.User{
			withTag(user("dev", nil, activeKey("AKIADEV1", ago(time.Hour), nil)), keys.WarnedTag, "AKIADEV1=curfew/"+WarnedAt(Deactivate, due.Add(-24*time.Hour))),
		}}, []string{"AKIADEV1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := CurfewWarnings(c.inv, cfg, "curfew", c.now, due)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Actions) != 0 {
				t.Fatalf("a warning-only run has actions: %s", render(p))
			}
			var got []string
			for _, w := range p.Warnings {
				got = append(got, w.AccessKeyID)
				if !w.Due.Equal(due) || w.Kind != Deactivate || w.Job != "curfew" || !strings.Contains(w.Reason, "will be deactivated at "+due.In(j.Location).Format("2006-01-02 15:04")+" JST by job curfew") {
					t.Errorf("warning %+v", w)
				}
			}
			if strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Fatalf("warned %v, want %v", got, c.want)
			}
		})
	}
	// A normal run of the job acts, and warns of nothing: the curfew's warning is its own run.
	p, _ := Evaluate(inv, cfg, nil, due)
	if len(p.Warnings) != 0 || len(p.Actions) != 2 {
		t.Fatalf("the curfew's own run: %s, warnings %+v", render(p), p.Warnings)
	}
	if _, err := CurfewWarnings(inv, oneJob(Rule{Kind: Deactivate}), "j", now, now.Add(time.Minute)); err == nil {
		t.Fatal("a job without a curfew warn: warned")
	}
}

func TestWarnedKeepsOneCurfewEntryPerKey(t *testing.T) {
	w := keys.ParseWarned("AKIAA=hygiene/deactivate AKIAA=curfew/" + WarnedAt(Deactivate, now))
	w.Add("AKIAA", "curfew", WarnedAt(Deactivate, now.Add(24*time.Hour)))
	got := w.String([]string{"AKIAA"})
	if want := "AKIAA=hygiene/deactivate AKIAA=curfew/" + WarnedAt(Deactivate, now.Add(24*time.Hour)); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
