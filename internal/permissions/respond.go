package permissions

// ManagedQuarantineARN is AWS's managed policy for a user whose key was exposed.
const ManagedQuarantineARN = "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3"

// Respond is what keywarden respond needs beyond a config's jobs: finding the key's owner,
// deactivating it under the record protocol, and with --quarantine (quarantine true) putting
// the deny-all inline policy on the user and attaching AWS's managed quarantine policy (read
// first, to know whether the account has it). A leaked key may be any user's, so the resource
// is every user of the account. A replacement is the rotate rule's, granted by ForJobs.
// cloudtrail:LookupEvents reads what the key did; it has no resource but "*".
func Respond(account string, quarantine bool) []Statement {
	actions := []string{
		"iam:GetAccessKeyLastUsed", "iam:GetUser", "iam:ListAccessKeys", "iam:ListUserTags",
		"iam:TagUser", "iam:UntagUser", "iam:UpdateAccessKey",
	}
	history := allow("KeywardenRespondHistory", []string{"*"}, "cloudtrail:LookupEvents")
	if !quarantine {
		return []Statement{allow("KeywardenRespond", []string{userARN(account, "/*")}, actions...), history}
	}
	actions = append(actions, "iam:PutUserPolicy", "iam:AttachUserPolicy")
	return []Statement{
		allow("KeywardenRespond", []string{userARN(account, "/*")}, actions...),
		allow("KeywardenRespondQuarantinePolicy", []string{ManagedQuarantineARN}, "iam:GetPolicy"),
		history,
	}
}
