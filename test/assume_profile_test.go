package test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/test/emu"
)

// A role_arn profile is assumed as the AWS CLI assumes it: AssumeRole goes to AWS_ENDPOINT_URL,
// or to AWS_ENDPOINT_URL_STS when that is set, and keywarden then signs as the role. When the
// AssumeRole is refused, the one line says so and why, not "no AWS credentials found".
func TestRoleProfileIsAssumedThroughTheEndpointVariables(t *testing.T) {
	c := fresh(t)
	role, err := c.CreateRole(context.Background(), &iam.CreateRoleInput{
		RoleName:                 aws.String("keywarden-admin"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(role.Role.Arn)
	w := witness(t)
	dir := t.TempDir()
	cfgFile, credFile := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	write := func(p, text string) {
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(cfgFile, "[profile roley]\nrole_arn = "+arn+"\nsource_profile = src\n\n"+
		"[profile envrole]\nrole_arn = "+arn+"\ncredential_source = Environment\n")
	write(credFile, "[src]\naws_access_key_id = "+w[0]+"\naws_secret_access_key = "+w[1]+"\n")

	// env is the witness's environment with the files above; keys stay only when keep is true
	// (credential_source = Environment reads them), and set overrides or adds variables.
	env := func(base []string, keep bool, set ...string) []string {
		var out []string
		for _, kv := range base {
			k, _, _ := strings.Cut(kv, "=")
			switch {
			case k == "AWS_CONFIG_FILE", k == "AWS_SHARED_CREDENTIALS_FILE":
				continue
			case !keep && (k == "AWS_ACCESS_KEY_ID" || k == "AWS_SECRET_ACCESS_KEY"):
				continue
			}
			out = append(out, kv)
		}
		return append(append(out, "AWS_CONFIG_FILE="+cfgFile, "AWS_SHARED_CREDENTIALS_FILE="+credFile), set...)
	}
	url := ""
	for _, kv := range witnessEnv(t) {
		if v, ok := strings.CutPrefix(kv, "AWS_ENDPOINT_URL="); ok {
			url = v
		}
	}
	const nowhere = "http://127.0.0.1:1"
	for _, tc := range []struct {
		name, profile string
		env           []string
	}{
		{"source_profile through AWS_ENDPOINT_URL", "roley", env(witnessEnv(t), false)},
		{"credential_source through AWS_ENDPOINT_URL", "envrole", env(witnessEnv(t), true)},
		// Only STS is reachable: the role was assumed and asked through AWS_ENDPOINT_URL_STS.
		{"source_profile through AWS_ENDPOINT_URL_STS", "roley", env(witnessEnv(t), false, "AWS_ENDPOINT_URL="+nowhere, "AWS_ENDPOINT_URL_STS="+url)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runBinary(t, tc.env, "whoami", "--profile", tc.profile, "-o", "json")
			var id struct{ ARN string }
			if r.code != 0 || json.Unmarshal([]byte(r.stdout), &id) != nil {
				t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			if !strings.Contains(id.ARN, ":assumed-role/keywarden-admin/") {
				t.Fatalf("signed as %s, want the assumed role", id.ARN)
			}
		})
	}

	t.Run("a refused AssumeRole says so", func(t *testing.T) {
		p := moto(t).Proxy(t)
		p.FailNext("AssumeRole", 1, emu.Denied)
		r := runBinary(t, env(p.Env(w[0], w[1]), false), "whoami", "--profile", "roley")
		want := "keywarden: assuming the profile's role (sts:AssumeRole) failed: AccessDenied: "
		if r.code != 5 || !strings.HasPrefix(r.stderr, want) || strings.Count(r.stderr, "\n") != 1 || strings.Contains(r.stderr, "no AWS credentials") {
			t.Fatalf("exit %d, want 5 and one line %s…\n%s", r.code, want, r.stderr)
		}
		if p.Count("AssumeRole") != 1 {
			t.Fatalf("%d AssumeRole calls reached the proxy, want 1", p.Count("AssumeRole"))
		}
	})
}
