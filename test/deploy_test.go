package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/test/emu"
)

// stackResources lists a stack's resources as the AWS CLI sees them: logical id → physical id.
func stackResources(t *testing.T, stack string) map[string]string {
	t.Helper()
	var o struct {
		StackResources []struct{ LogicalResourceId, PhysicalResourceId, ResourceStatus string }
	}
	if err := json.Unmarshal(awsCLI(t, "cloudformation", "describe-stack-resources", "--stack-name", stack), &o); err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, r := range o.StackResources {
		m[r.LogicalResourceId] = r.PhysicalResourceId
	}
	return m
}

func TestDeployCreatesStackAndUndeployRemovesIt(t *testing.T) {
	fresh(t)
	cfg := filepath.Join(t.TempDir(), "keywarden.yaml")
	os.WriteFile(cfg, []byte(lambdaYAML), 0o600)
	bin := emu.TinyBinary(t) // deploy ships it without running it

	// fixedNow, 15:00 UTC, is 00:00 JST: the curfew next runs the night after.
	// A dry run shows the template and the change set and leaves nothing behind.
	r := kw(t, admin(t), "deploy", "-c", cfg, "--arch", "amd64", "--binary", bin, "--dry-run")
	if r.code != 0 {
		t.Fatalf("dry run: exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"Type: AWS::Lambda::Function", "# change set for stack keywarden (not executed):", "Add", "FunctionRole", "# schedule curfew: 0 0 * * * in Asia/Tokyo, next 2026-11-25T00:00:00+09:00"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("dry run stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if out := string(awsCLI(t, "cloudformation", "list-stacks", "--stack-status-filter", "CREATE_COMPLETE", "REVIEW_IN_PROGRESS")); strings.Contains(out, `"StackName": "keywarden"`) {
		t.Fatalf("the dry run left a stack:\n%s", out)
	}
	if out := string(awsCLI(t, "s3api", "list-buckets")); strings.Contains(out, "keywarden-deploy-") {
		t.Fatalf("the dry run made a bucket:\n%s", out)
	}

	r = kw(t, admin(t), "deploy", "-c", cfg, "--arch", "amd64", "--binary", bin)
	if r.code != 0 {
		t.Fatalf("deploy: exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "function  arn:aws:lambda:us-east-1:123456789012:function:keywarden") ||
		!strings.Contains(r.stdout, "curfew  0 0 * * * Asia/Tokyo  next 2026-11-25T00:00:00+09:00") {
		t.Fatalf("deploy stdout:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "CREATE_COMPLETE") || !strings.Contains(r.stderr, "stack keywarden: created") {
		t.Fatalf("deploy shows no progress:\n%s", r.stderr)
	}
	res := stackResources(t, "keywarden")
	for _, id := range []string{"Function", "FunctionRole", "SchedulerRole", "DeadLetterQueue", "LogGroup"} {
		if res[id] == "" {
			t.Errorf("stack has no %s: %v", id, res)
		}
	}
	var fn struct {
		Configuration struct {
			Runtime, Handler string
			Architectures    []string
			Role             string
		}
	}
	json.Unmarshal(awsCLI(t, "lambda", "get-function", "--function-name", "keywarden"), &fn)
	if fn.Configuration.Runtime != "provided.al2023" || fn.Configuration.Handler != "bootstrap" || !strings.HasSuffix(fn.Configuration.Role, res["FunctionRole"]) {
		t.Fatalf("function = %+v", fn.Configuration)
	}
	pol := string(awsCLI(t, "iam", "get-role-policy", "--role-name", res["FunctionRole"], "--policy-name", "keywarden-jobs"))
	if !strings.Contains(pol, "iam:UpdateAccessKey") || !strings.Contains(pol, ":user/access-key-user") {
		t.Fatalf("role policy:\n%s", pol)
	}
	var objs struct{ Contents []struct{ Key string } }
	json.Unmarshal(awsCLI(t, "s3api", "list-objects-v2", "--bucket", "keywarden-deploy-123456789012-us-east-1"), &objs)
	if len(objs.Contents) != 1 || !strings.HasPrefix(objs.Contents[0].Key, "keywarden/keywarden/amd64-") {
		t.Fatalf("bucket holds %+v", objs.Contents)
	}

	// The same binary and config again: nothing to do.
	r = kw(t, admin(t), "deploy", "-c", cfg, "--arch", "amd64", "--binary", bin)
	if r.code != 0 || !strings.Contains(r.stderr, "stack keywarden: no changes") {
		t.Fatalf("second deploy: exit %d\n%s", r.code, r.stderr)
	}

	r = kw(t, admin(t), "undeploy")
	if r.code != 0 || !strings.Contains(r.stderr, "deleted stack keywarden") {
		t.Fatalf("undeploy: exit %d\n%s", r.code, r.stderr)
	}
	if out := string(awsCLI(t, "lambda", "list-functions")); strings.Contains(out, `"FunctionName": "keywarden"`) {
		t.Fatalf("the function survived undeploy:\n%s", out)
	}
	if out := string(awsCLI(t, "iam", "list-roles")); strings.Contains(out, res["FunctionRole"]) {
		t.Fatalf("the role survived undeploy")
	}
	r = kw(t, admin(t), "undeploy")
	if r.code != 0 || !strings.Contains(r.stderr, "no stack keywarden; nothing to delete") {
		t.Fatalf("second undeploy: exit %d\n%s", r.code, r.stderr)
	}
}

func TestDeployRefusesBadConfigAndMissingPermissions(t *testing.T) {
	c := fresh(t)
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("jobs:\n  curfew:\n    schedule: \"0 25 * * *\"\n    do: [{deactivate: {}}]\n"), 0o600)
	r := kw(t, admin(t), "deploy", "-c", bad, "--binary", emu.TinyBinary(t), "--arch", "amd64")
	if r.code != 2 || !strings.Contains(r.stderr, "bad.yaml:3:") {
		t.Fatalf("bad config: exit %d\n%s", r.code, r.stderr)
	}

	// A user with no CloudFormation or S3 permission: the refusal names the missing action.
	mkUser(t, c, "dev", 0)
	id, secret := mkKey(t, c, "dev")
	moto(t).EnableAuth(t)
	cfg := filepath.Join(t.TempDir(), "keywarden.yaml")
	os.WriteFile(cfg, []byte(lambdaYAML), 0o600)
	r = kw(t, moto(t).Config(id, secret), "deploy", "-c", cfg, "--binary", emu.TinyBinary(t), "--arch", "amd64")
	if r.code != 5 || !strings.Contains(r.stderr, `"Action": "s3:ListBucket"`) {
		t.Fatalf("no permissions: exit %d\n%s", r.code, r.stderr)
	}
}
