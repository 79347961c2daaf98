package permissions

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/policy"
)

// iamMatch is IAM's resource matching: * is any run of characters (across "/"), ? one.
func iamMatch(pattern, arn string) bool {
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(pattern)) + "$"
	return regexp.MustCompile(re).MatchString(arn)
}

func allows(d Document, action, arn string) bool {
	for _, s := range d.Statement {
		if !slices.Contains(s.Action, action) {
			continue
		}
		for _, r := range s.Resource {
			if iamMatch(r, arn) {
				return true
			}
		}
	}
	return false
}

func load(t *testing.T, yaml string) *policy.Config {
	t.Helper()
	cfg, err := policy.Load("k.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

const acct = "123456789012"

func arn(pathAndName string) string { return "arn:aws:iam::" + acct + ":user" + pathAndName }

func TestForJobsNarrowsToWhatTheJobsTouch(t *testing.T) {
	cases := []struct {
		name    string
		yaml    string
		allowed map[string][]string // action -> ARNs it must reach
		denied  map[string][]string // action -> ARNs it must not reach
		absent  []string            // actions not in the policy at all
	}{
		{
			name: "curfew on one user by name",
			yaml: "jobs:\n  curfew:\n    select: {users: [alice]}\n    do: [deactivate: {}]\n",
			allowed: map[string][]string{
				"iam:GetUser":         {arn("/alice"), arn("/team/a/alice")},
				"iam:ListAccessKeys":  {arn("/alice")},
				"iam:UpdateAccessKey": {arn("/alice"), arn("/team/alice")},
				"iam:TagUser":         {arn("/alice")},
				"iam:UntagUser":       {arn("/alice")},
			},
			denied: map[string][]string{
				"iam:UpdateAccessKey": {arn("/bob"), arn("/malice"), arn("/team/malice"), arn("/alice2")},
				"iam:ListAccessKeys":  {arn("/bob")},
			},
			absent: []string{"iam:ListUsers", "iam:DeleteAccessKey"},
		},
		{
			name: "hygiene under a path",
			yaml: "jobs:\n  h:\n    select: {paths: [/team/]}\n    do: [deactivate: {unused_for: 45d}, delete: {inactive_for: 30d}]\n",
			allowed: map[string][]string{
				"iam:ListUsers":       {"*"},
				"iam:ListAccessKeys":  {arn("/bob"), arn("/team/x")}, // the read covers every user
				"iam:UpdateAccessKey": {arn("/team/x"), arn("/team/sub/y")},
				"iam:DeleteAccessKey": {arn("/team/x")},
			},
			denied: map[string][]string{
				"iam:UpdateAccessKey": {arn("/bob"), arn("/other/team/x")},
				"iam:DeleteAccessKey": {arn("/bob")},
				"iam:TagUser":         {arn("/bob")},
			},
			absent: []string{"iam:GetUser"},
		},
		{
			name: "report only",
			yaml: "jobs:\n  r:\n    do: [report: {older_than: 90d}]\n",
			allowed: map[string][]string{
				"iam:ListUsers": {"*"}, "iam:GetAccessKeyLastUsed": {arn("/x")}, "iam:ListUserTags": {arn("/x")},
			},
			absent: []string{"iam:GetUser", "iam:UpdateAccessKey", "iam:DeleteAccessKey", "iam:TagUser", "iam:UntagUser"},
		},
		{
			name:    "glob keeps its shape",
			yaml:    "jobs:\n  ci:\n    select: {users: [ci-*]}\n    do: [deactivate: {}]\n",
			allowed: map[string][]string{"iam:UpdateAccessKey": {arn("/ci-build"), arn("/bots/ci-x")}},
			denied:  map[string][]string{"iam:UpdateAccessKey": {arn("/bob"), arn("/xci-1")}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := ForJobs(load(t, c.yaml), nil, acct)
			if err != nil {
				t.Fatal(err)
			}
			for a, arns := range c.allowed {
				for _, r := range arns {
					if !allows(d, a, r) {
						t.Errorf("%s not allowed on %s:\n%s", a, r, d.JSON())
					}
				}
			}
			for a, arns := range c.denied {
				for _, r := range arns {
					if allows(d, a, r) {
						t.Errorf("%s allowed on %s:\n%s", a, r, d.JSON())
					}
				}
			}
			for _, a := range c.absent {
				if slices.Contains(d.Actions(), a) {
					t.Errorf("%s granted but not used:\n%s", a, d.JSON())
				}
			}
		})
	}
}

func TestForJobsOneJobAndBadInput(t *testing.T) {
	cfg := load(t, "jobs:\n  a:\n    select: {users: [alice]}\n    do: [deactivate: {}]\n  b:\n    do: [delete: {inactive_for: 30d}]\n")
	d, err := ForJobs(cfg, []string{"a"}, "*")
	if err != nil || slices.Contains(d.Actions(), "iam:DeleteAccessKey") || slices.Contains(d.Actions(), "iam:ListUsers") {
		t.Fatalf("job a alone: %v\n%s", err, d.JSON())
	}
	if !allows(d, "iam:UpdateAccessKey", "arn:aws:iam::999999999999:user/alice") {
		t.Errorf("account * should reach any account:\n%s", d.JSON())
	}
	if _, err := ForJobs(cfg, []string{"c"}, "*"); err == nil || !strings.Contains(err.Error(), `no job "c"`) {
		t.Errorf("unknown job: %v", err)
	}
	if _, err := ForJobs(cfg, nil, "12345"); err == nil {
		t.Error("a 5-digit account was accepted")
	}
}

func TestSelfRotateReachesOnlyTheCaller(t *testing.T) {
	d := SelfRotate()
	self := func(r string) string { return strings.ReplaceAll(r, "${aws:username}", "dev") }
	reaches := func(arn string) bool {
		for _, s := range d.Statement {
			for _, r := range s.Resource {
				if iamMatch(self(r), arn) {
					return true
				}
			}
		}
		return false
	}
	for arn, want := range map[string]bool{
		"arn:aws:iam::123456789012:user/dev":               true,
		"arn:aws:iam::123456789012:user/team/dev":          true, // the caller under an IAM path
		"arn:aws:iam::123456789012:user/someone-else":      false,
		"arn:aws:iam::123456789012:user/team/someone-else": false,
		"arn:aws:iam::123456789012:user/devops":            false,
		"arn:aws:iam::123456789012:user/team/not-dev":      false,
	} {
		if got := reaches(arn); got != want {
			t.Errorf("self-rotate policy for dev reaches %s: %v, want %v", arn, got, want)
		}
	}
}

// A webhook URL kept by reference is readable by the jobs' policy (and so by the Lambda's
// role), exactly that parameter or secret; a literal URL adds nothing.
func TestForJobsReadsTheWebhookURLByReference(t *testing.T) {
	jobs := "jobs: {a: {select: {users: [dev]}, do: [deactivate: {}]}}\n"
	cases := []struct {
		url, action, arn, other string
	}{
		{"ssm:/keywarden/webhook", "ssm:GetParameter", "arn:aws:ssm:us-east-1:123456789012:parameter/keywarden/webhook",
			"arn:aws:ssm:us-east-1:123456789012:parameter/keywarden/other"},
		{"secretsmanager:keywarden/webhook", "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:123456789012:secret:keywarden/webhook-AbCdEf",
			"arn:aws:secretsmanager:us-east-1:123456789012:secret:keywarden/other-AbCdEf"},
	}
	for _, c := range cases {
		d, err := ForJobs(load(t, "notify: {webhook: {url: \""+c.url+"\"}}\n"+jobs), nil, "123456789012")
		if err != nil {
			t.Fatal(err)
		}
		if !allows(d, c.action, c.arn) || allows(d, c.action, c.other) {
			t.Errorf("%s: policy %+v; want %s on %s only", c.url, d, c.action, c.arn)
		}
	}
	d, err := ForJobs(load(t, "notify: {webhook: {url: \"https://hooks.example.com/x\"}}\n"+jobs), nil, "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range d.Statement {
		if s.Sid == SidWebhookURL {
			t.Errorf("a literal URL got %+v", s)
		}
	}
}

// respond may meet any user's key; containment's calls are granted only when it quarantines.
func TestRespondGrantsQuarantineOnlyWhenUsed(t *testing.T) {
	plain := Document{Statement: Respond(acct, false)}
	if !allows(plain, "iam:UpdateAccessKey", arn("/team/anyone")) || !allows(plain, "iam:TagUser", arn("/anyone")) {
		t.Fatalf("respond cannot deactivate and record: %s", plain.JSON())
	}
	if allows(plain, "iam:PutUserPolicy", arn("/anyone")) || allows(plain, "iam:GetPolicy", ManagedQuarantineARN) {
		t.Fatalf("respond without --quarantine is granted containment: %s", plain.JSON())
	}
	q := Document{Statement: Respond(acct, true)}
	if !allows(q, "iam:PutUserPolicy", arn("/anyone")) || !allows(q, "iam:AttachUserPolicy", arn("/anyone")) || !allows(q, "iam:GetPolicy", ManagedQuarantineARN) {
		t.Fatalf("respond --quarantine lacks containment: %s", q.JSON())
	}
}
