package policy

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func TestLoadSample(t *testing.T) {
	data, err := os.ReadFile("testdata/keywarden.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Load("keywarden.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.JobNames(), ","); got != "curfew,hygiene" {
		t.Fatalf("jobs = %s, want curfew,hygiene in file order", got)
	}
	curfew, hygiene := cfg.Jobs[0], cfg.Jobs[1]
	if curfew.Schedule != "0 0 * * *" || curfew.TZName != "Asia/Tokyo" || curfew.Location.String() != "Asia/Tokyo" {
		t.Errorf("curfew = %q in %q (%v)", curfew.Schedule, curfew.TZName, curfew.Location)
	}
	if len(curfew.Select.Users) != 1 || curfew.Select.Users[0] != "access-key-user" {
		t.Errorf("curfew selects %v", curfew.Select.Users)
	}
	if len(curfew.Rules) != 1 || curfew.Rules[0].String() != "deactivate" {
		t.Errorf("curfew rules = %v", curfew.Rules)
	}
	if hygiene.TZName != "UTC" || hygiene.Location != time.UTC {
		t.Errorf("hygiene zone = %q %v, want UTC by default", hygiene.TZName, hygiene.Location)
	}
	if hygiene.Select.ExcludeTags["keywarden:exempt"] != "true" || hygiene.Select.ExcludeUsers[0] != "break-glass" {
		t.Errorf("hygiene select = %+v", hygiene.Select)
	}
	var rules []string
	for _, r := range hygiene.Rules {
		rules = append(rules, r.String())
	}
	want := "deactivate unused_for=45d|delete inactive_for=30d|report older_than=90d"
	if got := strings.Join(rules, "|"); got != want {
		t.Errorf("hygiene rules = %s, want %s", got, want)
	}
	if r := hygiene.Rules[1]; r.InactiveFor != Duration(30*Day) || r.SinceUnknown != SinceUnknownSkip {
		t.Errorf("delete rule = %+v, want 30d and since_unknown skip by default", r)
	}
}

func TestLoadVariants(t *testing.T) {
	cfg, err := Load("k.yaml", []byte(`
defaults: {timezone: Europe/Paris}
jobs:
  manual:
    select: {paths: ["/team/"], exclude_tags: {exempt: true, level: 3}}
    do:
      - deactivate: {older_than: 90d}
      - delete: {inactive_for: 0d, since_unknown: delete}
      - report: {unused_for: 1d12h}
  tokyo:
    timezone: Asia/Tokyo
    do: [deactivate: ]
`))
	if err != nil {
		t.Fatal(err)
	}
	m := cfg.Jobs[0]
	if m.Schedule != "" || m.TZName != "Europe/Paris" {
		t.Errorf("manual job = schedule %q zone %q, want none and the default zone", m.Schedule, m.TZName)
	}
	if m.Select.Paths[0] != "/team/" {
		t.Errorf("paths = %v", m.Select.Paths)
	}
	// IAM tag values are strings: an unquoted YAML true or 3 means the text "true" or "3".
	if m.Select.ExcludeTags["exempt"] != "true" || m.Select.ExcludeTags["level"] != "3" {
		t.Errorf("exclude_tags = %v", m.Select.ExcludeTags)
	}
	want := []string{"deactivate older_than=90d", "delete inactive_for=0d since_unknown=delete", "report unused_for=1d12h"}
	for i, r := range m.Rules {
		if r.String() != want[i] {
			t.Errorf("rule %d = %s, want %s", i, r, want[i])
		}
	}
	if cfg.Jobs[1].TZName != "Asia/Tokyo" || cfg.Jobs[1].Rules[0].Kind != Deactivate {
		t.Errorf("tokyo = %+v", cfg.Jobs[1])
	}
}

