package contract

// The AWS events the function answers as an incident (keywarden.yaml's incident: block), and
// the EventBridge patterns the template's rules match them with. They live here because the
// rule (deploy) and the parser (lambda) must agree on them.
const (
	HealthSource     = "aws.health"
	HealthDetailType = "AWS Health Event"
	// HealthExposed is AWS Health's event for an access key found in public (a repository, a
	// paste site).
	HealthExposed = "AWS_RISK_CREDENTIALS_EXPOSED"

	GuardDutySource     = "aws.guardduty"
	GuardDutyDetailType = "GuardDuty Finding"
	// GuardDutyAccessKey is the finding's resource type when it is about an access key; only
	// an IAM user's (accessKeyDetails.userType IAMUser) is one keywarden can deactivate.
	GuardDutyAccessKey = "AccessKey"
)

// HealthPattern is the EventBridge pattern of the exposed-key Health event.
func HealthPattern() map[string]any {
	return map[string]any{
		"source":      []string{HealthSource},
		"detail-type": []string{HealthDetailType},
		"detail":      map[string]any{"eventTypeCode": []string{HealthExposed}},
	}
}

// GuardDutyPattern is the EventBridge pattern of GuardDuty's access-key findings. Findings
// about a root, role or federated principal's key match too: the function says why it leaves
// those alone, which a narrower pattern would hide.
func GuardDutyPattern() map[string]any {
	return map[string]any{
		"source":      []string{GuardDutySource},
		"detail-type": []string{GuardDutyDetailType},
		"detail":      map[string]any{"resource": map[string]any{"resourceType": []string{GuardDutyAccessKey}}},
	}
}
