package policy

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
)

var now = time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)

func ago(d time.Duration) time.Time { return now.Add(-d) }

func activeKey(id string, created time.Time, lastUsed *time.Time) keys.Key {
	k := keys.Key{AccessKeyID: id, Status: keys.Active, Created: created}
	if lastUsed != nil {
		k.LastUsed = &keys.LastUsed{Date: *lastUsed, Service: "s3", Region: "us-east-1"}
	}
	return k
}

func inactiveKey(id string, created time.Time) keys.Key {
	return keys.Key{AccessKeyID: id, Status: keys.Inactive, Created: created}
}

func at(t time.Time) *time.Time { return &t }

// user builds a user whose keys carry the user's name; recs are provenance tags by key id.
func user(name string, recs map[string]keys.Record, ks ...keys.Key) keys.User {
	u := keys.User{Name: name, Path: "/", Tags: map[string]string{}}
	for id, r := range recs {
		u.Tags[keys.TagKey(id)] = r.String()
	}
	for _, k := range ks {
		k.User = name
		u.Keys = append(u.Keys, k)
	}
	return u
}

func withTag(u keys.User, k, v string) keys.User {
	u.Tags[k] = v
	return u
}

func deactivated(t time.Time) keys.Record {
	return keys.Record{Action: keys.ActionDeactivated, Time: t, Origin: "job:hygiene"}
}

func oneJob(rules ...Rule) *Config {
	return &Config{Jobs: []Job{{Name: "j", Location: time.UTC, TZName: "UTC", Rules: rules}}}
}

func render(p Plan) string {
	var b strings.Builder
	for _, a := range p.Actions {
		fmt.Fprintf(&b, "%s %s %s %s [%s] %s\n", a.Job, a.Kind, a.User, a.AccessKeyID, a.Rule, a.Reason)
	}
	return b.String()
}