// problem is what one validation case expects: the first problem's position and words.
type problem struct {
	line, col int
	msg       string
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		want []problem
	}{
		{"empty file", ``, []problem{{1, 1, "no jobs"}}},
		{"no jobs key", "defaults: {timezone: UTC}\n", []problem{{1, 1, `no jobs: want a top-level "jobs:"`}}},
		{"empty jobs", "jobs: {}\n", []problem{{1, 1, "no jobs: jobs is empty"}}},
		{"jobs is a list", "jobs:\n  - curfew\n", []problem{{2, 3, "jobs: want a mapping of job name to job"}}},
		{"unknown top key with hint", "job:\n  a: {do: [deactivate: {}]}\n", []problem{
			{1, 1, `unknown key "job" in the top level (did you mean jobs?); want jobs, defaults`},
			{1, 1, "no jobs"},
		}},
		{"unknown job key with hint", "jobs:\n  a:\n    shedule: \"0 0 * * *\"\n    do: [deactivate: {}]\n", []problem{
			{3, 5, `unknown key "shedule" in job "a" (did you mean schedule?)`},
		}},
		{"unknown select key", "jobs:\n  a:\n    select: {exclude_tag: {a: b}}\n    do: [deactivate: {}]\n", []problem{
			{3, 14, `unknown key "exclude_tag" in select (did you mean exclude_tags?)`},
		}},
		{"unknown rule key as a prefix", "jobs:\n  a:\n    do:\n      - deactivate: {unused: 45d}\n", []problem{
			{4, 22, `unknown key "unused" in deactivate (did you mean unused_for?)`},
		}},
		{"grace_new without unused_for", "jobs:\n  a:\n    do:\n      - report: {older_than: 90d, grace_new: 7d}\n", []problem{
			{4, 35, "report: grace_new goes with unused_for"},
		}},
		{"unknown key without hint", "jobs:\n  a:\n    colour: red\n    do: [deactivate: {}]\n", []problem{
			{3, 5, `unknown key "colour" in job "a"; want schedule, timezone, select, do`},
		}},
		{"duplicate job", "jobs:\n  a:\n    do: [deactivate: {}]\n  a:\n    do: [deactivate: {}]\n", []problem{
			{4, 3, `duplicate job name "a" (first at line 2)`},
		}},
		{"duplicate key", "jobs:\n  a:\n    schedule: \"0 0 * * *\"\n    schedule: \"0 1 * * *\"\n    do: [deactivate: {}]\n", []problem{
			{4, 5, `duplicate key "schedule" in job "a" (first at line 3)`},
		}},
		{"bad job name", "jobs:\n  \"my job\":\n    do: [deactivate: {}]\n", []problem{{2, 3, `job name "my job": use up to 64 letters`}}},
		{"cron out of range", "jobs:\n  a:\n    schedule: \"61 0 * * *\"\n    do: [deactivate: {}]\n", []problem{
			{3, 15, `schedule "61 0 * * *": minute field "61": want 0-59, or a list`},
		}},
		{"cron with seconds", "jobs:\n  a:\n    schedule: \"0 0 0 * * *\"\n    do: [deactivate: {}]\n", []problem{
			{3, 15, `schedule "0 0 0 * * *" has 6 fields (a seconds field?); want 5 fields`},
		}},
		{"cron @every", "jobs:\n  a:\n    schedule: \"@every 1h\"\n    do: [deactivate: {}]\n", []problem{
			{3, 15, `descriptors like @every or @daily are not supported`},
		}},
		{"cron with TZ", "jobs:\n  a:\n    schedule: \"TZ=Asia/Tokyo 0 0 * * *\"\n    do: [deactivate: {}]\n", []problem{
			{3, 15, `put the time zone under timezone:`},
		}},
		{"cron too short", "jobs:\n  a:\n    schedule: \"0 0 *\"\n    do: [deactivate: {}]\n", []problem{
			{3, 15, `schedule "0 0 *" has 3 fields`},
		}},
		{"cron EventBridge style", "jobs:\n  a:\n    schedule: \"0 15 * * ? *\"\n    do: [deactivate: {}]\n", []problem{
			{3, 15, `has 6 fields`},
		}},
		{"empty schedule", "jobs:\n  a:\n    schedule:\n    do: [deactivate: {}]\n", []problem{
			{3, 14, `schedule: want a cron expression like "0 0 * * *", got nothing`},
		}},
		{"misspelt zone", "jobs:\n  a:\n    timezone: Asia/Tokio\n    do: [deactivate: {}]\n", []problem{
			{3, 15, `unknown time zone "Asia/Tokio" (did you mean Asia/Tokyo?)`},
		}},
		{"zone in lower case", "jobs:\n  a:\n    timezone: asia/tokyo\n    do: [deactivate: {}]\n", []problem{
			{3, 15, `unknown time zone "asia/tokyo" (did you mean Asia/Tokyo?)`},
		}},
		{"zone abbreviation", "jobs:\n  a:\n    timezone: JST\n    do: [deactivate: {}]\n", []problem{
			{3, 15, `unknown time zone "JST" (use an IANA name like Asia/Tokyo)`},
		}},
		{"zone nowhere near", "jobs:\n  a:\n    timezone: Mars/Olympus\n    do: [deactivate: {}]\n", []problem{
			{3, 15, `unknown time zone "Mars/Olympus" (use an IANA name like Asia/Tokyo)`},
		}},
		{"local zone", "jobs:\n  a:\n    timezone: Local\n    do: [deactivate: {}]\n", []problem{
			{3, 15, `time zone "Local" depends on the host`},
		}},
		{"bad default zone", "defaults:\n  timezone: Tokyo\njobs:\n  a:\n    do: [deactivate: {}]\n", []problem{
			{2, 13, `unknown time zone "Tokyo"`},
		}},
		{"negative duration", "jobs:\n  a:\n    do:\n      - deactivate: {unused_for: -5d}\n", []problem{
			{4, 34, `unused_for: negative duration "-5d"`},
		}},
		{"duration without unit", "jobs:\n  a:\n    do:\n      - delete: {inactive_for: 30}\n", []problem{
			{4, 32, `inactive_for: malformed duration "30": want a duration like 30s, 5m, 24h, 7d, 2w`},
		}},
		{"duration wrong unit", "jobs:\n  a:\n    do:\n      - report: {older_than: 3y}\n", []problem{
			{4, 30, `older_than: malformed duration "3y"`},
		}},
		{"zero unused_for", "jobs:\n  a:\n    do:\n      - deactivate: {unused_for: 0d}\n", []problem{
			{4, 34, `unused_for: 0d would match every key; want a positive duration like 45d (for every active key, write deactivate: {})`},
		}},
		{"zero older_than in a report does not hint deactivate", "jobs:\n  a:\n    do:\n      - report: {older_than: 0d}\n", []problem{
			{4, 30, `older_than: 0d would match every key; want a positive duration like 45d (to list every key, run keywarden audit)`},
		}},
		{"one field is one field", "jobs:\n  a:\n    schedule: \"0\"\n    do: [deactivate: {}]\n", []problem{
			{3, 15, `schedule "0" has 1 field; want 5 fields`},
		}},
		{"empty users", "jobs:\n  a:\n    select:\n      users: []\n    do: [deactivate: {}]\n", []problem{
			{4, 14, `users: an empty list selects no users`},
		}},
		{"empty paths", "jobs:\n  a:\n    select:\n      paths: []\n    do: [deactivate: {}]\n", []problem{
			{4, 14, `paths: an empty list selects no users`},
		}},
		{"users not a list", "jobs:\n  a:\n    select:\n      users: alice\n    do: [deactivate: {}]\n", []problem{
			{4, 14, `users: want a list of user names or globs, like [a, b], got "alice"`},
		}},
		{"path without slash", "jobs:\n  a:\n    select:\n      paths: [team/]\n    do: [deactivate: {}]\n", []problem{
			{4, 15, `paths: "team/" is not an IAM path`},
		}},
		{"bad glob", "jobs:\n  a:\n    select:\n      users: [\"dev-[\"]\n    do: [deactivate: {}]\n", []problem{
			{4, 15, `users: bad pattern "dev-["`},
		}},
		{"everyone excluded", "jobs:\n  a:\n    select:\n      users: [bob]\n      exclude_users: [\"b*\"]\n    do: [deactivate: {}]\n", []problem{
			{4, 7, `every user in users is also in exclude_users`},
		}},
		{"no do", "jobs:\n  a:\n    schedule: \"0 0 * * *\"\n", []problem{{2, 3, `job "a" has no actions`}}},
		{"empty do", "jobs:\n  a:\n    do: []\n", []problem{{3, 9, `do: want a non-empty list of actions`}}},
		{"unknown action with hint", "jobs:\n  a:\n    do:\n      - deactive: {}\n", []problem{
			{4, 9, `unknown action "deactive" (did you mean deactivate?); want deactivate, delete, report, rotate`},
		}},
		{"unknown action", "jobs:\n  a:\n    do:\n      - expire: {}\n", []problem{
			{4, 9, `unknown action "expire"; want deactivate, delete, report, rotate`},
		}},
		{"action as a plain word", "jobs:\n  a:\n    do:\n      - deactivate\n", []problem{
			{4, 9, `action: want one of deactivate, delete, report, rotate with its settings`},
		}},
		{"delete without inactive_for", "jobs:\n  a:\n    do:\n      - delete: {}\n", []problem{
			{4, 9, `delete needs inactive_for`},
		}},
		{"delete with the wrong condition", "jobs:\n  a:\n    do:\n      - delete: {unused_for: 30d}\n", []problem{
			{4, 9, `delete needs inactive_for`},
			{4, 18, `unknown key "unused_for" in delete; want inactive_for, since_unknown`},
		}},
		{"bad since_unknown", "jobs:\n  a:\n    do:\n      - delete: {inactive_for: 30d, since_unknown: yes}\n", []problem{
			{4, 52, `since_unknown: want delete or skip, got "yes"`},
		}},
		{"report without condition", "jobs:\n  a:\n    do:\n      - report: {}\n", []problem{
			{4, 9, `report needs older_than or unused_for`},
		}},
		{"both conditions", "jobs:\n  a:\n    do:\n      - deactivate: {unused_for: 45d, older_than: 90d}\n", []problem{
			{4, 39, `deactivate: set unused_for or older_than, not both`},
		}},
		// yaml.v3 gives only a line, and for an unclosed bracket the line before the
		// bracket's; the problem says so honestly with no column.
		{"yaml syntax", "jobs:\n  a:\n    do: [deactivate: {}\n", []problem{{2, 0, "invalid YAML: did not find expected ',' or ']'"}}},
		// yaml.v3 names the start of the enclosing block; keywarden names the line to fix.
		{"a tab", "jobs:\n  a:\n\tdo: []\n", []problem{{3, 1, "invalid YAML: a tab in the indentation: tabs are not allowed in YAML; indent with spaces"}}},
		{"an unclosed quote", "jobs:\n  a:\n    schedule: \"0 0 * * *\n    do:\n      - deactivate: {}\n", []problem{{3, 15, "invalid YAML: a quoted string opened here is never closed"}}},
		{"a key on no level", "jobs:\n  a:\n    do:\n      - deactivate: {}\n   select: {users: [a]}\n", []problem{{5, 4, "invalid YAML: this line's indentation lines up with no key above"}}},
		{"two documents", "jobs:\n  a: {do: [deactivate: {}]}\n---\njobs: {}\n", []problem{{3, 1, "a second YAML document"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Load("keywarden.yaml", []byte(c.yaml))
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Load = %v, %v; want a *ValidationError", cfg, err)
			}
			if cfg != nil {
				t.Errorf("Load returned a config along with errors")
			}
			if len(ve.Problems) != len(c.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(ve.Problems), len(c.want), err)
			}
			for i, w := range c.want {
				p := ve.Problems[i]
				if p.File != "keywarden.yaml" || p.Line != w.line || p.Col != w.col || !strings.Contains(p.Msg, w.msg) {
					t.Errorf("problem %d = %s\nwant keywarden.yaml:%d:%d: …%s…", i, p, w.line, w.col, w.msg)
				}
			}
		})
	}
}

