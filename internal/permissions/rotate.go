package permissions

import (
	"slices"
	"strings"

	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/sink/kind"
)

// SidRotate is the statement id of a rotate rule's grant on the users; each destination
// kind names its own (internal/sink/kind).
const SidRotate = "RotateKeys"

// SidKMS is the statement id of the grant on a rule's kms_key_id.
const SidKMS = "EncryptWithKMS"

// rotationGrants gathers what the rotate rules of the chosen jobs need, as svcrotate calls it:
// on the users, iam:CreateAccessKey, iam:UpdateAccessKey
// (retiring the old key) and iam:DeleteAccessKey (make_room, and a key whose secret was lost
// after an unanswered create); the state and provenance tags join RecordProvenance; on the
// destinations, their kind's actions (internal/sink/kind declares them, and the sink calls
// them); on the KMS key, its actions only when one is given. No
// iam:GetUser: each rotation is handed the ARN the job's read found (exact names are read with
// GetUser there, and granted by the read's own statement).
type rotationGrants struct {
	users, keys, kms []string
	dests            map[string][]string // by kind: the ARNs of its destinations
	tokens           map[string][]string // by action: where destinations' tokens are kept
}

// SidTokens is the statement id of the grant on the tokens destinations keep by reference.
const SidTokens = "ReadDestinationTokens"

func (g *rotationGrants) add(j policy.Job, r policy.Rule, account string) {
	g.users = append(g.users, scope(j.Select, account)...)
	for _, d := range r.To {
		k, name := kind.Of(d)
		if k == nil {
			continue // refused by the config's load
		}
		if k.Resource != nil {
			if g.dests == nil {
				g.dests = map[string][]string{}
			}
			for _, n := range destNames(j.Select, name) {
				g.dests[k.Name] = append(g.dests[k.Name], k.Resource(account, n))
			}
		}
		if k.TokenRef != nil {
			if ref := k.TokenRef(name); ref != "" {
				g.addToken(j.Select, ref, account)
			}
		}
		if r.KMSKeyID != "" && k.KMSActions != nil {
			g.keys = append(g.keys, kmsARN(r.KMSKeyID, account))
			g.kms = append(g.kms, k.KMSActions...)
		}
	}
}

func (g *rotationGrants) statements() []Statement {
	if len(g.users) == 0 {
		return nil
	}
	ss := []Statement{allow(SidRotate, g.users, "iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:UpdateAccessKey")}
	for _, k := range kind.All() {
		if rs := g.dests[k.Name]; len(rs) > 0 {
			ss = append(ss, allow(k.Sid, rs, k.Actions...))
		}
	}
	for _, a := range []string{"secretsmanager:GetSecretValue", "ssm:GetParameter"} {
		if rs := g.tokens[a]; len(rs) > 0 {
			ss = append(ss, allow(SidTokens+map[string]string{"ssm:GetParameter": "FromSSM", "secretsmanager:GetSecretValue": "FromSecretsManager"}[a], rs, a))
		}
	}
	if len(g.keys) > 0 {
		a := slices.Clone(g.kms)
		slices.Sort(a)
		ss = append(ss, allow(SidKMS, g.keys, slices.Compact(a)...))
	}
	return ss
}

// addToken grants reading a token kept by reference (ssm:NAME or secretsmanager:ID), as a
// webhook URL kept so is granted.
func (g *rotationGrants) addToken(s policy.Selector, ref, account string) {
	if g.tokens == nil {
		g.tokens = map[string][]string{}
	}
	k, name, _ := strings.Cut(ref, ":")
	for _, n := range destNames(s, name) {
		if k == "ssm" {
			g.tokens["ssm:GetParameter"] = append(g.tokens["ssm:GetParameter"], "arn:aws:ssm:*:"+account+":parameter/"+strings.TrimPrefix(n, "/"))
		} else {
			g.tokens["secretsmanager:GetSecretValue"] = append(g.tokens["secretsmanager:GetSecretValue"], "arn:aws:secretsmanager:*:"+account+":secret:"+n+"-??????")
		}
	}
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

// BeyondIAM says, one sentence per kind, what the rotate rules of the chosen jobs need that
// no IAM policy grants (a GitLab or GitHub token), as each kind declares it.
func BeyondIAM(cfg *policy.Config, names []string) ([]string, error) {
	jobs, err := pick(cfg, names)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, j := range jobs {
		for _, r := range j.Rules {
			for _, d := range r.To {
				if k, _ := kind.Of(d); r.Kind == policy.Rotate && k != nil && k.Needs != "" && !seen[k.Name] {
					seen[k.Name] = true
					out = append(out, k.Name+": destinations need "+k.Needs)
				}
			}
		}
	}
	return out, nil
}
