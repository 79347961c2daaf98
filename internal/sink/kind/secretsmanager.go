package kind

// SecretsManager is secretsmanager:SECRET_ID, a Secrets Manager secret (internal/sink's
// SecretsManager delivers).
var SecretsManager = add(&Kind{
	Name:    "secretsmanager",
	Syntax:  "secretsmanager:SECRET_ID",
	Help:    "secretsmanager:SECRET_ID (staged as AWSPENDING, then AWSCURRENT moves to it)",
	Example: "secretsmanager:ci/{user}",
	Problem: func(rest string) string {
		if len(rest) > 512 || !nameOf(rest, "/_+=.@-") {
			return "a secret name is up to 512 letters, digits and /_+=.@-"
		}
		return ""
	},
	WithUser: underUser,
	Readable: true,
	InLambda: true,
	Actions: []string{"secretsmanager:CreateSecret", "secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue",
		"secretsmanager:PutSecretValue", "secretsmanager:TagResource", "secretsmanager:UpdateSecretVersionStage"},
	// A data key to encrypt, and decrypting to read a version back.
	KMSActions: []string{"kms:Decrypt", "kms:GenerateDataKey"},
	Resource: func(account, name string) string {
		// Secrets Manager appends "-" and six random characters to a secret's ARN.
		return "arn:aws:secretsmanager:*:" + account + ":secret:" + name + "-??????"
	},
	Sid: "DeliverToSecretsManager",
})
