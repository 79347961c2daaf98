package policy

import (
	"errors"
	"strings"
	"testing"
)

func TestLoadIncident(t *testing.T) {
	jobs := "jobs: {a: {do: [deactivate: {older_than: 90d}]}}\n"
	cfg, err := Load("k.yaml", []byte("incident: {health: true, guardduty: true, quarantine: true, reason_prefix: prod}\n"+jobs))
	if err != nil {
		t.Fatal(err)
	}
	if in := cfg.Incident; in == nil || !in.Health || !in.GuardDuty || !in.Quarantine || in.ReasonPrefix != "prod" {
		t.Fatalf("incident = %+v", cfg.Incident)
	}
	if cfg, _ := Load("k.yaml", []byte(jobs)); cfg.Incident != nil {
		t.Fatalf("no incident: block, got %+v", cfg.Incident)
	}
	for _, c := range []struct{ name, yaml, want string }{
		{"answers nothing", "incident: {quarantine: true}\n", "1:1: incident: answers no event"},
		{"answers nothing, all off", "incident: {health: false}\n", "incident: answers no event"},
		{"not a bool", "incident: {health: yes-please}\n", "incident.health: want true or false"},
		{"unknown key", "incident: {securityhub: true}\n", `unknown key "securityhub" in incident`},
		{"long prefix", "incident: {health: true, reason_prefix: " + strings.Repeat("x", 33) + "}\n", "incident.reason_prefix"},
	} {
		_, err := Load("k.yaml", []byte(c.yaml+jobs))
		var ve *ValidationError
		if !errors.As(err, &ve) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want …%s…", c.name, err, c.want)
		}
	}
}