func TestEvaluateRuleThresholds(t *testing.T) {
	const sec = time.Second
	unused45 := Rule{Kind: Deactivate, UnusedFor: Duration(45 * Day)}
	older90 := Rule{Kind: Deactivate, OlderThan: Duration(90 * Day)}
	everyKey := Rule{Kind: Deactivate}
	del30 := Rule{Kind: Delete, InactiveFor: Duration(30 * Day), SinceUnknown: SinceUnknownSkip}
	del30Unknown := Rule{Kind: Delete, InactiveFor: Duration(30 * Day), SinceUnknown: SinceUnknownDelete}
	report90 := Rule{Kind: Report, OlderThan: Duration(90 * Day)}
	reportUnused := Rule{Kind: Report, UnusedFor: Duration(45 * Day)}
	created := ago(400 * Day)
	cases := []struct {
		name string
		rule Rule
		u    keys.User
		want string // the one action's "kind reason", or "" for none
	}{
		{"unused: just before", unused45, user("u", nil, activeKey("K", created, at(ago(45*Day-sec)))), ""},
		{"unused: exactly at", unused45, user("u", nil, activeKey("K", created, at(ago(45*Day)))), "deactivate unused for 45 days (limit 45d)"},
		{"unused: just after", unused45, user("u", nil, activeKey("K", created, at(ago(45*Day+sec)))), "deactivate unused for 45 days (limit 45d)"},
		{"unused: well after", unused45, user("u", nil, activeKey("K", created, at(ago(52*Day+3*time.Hour)))), "deactivate unused for 52 days (limit 45d)"},
		{"unused: never used, just before", unused45, user("u", nil, activeKey("K", ago(45*Day-sec), nil)), ""},
		{"unused: never used, exactly at", unused45, user("u", nil, activeKey("K", ago(45*Day), nil)), "deactivate never used, created 45 days ago (limit 45d)"},
		{"unused: never used, after", unused45, user("u", nil, activeKey("K", ago(61*Day), nil)), "deactivate never used, created 61 days ago (limit 45d)"},
		{"unused: zero last-used date counts as never used", unused45,
			user("u", nil, keys.Key{AccessKeyID: "K", Status: keys.Active, Created: ago(61 * Day), LastUsed: &keys.LastUsed{}}),
			"deactivate never used, created 61 days ago (limit 45d)"},
		{"unused: recent use of an old key", unused45, user("u", nil, activeKey("K", created, at(ago(Day)))), ""},
		{"unused: inactive key is left alone", unused45, user("u", nil, inactiveKey("K", created)), ""},
		{"older: just before", older90, user("u", nil, activeKey("K", ago(90*Day-sec), at(ago(Day)))), ""},
		{"older: exactly at", older90, user("u", nil, activeKey("K", ago(90*Day), at(ago(Day)))), "deactivate created 90 days ago on 2026-08-25 (limit 90d)"},
		{"older: just after", older90, user("u", nil, activeKey("K", ago(90*Day+sec), at(ago(Day)))), "deactivate created 90 days ago on 2026-08-25 (limit 90d)"},
		{"older: inactive key is left alone", older90, user("u", nil, inactiveKey("K", created)), ""},
		{"every active key", everyKey, user("u", nil, activeKey("K", ago(time.Minute), nil)), "deactivate every active key of the selection"},
		{"every active key: not an inactive one", everyKey, user("u", nil, inactiveKey("K", created)), ""},
		{"delete: just before", del30, user("u", map[string]keys.Record{"K": deactivated(ago(30*Day - sec))}, inactiveKey("K", created)), ""},
		{"delete: exactly at", del30, user("u", map[string]keys.Record{"K": deactivated(ago(30 * Day))}, inactiveKey("K", created)),
			"delete inactive for 30 days since keywarden deactivated it on 2026-10-24 (limit 30d)"},
		{"delete: just after", del30, user("u", map[string]keys.Record{"K": deactivated(ago(31*Day + sec))}, inactiveKey("K", created)),
			"delete inactive for 31 days since keywarden deactivated it on 2026-10-23 (limit 30d)"},
		{"delete: never an active key", del30, user("u", map[string]keys.Record{"K": deactivated(ago(60 * Day))}, activeKey("K", created, nil)), ""},
		{"delete: deactivated by someone else is skipped", del30, user("u", nil, inactiveKey("K", created)), ""},
		{"delete: keywarden's last act was activate", del30,
			user("u", map[string]keys.Record{"K": {Action: keys.ActionActivated, Time: ago(60 * Day), Origin: "activate"}}, inactiveKey("K", created)), ""},
		{"delete: an unreadable tag is no record", del30,
			withTag(user("u", nil, inactiveKey("K", created)), keys.TagKey("K"), "deactivated by hand"), ""},
		{"delete: since_unknown delete takes a key deactivated by others", del30Unknown, user("u", nil, inactiveKey("K", created)),
			"delete inactive, deactivated outside keywarden so its inactive time is unknown (since_unknown: delete)"},
		{"delete: since_unknown delete still waits when the record is known", del30Unknown,
			user("u", map[string]keys.Record{"K": deactivated(ago(Day))}, inactiveKey("K", created)), ""},
		{"delete 0d: at the deactivation", Rule{Kind: Delete, SinceUnknown: SinceUnknownSkip},
			user("u", map[string]keys.Record{"K": deactivated(now)}, inactiveKey("K", created)),
			"delete inactive for less than 2 minutes since keywarden deactivated it on 2026-11-23 (limit 0d)"},
		{"delete 0d: --at before the deactivation", Rule{Kind: Delete, SinceUnknown: SinceUnknownSkip},
			user("u", map[string]keys.Record{"K": deactivated(now.Add(time.Hour))}, inactiveKey("K", created)), ""},
		{"report: older", report90, user("u", nil, activeKey("K", ago(100*Day), at(ago(Day)))), "report created 100 days ago on 2026-08-15 (limit 90d)"},
		{"report: just before", report90, user("u", nil, activeKey("K", ago(90*Day-sec), at(ago(Day)))), ""},
		{"report: unused", reportUnused, user("u", nil, activeKey("K", created, at(ago(50*Day)))), "report unused for 50 days (limit 45d)"},
		{"report: not inactive keys", report90, user("u", nil, inactiveKey("K", created)), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Evaluate(keys.Inventory{Users: []keys.User{c.u}}, oneJob(c.rule), nil, now)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if len(p.Actions) > 1 {
				t.Fatalf("got %d actions, want at most 1:\n%s", len(p.Actions), render(p))
			}
			if len(p.Actions) == 1 {
				a := p.Actions[0]
				got = string(a.Kind) + " " + a.Reason
				if a.User != "u" || a.AccessKeyID != "K" || a.Job != "j" || a.Rule != c.rule.String() {
					t.Errorf("action = %+v", a)
				}
			}
			if got != c.want {
				t.Fatalf("got %q\nwant %q", got, c.want)
			}
			if !p.At.Equal(now) {
				t.Errorf("plan at %v, want %v", p.At, now)
			}
		})
	}
}

