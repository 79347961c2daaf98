package kind

import "strings"

// SSM is ssm:NAME, an SSM SecureString parameter (internal/sink's SSM delivers).
var SSM = add(&Kind{
	Name:    "ssm",
	Syntax:  "ssm:NAME",
	Help:    "ssm:NAME (a new version of a SecureString parameter)",
	Example: "ssm:/ci/{user}",
	Problem: func(rest string) string {
		if len(rest) > 2048 || !nameOf(rest, "_./-") {
			return "a parameter name is letters, digits and _.-/"
		}
		return ""
	},
	WithUser: underUser,
	Readable: true,
	InLambda: true,
	Actions:  []string{"ssm:GetParameter", "ssm:PutParameter"},
	// SSM also encrypts directly, besides asking for a data key.
	KMSActions: []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"},
	Resource: func(account, name string) string {
		return "arn:aws:ssm:*:" + account + ":parameter/" + strings.TrimPrefix(name, "/")
	},
	Sid: "DeliverToSSM",
})