// One run must show every problem, one per line, in file order.
func TestLoadCollectsAllProblems(t *testing.T) {
	_, err := Load("keywarden.yaml", []byte(`jobs:
  a:
    schedule: "0 0 * *"
    timezone: Asia/Tokio
    do:
      - delete: {}
  a:
    do: [deactivate: {}]
  b:
    select: {users: []}
    do: [report: {older_than: 9x}]
`))
	want := `keywarden.yaml:3:15: schedule "0 0 * *" has 4 fields; want 5 fields: minute hour day-of-month month day-of-week, like "0 0 * * *"
keywarden.yaml:4:15: unknown time zone "Asia/Tokio" (did you mean Asia/Tokyo?)
keywarden.yaml:6:9: delete needs inactive_for, like delete: {inactive_for: 30d}: keys are deleted a grace period after keywarden deactivated them
keywarden.yaml:7:3: duplicate job name "a" (first at line 2)
keywarden.yaml:10:21: users: an empty list selects no users; list user names or globs, or leave users out to select every user
keywarden.yaml:11:31: older_than: malformed duration "9x": want a duration like 30s, 5m, 24h, 7d, 2w or 1d12h`
	if err == nil || err.Error() != want {
		t.Fatalf("error =\n%v\nwant\n%s", err, want)
	}
}

