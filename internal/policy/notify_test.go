package policy

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
)

func TestLoadNotify(t *testing.T) {
	cfg, err := Load("k.yaml", []byte(`notify:
  owner_tag: team-owner
  fallback: security@example.com
  security: soc@example.com
  email: {from: keywarden@example.com}
  sns: {topic_arn: arn:aws:sns:us-east-1:123456789012:keywarden}
  webhook: {url: "https://hooks.example.com/services/T/B/x"}
jobs:
  hygiene:
    do:
      - deactivate: {older_than: 90d, warn: 7d}
      - delete: {inactive_for: 30d, warn: 3d}
`))
	if err != nil {
		t.Fatal(err)
	}
	n := cfg.Notify
	if n == nil || n.OwnerTag != "team-owner" || n.Fallback != "security@example.com" || n.Security != "soc@example.com" || n.EmailFrom != "keywarden@example.com" ||
		n.SNSTopicARN != "arn:aws:sns:us-east-1:123456789012:keywarden" || n.WebhookURL != "https://hooks.example.com/services/T/B/x" {
		t.Fatalf("notify = %+v", n)
	}
	if r := cfg.Jobs[0].Rules; r[0].Warn != Duration(7*24*time.Hour) || r[1].Warn != Duration(3*24*time.Hour) {
		t.Fatalf("warn = %v, %v", r[0].Warn, r[1].Warn)
	}
	if d, _ := Load("k.yaml", []byte("notify: {fallback: a@b.c}\njobs: {a: {do: [deactivate: {}]}}\n")); d.Notify.OwnerTag != DefaultOwnerTag {
		t.Fatalf("owner_tag defaults to %q, got %q", DefaultOwnerTag, d.Notify.OwnerTag)
	}
}

func TestLoadNotifyErrors(t *testing.T) {
	jobs := "jobs: {a: {do: [deactivate: {older_than: 90d}]}}\n"
	cases := []struct{ name, yaml, want string }{
		{"email without from", "notify: {email: {}}\n" + jobs, "1:10: notify.email needs from"},
		{"from is no address", "notify: {email: {from: keywarden}}\n" + jobs, `notify.email.from "keywarden": want an email address`},
		{"bad topic", "notify: {sns: {topic_arn: keywarden}}\n" + jobs, "want an SNS topic ARN"},
		{"webhook not http", "notify: {webhook: {url: \"ftp://x/SECRETPATH\"}}\n" + jobs, "notify.webhook.url: want an http(s) URL"},
		{"webhook ref without a name", "notify: {webhook: {url: \"ssm:\"}}\n" + jobs, "want ssm:NAME, secretsmanager:SECRET_ID or an http(s) URL"},
		{"webhook ref with a bad name", "notify: {webhook: {url: \"secretsmanager:a b\"}}\n" + jobs, "want ssm:NAME"},
		{"two security contacts", "notify: {security: \"a@b.c, d@e.f\"}\n" + jobs, `notify.security "a@b.c, d@e.f": want one email address`},
		{"unknown channel", "notify: {slack: {url: x}}\n" + jobs, `unknown key "slack" in notify`},
		{"warn on a report", "jobs: {a: {do: [report: {older_than: 90d, warn: 7d}]}}\n", "report: warn does not apply"},
		{"curfew warn without a schedule", "jobs: {a: {do: [deactivate: {warn: 1h}]}}\n", "job \"a\" has no schedule"},
		{"curfew warn of a day", "jobs: {a: {schedule: \"0 0 * * *\", do: [deactivate: {warn: 1d}]}}\n", "must be under a day"},
		{"warn of nothing", "jobs: {a: {do: [deactivate: {older_than: 90d, warn: 0d}]}}\n", "warn: 0d warns of nothing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load("k.yaml", []byte(c.yaml))
			var ve *ValidationError
			if !errors.As(err, &ve) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want …%s…", err, c.want)
			}
			if strings.Contains(err.Error(), "SECRETPATH") {
				t.Errorf("the error echoes the webhook URL: %v", err)
			}
		})
	}
}

