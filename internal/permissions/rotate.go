package permissions

import (
	"slices"
	"strings"

	"github.com/keywarden/keywarden/internal/policy"
)

// Statement ids of a rotate rule's grants.
const (
	SidRotate         = "RotateKeys"
	SidSecretsManager = "DeliverToSecretsManager"
	SidSSM            = "DeliverToSSM"
	SidKMS            = "EncryptWithKMS"
)

// DestinationActions are what each destination kind calls (internal/sink; its Actions methods
// say the same, and a test holds the two together). profile: and exec: are local.
var DestinationActions = map[string][]string{
	"secretsmanager": {"secretsmanager:CreateSecret", "secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue",
		"secretsmanager:PutSecretValue", "secretsmanager:TagResource", "secretsmanager:UpdateSecretVersionStage"},
	"ssm": {"ssm:GetParameter", "ssm:PutParameter"},
}

// KMSActions are what a destination needs of its kms_key_id: Secrets Manager asks for a data
// key to encrypt and decrypts to read a version back; SSM also encrypts directly.
var KMSActions = map[string][]string{
	"secretsmanager": {"kms:Decrypt", "kms:GenerateDataKey"},
	"ssm":            {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"},
}

// rotationGrants gathers what the rotate rules of the chosen jobs need, as svcrotate calls it:
// on the users, iam:CreateAccessKey, iam:UpdateAccessKey
// (retiring the old key) and iam:DeleteAccessKey (make_room, and a key whose secret was lost
// after an unanswered create); the state and provenance tags join RecordProvenance; on the
// destinations, their kind's actions; on the KMS key, its actions only when one is given. No
// iam:GetUser: each rotation is handed the ARN the job's read found (exact names are read with
// GetUser there, and granted by the read's own statement).
type rotationGrants struct {
	users, secrets, params, keys []string
	kms                          []string
}

func (g *rotationGrants) add(j policy.Job, r policy.Rule, account string) {
	g.users = append(g.users, scope(j.Select, account)...)
	for _, d := range r.To {
		kind, name, _ := strings.Cut(d, ":")
		for _, n := range destNames(j.Select, name) {
			switch kind {
			case "secretsmanager":
				// Secrets Manager appends "-" and six random characters to a secret's ARN.
				g.secrets = append(g.secrets, "arn:aws:secretsmanager:*:"+account+":secret:"+n+"-??????")
			case "ssm":
				g.params = append(g.params, "arn:aws:ssm:*:"+account+":parameter/"+strings.TrimPrefix(n, "/"))
			}
		}
		if r.KMSKeyID != "" && KMSActions[kind] != nil {
			g.keys = append(g.keys, kmsARN(r.KMSKeyID, account))
			g.kms = append(g.kms, KMSActions[kind]...)
		}
	}
}

func (g *rotationGrants) statements() []Statement {
	if len(g.users) == 0 {
		return nil
	}
	ss := []Statement{allow(SidRotate, g.users, "iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:UpdateAccessKey")}
	if len(g.secrets) > 0 {
		ss = append(ss, allow(SidSecretsManager, g.secrets, DestinationActions["secretsmanager"]...))
	}
	if len(g.params) > 0 {
		ss = append(ss, allow(SidSSM, g.params, DestinationActions["ssm"]...))
	}
	if len(g.keys) > 0 {
		a := slices.Clone(g.kms)
		slices.Sort(a)
		ss = append(ss, allow(SidKMS, g.keys, slices.Compact(a)...))
	}
	return ss
}

// destNames are the names a destination takes for the users a selector can reach: {user} is
// each exact name or */? glob, and "*" for anything wider.
func destNames(s policy.Selector, name string) []string {
	if !strings.Contains(name, "{user}") {
		return []string{name}
	}
	if len(s.Users) == 0 || len(s.Paths) > 0 {
		return []string{policy.ExpandUser(name, "*")}
	}
	var out []string
	for _, u := range s.Users {
		if strings.ContainsAny(u, `[\`) {
			u = "*"
		}
		out = append(out, policy.ExpandUser(name, u))
	}
	return out
}

// kmsARN is the key a kms_key_id names. An alias cannot be a Resource for KMS's cryptographic
// calls (IAM matches the key's ARN), so an alias grants the account's keys.
func kmsARN(id, account string) string {
	switch {
	case strings.HasPrefix(id, "arn:"):
		return id
	case strings.HasPrefix(id, "alias/"):
		return "arn:aws:kms:*:" + account + ":key/*"
	}
	return "arn:aws:kms:*:" + account + ":key/" + id
}

// SidRotationFunction* are the statements of SecretsManagerRotation.
const (
	SidRotationFunctionUsers   = "RotateTheSecretsUsers"
	SidRotationFunctionSecrets = "StageAndMoveTheSecrets"
)

// SecretsManagerRotation is what keywarden as a Secrets Manager rotation function needs to
// rotate the keys of users (names or */? globs): the service rotation's IAM actions on those
// users, and the staging calls on the secrets whose keywarden:user tag names one of them.
// A secret's tag, not its name, says whose key it holds, so the secrets are matched by tag.
func SecretsManagerRotation(users []string, account string) Document {
	return Document{Version: "2012-10-17", Statement: []Statement{
		allow(SidRotationFunctionUsers, exactARNs(account, users), "iam:CreateAccessKey", "iam:DeleteAccessKey",
			"iam:GetAccessKeyLastUsed", "iam:GetUser", "iam:ListAccessKeys", "iam:ListUserTags", "iam:TagUser",
			"iam:UntagUser", "iam:UpdateAccessKey"),
		withCondition(allow(SidRotationFunctionSecrets, []string{"arn:aws:secretsmanager:*:" + account + ":secret:*"},
			"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue",
			"secretsmanager:UpdateSecretVersionStage"),
			"StringLike", "secretsmanager:ResourceTag/keywarden:user", users),
	}}
}

func withCondition(s Statement, op, key string, values []string) Statement {
	s.Condition = map[string]map[string][]string{op: {key: slices.Clone(values)}}
	return s
}
