// Package permissions writes the least-privilege IAM policy documents keywarden's commands
// need, so the README, `keywarden policy`, the deployed Lambda role and the tests that prove
// "this policy is enough" all use one source.
package permissions

import "encoding/json"

// Document is an IAM policy document.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one Allow statement.
type Statement struct {
	Sid      string   `json:"Sid,omitempty"`
	Effect   string   `json:"Effect"`
	Action   []string `json:"Action"`
	Resource []string `json:"Resource"`
	// Condition is IAM's condition block, for what a Resource cannot say (a secret's tag).
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
}

// JSON renders the document indented, as `aws iam put-user-policy --policy-document` takes it.
func (d Document) JSON() string {
	b, _ := json.MarshalIndent(d, "", "  ")
	return string(b)
}

// Actions lists every action the document allows.
func (d Document) Actions() []string {
	var out []string
	for _, s := range d.Statement {
		out = append(out, s.Action...)
	}
	return out
}

// SelfUser and SelfUserUnderPath are the ARNs of the calling user in any account, via the
// policy variable, so one policy serves every user it is attached to; a user's ARN includes
// its IAM path (user/team/dev), which the second covers.
const (
	SelfUser          = "arn:aws:iam::*:user/${aws:username}"
	SelfUserUnderPath = "arn:aws:iam::*:user/*/${aws:username}"
)

// SelfRotate is what a user needs to rotate their own key with `keywarden rotate`: the seed's
// CreateAccessKey and DeleteAccessKey on the user itself, plus listing and updating its own keys
// (to make room and to retire by deactivation) and tagging itself (provenance). sts:GetCallerIdentity
// needs no permission.
func SelfRotate() Document {
	return Document{
		Version: "2012-10-17",
		Statement: []Statement{{
			Sid:    "RotateOwnAccessKey",
			Effect: "Allow",
			Action: []string{
				"iam:CreateAccessKey",
				"iam:DeleteAccessKey",
				"iam:GetAccessKeyLastUsed",
				"iam:GetUser",
				"iam:ListAccessKeys",
				"iam:ListUserTags",
				"iam:TagUser",
				"iam:UntagUser",
				"iam:UpdateAccessKey",
			},
			Resource: []string{SelfUser, SelfUserUnderPath},
		}},
	}
}
