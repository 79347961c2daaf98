package deploy

import (
	"github.com/keywarden/keywarden/internal/lambda/contract"
	"github.com/keywarden/keywarden/internal/permissions"
	"github.com/keywarden/keywarden/internal/policy"
)

// Logical ids of the incident: block's resources.
const (
	HealthRuleID            = "IncidentHealthRule"
	HealthPermissionID      = "IncidentHealthInvoke"
	GuardDutyRuleID         = "IncidentGuardDutyRule"
	GuardDutyPermissionID   = "IncidentGuardDutyInvoke"
	incidentPolicyName      = "keywarden-incident"
	incidentRuleDescription = "keywarden: answer a leaked access key with keywarden respond's response ("
)

type eventRule struct {
	Description  string         `yaml:"Description"`
	EventPattern map[string]any `yaml:"EventPattern"`
	State        string         `yaml:"State"`
	Targets      []ruleTarget   `yaml:"Targets"`
}

type ruleTarget struct {
	ID  string `yaml:"Id"`
	Arn any    `yaml:"Arn"`
}

// addIncident puts the incident: block's rules on the default event bus (where AWS Health
// and GuardDuty deliver), lets EventBridge invoke the function for exactly those rules, and
// gives the function what a response needs beyond the jobs' permissions (the rotate rules'
// replacement and the notices are the jobs' already).
func addIncident(in *policy.Incident, res map[string]Resource, fnRole *role) {
	if in == nil {
		return
	}
	add := func(ruleID, permID, what string, pattern map[string]any) {
		res[ruleID] = Resource{Type: "AWS::Events::Rule", Properties: eventRule{
			Description:  incidentRuleDescription + what + ")",
			EventPattern: pattern,
			State:        "ENABLED",
			Targets:      []ruleTarget{{ID: "keywarden", Arn: getAtt(FunctionID, "Arn")}},
		}}
		res[permID] = Resource{Type: "AWS::Lambda::Permission", Properties: lambdaPermission{
			Action: "lambda:InvokeFunction", FunctionName: getAtt(FunctionID, "Arn"),
			Principal: "events.amazonaws.com", SourceArn: getAtt(ruleID, "Arn"),
		}}
	}
	if in.Health {
		add(HealthRuleID, HealthPermissionID, "AWS Health "+contract.HealthExposed, contract.HealthPattern())
	}
	if in.GuardDuty {
		add(GuardDutyRuleID, GuardDutyPermissionID, "GuardDuty findings about an access key", contract.GuardDutyPattern())
	}
	fnRole.Policies = append(fnRole.Policies, inlinePolicy{PolicyName: incidentPolicyName,
		PolicyDocument: fromPermissions(incidentDoc(in))})
}

func incidentDoc(in *policy.Incident) permissions.Document {
	return permissions.Document{Version: "2012-10-17", Statement: permissions.Respond(accountSentinel, in.Quarantine)}
}
