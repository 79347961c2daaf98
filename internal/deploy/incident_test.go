package deploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const incidentYAML = `incident: {health: true, guardduty: true, quarantine: true}
jobs:
  curfew:
    schedule: "0 22 * * *"
    select: {users: [dev]}
    do: [{deactivate: {}}]
`

// matches is EventBridge's pattern matching as far as the rules use it: every field of the
// pattern must be in the event; a list in the pattern matches a value equal to one of its
// members (or, for a list in the event, any member of it); a mapping descends.
func matches(pattern, event any) bool {
	switch p := pattern.(type) {
	case map[string]any:
		e, ok := event.(map[string]any)
		if !ok {
			return false
		}
		for k, pv := range p {
			ev, ok := e[k]
			if !ok || !matches(pv, ev) {
				return false
			}
		}
		return true
	case []any:
		values := []any{event}
		if l, ok := event.([]any); ok {
			values = l
		}
		for _, want := range p {
			for _, v := range values {
				if _, isMap := v.(map[string]any); !isMap && want == v {
					return true
				}
			}
		}
	}
	return false
}

func TestIncidentRulesMatchTheFixtures(t *testing.T) {
	cfg, data := mustLoad(t, incidentYAML)
	_, m := render(t, Options{Config: cfg, ConfigYAML: data})
	res := dig(t, m, "Resources").(map[string]any)
	want := map[string][]string{
		HealthRuleID:    {"health-exposed.json", "health-exposed-metadata.json"},
		GuardDutyRuleID: {"guardduty-iamuser.json", "guardduty-role.json", "guardduty-root.json", "guardduty-nokey.json"},
	}
	dir := filepath.Join("..", "lambda", "testdata", "events")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) < 8 {
		t.Fatalf("fixtures: %v %v", files, err)
	}
	for rule, matching := range want {
		// The pattern as EventBridge gets it: the template's YAML read back, through JSON.
		var pattern any
		b, _ := json.Marshal(dig(t, res, rule, "Properties", "EventPattern"))
		json.Unmarshal(b, &pattern)
		for _, f := range files {
			raw, _ := os.ReadFile(f)
			var ev any
			if err := json.Unmarshal(raw, &ev); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			name := filepath.Base(f)
			if got := matches(pattern, ev); got != slices.Contains(matching, name) {
				t.Errorf("rule %s on %s: matched = %v", rule, name, got)
			}
		}
		if got := dig(t, res, rule, "Properties", "Targets", 0, "Arn", "Fn::GetAtt", 0); got != FunctionID {
			t.Errorf("rule %s targets %v", rule, got)
		}
		if _, ok := dig(t, res, rule, "Properties").(map[string]any)["EventBusName"]; ok {
			t.Errorf("rule %s is not on the default bus", rule)
		}
	}
	for perm, rule := range map[string]string{HealthPermissionID: HealthRuleID, GuardDutyPermissionID: GuardDutyRuleID} {
		if dig(t, res, perm, "Properties", "Principal") != "events.amazonaws.com" || dig(t, res, perm, "Properties", "SourceArn", "Fn::GetAtt", 0) != rule {
			t.Errorf("permission %s: %v", perm, dig(t, res, perm))
		}
	}
	b, _ := json.Marshal(dig(t, res, FunctionRoleID, "Properties", "Policies"))
	if !strings.Contains(string(b), `"PolicyName":"`+incidentPolicyName+`"`) || !strings.Contains(string(b), "iam:UpdateAccessKey") || !strings.Contains(string(b), "iam:PutUserPolicy") {
		t.Errorf("the function role lacks the response's permissions: %s", b)
	}

	// Each rule only when asked for; no incident: block, no rule and no policy.
	cfg, data = mustLoad(t, strings.Replace(incidentYAML, "guardduty: true, quarantine: true", "guardduty: false", 1))
	_, m = render(t, Options{Config: cfg, ConfigYAML: data})
	res = dig(t, m, "Resources").(map[string]any)
	if _, ok := res[GuardDutyRuleID]; ok || res[HealthRuleID] == nil {
		t.Errorf("guardduty: false still has its rule, or health lost its: %v", res)
	}
	b, _ = json.Marshal(res[FunctionRoleID])
	if strings.Contains(string(b), "iam:PutUserPolicy") {
		t.Errorf("quarantine is off, yet the role may put user policies")
	}
	cfg, data = mustLoad(t, incidentYAML[strings.Index(incidentYAML, "jobs:"):])
	_, m = render(t, Options{Config: cfg, ConfigYAML: data})
	b, _ = json.Marshal(m)
	if strings.Contains(string(b), "AWS::Events::Rule") || strings.Contains(string(b), incidentPolicyName) {
		t.Errorf("no incident: block, yet the template has its pieces")
	}
}

func TestIncidentMatcherRefuses(t *testing.T) {
	p := map[string]any{"source": []any{"aws.health"}, "detail": map[string]any{"eventTypeCode": []any{"X"}}}
	for _, ev := range []map[string]any{
		{"source": "aws.health"},
		{"source": "aws.health", "detail": map[string]any{"eventTypeCode": "Y"}},
		{"source": "aws.health", "detail": "X"},
	} {
		if matches(p, ev) {
			t.Errorf("matched %v", ev)
		}
	}
	if !matches(p, map[string]any{"source": "aws.health", "detail": map[string]any{"eventTypeCode": []any{"Z", "X"}}}) {
		t.Errorf("a list in the event matches any member")
	}
}

// In an organization the response runs in the member account through its role: the role
// org bootstrap deploys must carry the response's permissions when incident: is set.
func TestMemberRoleCarriesTheResponse(t *testing.T) {
	for _, c := range []struct {
		yaml string
		want bool
	}{
		{"incident: {guardduty: true}\n" + orgCurfewWarn, true},
		{orgCurfewWarn, false},
	} {
		cfg, _ := mustLoad(t, c.yaml)
		tpl, err := MemberRole(cfg, "111122223333")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(tpl.Resources[MemberRoleID])
		if got := strings.Contains(string(b), incidentPolicyName) && strings.Contains(string(b), "iam:UpdateAccessKey"); got != c.want {
			t.Errorf("incident: %v, member role has the response's permissions: %v", c.want, got)
		}
	}
}
