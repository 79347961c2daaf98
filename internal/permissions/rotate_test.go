package permissions

import (
	"strings"
	"testing"
)

const rotateJobs = `jobs:
  rotate-ci:
    select: {users: ["svc-*"]}
    do:
      - rotate: {older_than: 80d, to: ["secretsmanager:ci/{user}", "ssm:/ci/{user}", "profile:ci-{user}", "exec:push {user}"], grace: 24h}
`

func TestRotateRuleGrantsItsDestinationsOnly(t *testing.T) {
	d, err := ForJobs(load(t, rotateJobs), nil, "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	user := "arn:aws:iam::123456789012:user/svc-ci"
	secret := "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:ci/svc-ci-AbCdEf"
	param := "arn:aws:ssm:ap-northeast-1:123456789012:parameter/ci/svc-ci"
	for _, c := range []struct {
		action, arn string
		want        bool
	}{
		{"iam:CreateAccessKey", user, true},
		{"iam:UpdateAccessKey", user, true},
		{"iam:DeleteAccessKey", user, true},
		{"iam:GetUser", user, false}, // a glob lists users; each rotation reuses the listed ARN
		{"iam:TagUser", user, true},
		{"iam:UntagUser", user, true},
		{"iam:CreateAccessKey", "arn:aws:iam::123456789012:user/admin", false},
		{"secretsmanager:PutSecretValue", secret, true},
		{"secretsmanager:UpdateSecretVersionStage", secret, true},
		{"secretsmanager:CreateSecret", secret, true},
		{"secretsmanager:PutSecretValue", "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:prod/db-AbCdEf", false},
		{"secretsmanager:PutSecretValue", "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:ci/other-AbCdEf", false},
		{"ssm:PutParameter", param, true},
		{"ssm:PutParameter", "arn:aws:ssm:ap-northeast-1:123456789012:parameter/prod/db", false},
		{"secretsmanager:PutSecretValue", "arn:aws:secretsmanager:ap-northeast-1:999999999999:secret:ci/svc-ci-AbCdEf", false},
	} {
		if got := allows(d, c.action, c.arn); got != c.want {
			t.Errorf("%s on %s: allowed %v, want %v\n%s", c.action, c.arn, got, c.want, d.JSON())
		}
	}
	for _, a := range d.Actions() {
		if len(a) > 4 && a[:4] == "kms:" {
			t.Errorf("%s granted with no kms_key_id", a)
		}
	}

	d, _ = ForJobs(load(t, "jobs:\n  r:\n    select: {users: [svc-ci]}\n    do:\n      - rotate: {older_than: 80d, to: [\"ssm:/ci/svc\"], kms_key_id: 1234abcd-12ab-34cd-56ef-1234567890ab}\n"), nil, "123456789012")
	key := "arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	for _, a := range []string{"kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"} {
		if !allows(d, a, key) || allows(d, a, "arn:aws:kms:ap-northeast-1:123456789012:key/other") {
			t.Errorf("%s not granted on exactly the kms_key_id:\n%s", a, d.JSON())
		}
	}
}

// cloudtrail:LookupEvents is granted only to name a consumer still on a rotated key: a rotate
// rule that keeps the old key (a grace) and someone to tell (notify:).
func TestLookupEventsOnlyWhereAWarningNamesWhoUsesAKey(t *testing.T) {
	const notify = "notify:\n  webhook: {url: \"https://hooks.example.com/x\"}\n"
	for _, c := range []struct {
		name, yaml string
		want       bool
	}{
		{"rotate, grace, notify", notify + rotateJobs, true},
		{"no notify: nobody to tell", rotateJobs, false},
		{"no grace: the old key goes at once", notify + "jobs:\n  r:\n    select: {users: [svc-ci]}\n    do:\n      - rotate: {older_than: 80d, to: [\"ssm:/ci/svc\"], grace: 0d}\n", false},
		{"no rotate rule", notify + "jobs:\n  d:\n    do:\n      - deactivate: {unused_for: 90d}\n", false},
	} {
		d, err := ForJobs(load(t, c.yaml), nil, "123456789012")
		if err != nil {
			t.Fatal(err)
		}
		if got := allows(d, "cloudtrail:LookupEvents", "*"); got != c.want {
			t.Errorf("%s: cloudtrail:LookupEvents granted %v, want %v\n%s", c.name, got, c.want, d.JSON())
		}
	}
}

// A destination outside AWS adds no statement, and is named with the token it needs instead.
func TestDestinationsOutsideAWSNeedATokenNotAGrant(t *testing.T) {
	cfg := load(t, `jobs:
  rotate-ci:
    select: {users: ["svc-*"]}
    do:
      - rotate: {older_than: 80d, to: ["gitlab:acme/deploy:scope={user}", "github-org:acme:names=K_{user},S_{user}", "gitlab:acme/other:scope={user}:token=ssm:/ci/gitlab-token", "secretsmanager:ci/{user}"]}
`)
	d, err := ForJobs(cfg, nil, "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range d.Statement {
		if s.Sid != SidRotate && s.Sid != SidTokens+"FromSSM" && s.Sid != "DeliverToSecretsManager" && s.Sid != SidListUsers && s.Sid != SidRead && s.Sid != SidProvenance {
			t.Errorf("statement %s for a destination outside AWS?\n%s", s.Sid, d.JSON())
		}
	}
	if !allows(d, "ssm:GetParameter", "arn:aws:ssm:ap-northeast-1:123456789012:parameter/ci/gitlab-token") ||
		allows(d, "ssm:GetParameter", "arn:aws:ssm:ap-northeast-1:123456789012:parameter/ci/other") {
		t.Errorf("the token kept by reference is not exactly what is granted:\n%s", d.JSON())
	}
	got, err := BeyondIAM(cfg, nil)
	if err != nil || len(got) != 2 || !strings.HasPrefix(got[0], "gitlab: destinations need GITLAB_TOKEN: a personal, project or group access token with the api scope") ||
		!strings.HasPrefix(got[1], "github-org: destinations need GH_TOKEN or GITHUB_TOKEN") {
		t.Fatalf("BeyondIAM = %q, %v", got, err)
	}
}