func TestEvaluateWarnsAheadOnce(t *testing.T) {
	created := ago(85 * 24 * time.Hour)
	cfg := oneJob(Rule{Kind: Deactivate, OlderThan: Duration(90 * 24 * time.Hour), Warn: Duration(7 * 24 * time.Hour)},
		Rule{Kind: Delete, InactiveFor: Duration(30 * 24 * time.Hour), SinceUnknown: SinceUnknownSkip, Warn: Duration(3 * 24 * time.Hour)})
	inv := keys.Inventory{Users: []keys.User{
		user("soon", nil, activeKey("AKIASOON", created, nil)),                                                                                  // 90d in 5 days: warned
		user("later", nil, activeKey("AKIALATER", ago(10*24*time.Hour), nil)),                                                                   // 90d in 80 days: not yet
		user("now", nil, activeKey("AKIANOW", ago(95*24*time.Hour), nil)),                                                                       // acted on, not warned
		user("gone", map[string]keys.Record{"AKIAGONE": deactivated(ago(28 * 24 * time.Hour))}, inactiveKey("AKIAGONE", ago(200*24*time.Hour))), // deleted in 2 days
	}}
	p, err := Evaluate(inv, cfg, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Actions) != 1 || p.Actions[0].AccessKeyID != "AKIANOW" {
		t.Fatalf("actions %s", render(p))
	}
	if len(p.Warnings) != 2 {
		t.Fatalf("warnings %+v, want AKIAGONE and AKIASOON", p.Warnings)
	}
	byKey := map[string]Warning{}
	for _, w := range p.Warnings {
		byKey[w.AccessKeyID] = w
	}
	soon, gone := byKey["AKIASOON"], byKey["AKIAGONE"]
	// Due to the minute: when the key crosses its limit.
	if want := created.Add(90 * 24 * time.Hour); soon.Kind != Deactivate || soon.Due.Before(want) || soon.Due.Sub(want) > time.Minute {
		t.Errorf("AKIASOON warning %+v, want deactivate due %s", soon, want)
	}
	if want := ago(28 * 24 * time.Hour).Add(30 * 24 * time.Hour); gone.Kind != Delete || gone.Due.Before(want) || gone.Due.Sub(want) > time.Minute {
		t.Errorf("AKIAGONE warning %+v, want delete due %s", gone, want)
	}
	if soon.Job != "j" || !strings.Contains(soon.Reason, "limit 90d") {
		t.Errorf("warning names job %q, reason %q", soon.Job, soon.Reason)
	}
}

func TestEvaluateDoesNotWarnTwice(t *testing.T) {
	cfg := oneJob(Rule{Kind: Deactivate, OlderThan: Duration(90 * 24 * time.Hour), Warn: Duration(7 * 24 * time.Hour)})
	soon := func() keys.User { return user("soon", nil, activeKey("AKIASOON", ago(85*24*time.Hour), nil)) }
	for _, c := range []struct {
		u    keys.User
		want int
	}{
		{soon(), 1},
		{withTag(soon(), keys.WarnedTag, "AKIASOON=j/deactivate"), 0},
		{withTag(soon(), keys.WarnedTag, "AKIASOON=otherjob/deactivate"), 1},
	} {
		p, _ := Evaluate(keys.Inventory{Users: []keys.User{c.u}}, cfg, nil, now)
		if len(p.Warnings) != c.want {
			t.Errorf("tag %q: %d warnings, want %d", c.u.Tags[keys.WarnedTag], len(p.Warnings), c.want)
		}
	}
}

func TestWebhookByReference(t *testing.T) {
	jobs := "jobs: {a: {do: [deactivate: {older_than: 90d}]}}\n"
	for _, url := range []string{"ssm:/keywarden/webhook", "secretsmanager:keywarden/webhook"} {
		cfg, err := Load("k.yaml", []byte("notify: {webhook: {url: \""+url+"\"}}\n"+jobs))
		if err != nil || cfg.Notify.WebhookURL != url {
			t.Fatalf("%s: %v, %+v", url, err, cfg)
		}
		if WebhookHasToken(url) {
			t.Errorf("WebhookHasToken(%q): a reference holds no token", url)
		}
	}
	for url, want := range map[string]bool{
		"https://hooks.slack.com/services/T0/B0/xyz": true,
		"https://example.com/hook?token=abc":         true,
		"https://example.com":                        false,
		"https://example.com/":                       false,
	} {
		if got := WebhookHasToken(url); got != want {
			t.Errorf("WebhookHasToken(%q) = %v, want %v", url, got, want)
		}
	}
}