// The sample config against a small account: the plan a person would expect, in job, user,
// key order.
func TestEvaluateSample(t *testing.T) {
	data, err := os.ReadFile("testdata/keywarden.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Load("keywarden.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	exempt := user("ci-bot", nil, activeKey("AKIACIBOT", ago(200*Day), nil))
	exempt.Tags["keywarden:exempt"] = "true"
	inv := keys.Inventory{Users: []keys.User{
		user("zed", map[string]keys.Record{"AKIAZED2": deactivated(ago(31 * Day))},
			activeKey("AKIAZED1", ago(100*Day), at(ago(2*Day))),
			inactiveKey("AKIAZED2", ago(300*Day))),
		user("access-key-user", nil,
			activeKey("AKIAUSER2", ago(10*Day), at(ago(time.Hour))),
			activeKey("AKIAUSER1", ago(61*Day), nil)),
		user("break-glass", nil, activeKey("AKIABREAK", ago(500*Day), nil)),
		exempt,
		user("old-leak", nil, inactiveKey("AKIALEAK", ago(500*Day))),
	}}
	p, err := Evaluate(inv, cfg, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	want := `curfew deactivate access-key-user AKIAUSER1 [deactivate] every active key of the selection
curfew deactivate access-key-user AKIAUSER2 [deactivate] every active key of the selection
hygiene deactivate access-key-user AKIAUSER1 [deactivate unused_for=45d] never used, created 61 days ago (limit 45d)
hygiene report zed AKIAZED1 [report older_than=90d] created 100 days ago on 2026-08-15 (limit 90d)
hygiene delete zed AKIAZED2 [delete inactive_for=30d] inactive for 31 days since keywarden deactivated it on 2026-10-23 (limit 30d)
`
	if got := render(p); got != want {
		t.Fatalf("plan:\n%s\nwant:\n%s", got, want)
	}
	if inv.Users[0].Name != "zed" || inv.Users[1].Keys[0].AccessKeyID != "AKIAUSER2" {
		t.Error("Evaluate reordered the caller's inventory")
	}

	p, err = Evaluate(inv, cfg, []string{"hygiene"}, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range p.Actions {
		if a.Job != "hygiene" {
			t.Fatalf("asked for hygiene only, got %+v", a)
		}
	}
	if len(p.Actions) != 3 {
		t.Fatalf("hygiene alone: %d actions, want 3:\n%s", len(p.Actions), render(p))
	}
}

func TestEvaluateOneKeyOneDecision(t *testing.T) {
	u := user("u", nil, activeKey("K", ago(100*Day), nil))
	inv := keys.Inventory{Users: []keys.User{u}}
	cases := []struct {
		name string
		cfg  *Config
		want string
	}{
		{"two deactivate rules: the first wins", oneJob(
			Rule{Kind: Deactivate, UnusedFor: Duration(45 * Day)},
			Rule{Kind: Deactivate, OlderThan: Duration(90 * Day)}),
			"j deactivate u K [deactivate unused_for=45d] never used, created 100 days ago (limit 45d)\n"},
		{"deactivated now is not also deleted", oneJob(
			Rule{Kind: Deactivate},
			Rule{Kind: Delete, InactiveFor: 0, SinceUnknown: SinceUnknownDelete}),
			"j deactivate u K [deactivate] every active key of the selection\n"},
		{"two jobs both deactivate, in job order", &Config{Jobs: []Job{
			{Name: "b-first", Rules: []Rule{{Kind: Deactivate}}},
			{Name: "a-second", Rules: []Rule{{Kind: Deactivate, OlderThan: Duration(90 * Day)}}},
		}}, "b-first deactivate u K [deactivate] every active key of the selection\n" +
			"a-second deactivate u K [deactivate older_than=90d] created 100 days ago on 2026-08-15 (limit 90d)\n"},
		{"grace_new spares a new key from unused_for", &Config{Jobs: []Job{{Name: "j", Rules: []Rule{
			{Kind: Deactivate, UnusedFor: Duration(45 * Day), GraceNew: Duration(120 * Day)},
			{Kind: Report, UnusedFor: Duration(45 * Day), GraceNew: Duration(100 * Day)},
		}}}}, "j report u K [report unused_for=45d grace_new=100d] never used, created 100 days ago (limit 45d)\n"},
		{"a report alongside a deactivate", oneJob(
			Rule{Kind: Report, OlderThan: Duration(90 * Day)},
			Rule{Kind: Deactivate}),
			"j report u K [report older_than=90d] created 100 days ago on 2026-08-15 (limit 90d)\n" +
				"j deactivate u K [deactivate] every active key of the selection\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Evaluate(inv, c.cfg, nil, now)
			if err != nil {
				t.Fatal(err)
			}
			if got := render(p); got != c.want {
				t.Fatalf("plan:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}

func TestEvaluateSelection(t *testing.T) {
	alice := user("alice", nil, activeKey("KA", ago(Day), nil))
	alice.Path = "/team/"
	bob := user("bob", nil, activeKey("KB", ago(Day), nil))
	carol := user("carol", nil, activeKey("KC", ago(Day), nil))
	carol.Tags["keywarden:exempt"] = "true"
	inv := keys.Inventory{Users: []keys.User{carol, bob, alice}}
	cases := []struct {
		name string
		sel  Selector
		want string
	}{
		{"all", Selector{}, "alice bob carol"},
		{"paths", Selector{Paths: []string{"/team/"}}, "alice"},
		{"exclusions", Selector{Users: []string{"*"}, ExcludeUsers: []string{"a*"}}, "bob carol"},
		{"tags", Selector{ExcludeTags: map[string]string{"keywarden:exempt": "true"}}, "alice bob"},
		{"nobody", Selector{Users: []string{"dave"}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := &Config{Jobs: []Job{{Name: "j", Select: c.sel, Rules: []Rule{{Kind: Deactivate}}}}}
			p, err := Evaluate(inv, cfg, nil, now)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range p.Actions {
				got = append(got, a.User)
			}
			if strings.Join(got, " ") != c.want {
				t.Fatalf("selected %v, want %s", got, c.want)
			}
		})
	}
}

// --at moves now: the same inventory is in policy today and out of it later, and an --at
// before the data is never "negative days old".
func TestEvaluateAtAnotherTime(t *testing.T) {
	inv := keys.Inventory{Users: []keys.User{user("u", nil, activeKey("K", ago(10*Day), at(ago(5*Day))))}}
	cfg := oneJob(Rule{Kind: Deactivate, UnusedFor: Duration(45 * Day)})
	cases := []struct {
		name string
		at   time.Time
		want string
	}{
		{"today", now, ""},
		{"in 39 days, 1s short", now.Add(40*Day - time.Second), ""},
		{"in 40 days", now.Add(40 * Day), "j deactivate u K [deactivate unused_for=45d] unused for 45 days (limit 45d)\n"},
		{"next year", now.Add(365 * Day), "j deactivate u K [deactivate unused_for=45d] unused for 370 days (limit 45d)\n"},
		{"before the key existed", now.Add(-100 * Day), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Evaluate(inv, cfg, nil, c.at)
			if err != nil {
				t.Fatal(err)
			}
			if got := render(p); got != c.want {
				t.Fatalf("plan:\n%s\nwant:\n%s", got, c.want)
			}
			if !p.At.Equal(c.at) {
				t.Errorf("plan at %v, want %v", p.At, c.at)
			}
		})
	}
}

func TestEvaluateUnknownJob(t *testing.T) {
	cfg := &Config{Jobs: []Job{{Name: "curfew"}, {Name: "hygiene"}}}
	_, err := Evaluate(keys.Inventory{}, cfg, []string{"hygiene", "nightly"}, now)
	want := `unknown job "nightly": the config has curfew, hygiene`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
	if _, err := Evaluate(keys.Inventory{}, nil, nil, now); err == nil {
		t.Fatal("Evaluate with no config did not fail")
	}
}

func TestEvaluateEmptyPlanIsNotNil(t *testing.T) {
	p, err := Evaluate(keys.Inventory{}, oneJob(Rule{Kind: Deactivate}), nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if p.Actions == nil || len(p.Actions) != 0 {
		t.Fatalf("actions = %#v, want an empty list (JSON [] rather than null)", p.Actions)
	}
}