// YAML anchors let jobs share a selection; Load follows the alias.
func TestLoadFollowsAliases(t *testing.T) {
	cfg, err := Load("k.yaml", []byte(`jobs:
  a:
    select: &ops {users: [bob], exclude_tags: {keep: "yes"}}
    do: [deactivate: {}]
  b:
    select: *ops
    do: [report: {older_than: 90d}]
`))
	if err != nil {
		t.Fatal(err)
	}
	b := cfg.Jobs[1].Select
	if len(b.Users) != 1 || b.Users[0] != "bob" || b.ExcludeTags["keep"] != "yes" {
		t.Fatalf("job b select = %+v, want the anchored selection", b)
	}
}

func TestLoadGraceNew(t *testing.T) {
	cfg, err := Load("k.yaml", []byte("jobs:\n  a:\n    do:\n      - deactivate: {unused_for: 2d, grace_new: 7d}\n      - report: {unused_for: 45d, grace_new: 0d}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Jobs[0].Rules[0].String() + "|" + cfg.Jobs[0].Rules[1].String(); got != "deactivate unused_for=2d grace_new=7d|report unused_for=45d" {
		t.Errorf("rules = %s", got)
	}
}

func TestNeedsReadsOnlyWhatRulesDecideOn(t *testing.T) {
	for _, tc := range []struct {
		name, yaml     string
		lastUsed, tags bool
	}{
		{"curfew", "jobs:\n  c:\n    do:\n      - deactivate: {}\n", false, false},
		{"unused", "jobs:\n  c:\n    do:\n      - report: {unused_for: 45d}\n", true, false},
		{"older", "jobs:\n  c:\n    do:\n      - deactivate: {older_than: 90d}\n", false, false},
		{"delete", "jobs:\n  c:\n    do:\n      - delete: {inactive_for: 30d}\n", false, true},
		{"exclude tags", "jobs:\n  c:\n    select: {exclude_tags: {a: b}}\n    do:\n      - deactivate: {}\n", false, true},
		{"warn remembers in a tag", "jobs:\n  c:\n    do:\n      - deactivate: {older_than: 90d, warn: 7d}\n", false, true},
		{"a rotation is a tag, finishing it a last use", "jobs:\n  c:\n    select: {users: [svc-ci]}\n    do:\n      - rotate: {older_than: 80d, to: [\"ssm:/ci\"]}\n", true, true},
		{"owners are tags", "notify: {fallback: a@example.com}\njobs:\n  c:\n    do:\n      - deactivate: {}\n", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Load("k.yaml", []byte(tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			if r := cfg.Needs(nil); r.LastUsed != tc.lastUsed || r.Tags != tc.tags {
				t.Fatalf("Needs = %+v; want last use %v, tags %v", r, tc.lastUsed, tc.tags)
			}
		})
	}
}
