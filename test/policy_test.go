package test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/permissions"
	"github.com/keywarden/keywarden/internal/policy"
)

// moto checks the signer's policies for every IAM call, but against the resource "*": its IAM
// responses name no resource (moto/core/responses.py call_action), and a statement's Resource
// is matched as a regex against that "*" (moto/iam/access_control.py _match). So under moto a
// statement narrowed to arn:aws:iam::*:user/... never allows anything, and ${aws:username} is
// never substituted. These tests therefore prove what moto can check, the actions: each one
// the generated policy lists is needed, and together they are enough. The resources are
// checked by internal/permissions' tests, with IAM's ARN matching, against real users' ARNs.
func motoCanCheck(d permissions.Document) permissions.Document {
	out := d
	out.Statement = slices.Clone(d.Statement)
	for i := range out.Statement {
		out.Statement[i].Resource = []string{"*"}
	}
	return out
}

func putPolicy(t *testing.T, c *iam.Client, user string, d permissions.Document) {
	t.Helper()
	_, err := c.PutUserPolicy(context.Background(), &iam.PutUserPolicyInput{
		UserName: aws.String(user), PolicyName: aws.String("keywarden"), PolicyDocument: aws.String(d.JSON()),
	})
	if err != nil {
		t.Fatal(err)
	}
}

func without(d permissions.Document, action string) permissions.Document {
	out := permissions.Document{Version: d.Version}
	for _, s := range d.Statement {
		s.Action = slices.DeleteFunc(slices.Clone(s.Action), func(a string) bool { return a == action })
		if len(s.Action) > 0 {
			out.Statement = append(out.Statement, s)
		}
	}
	return out
}

func sampleDoc(t *testing.T) permissions.Document {
	t.Helper()
	data, err := os.ReadFile(sampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := policy.Load(sampleConfig, data)
	if err != nil {
		t.Fatal(err)
	}
	d, err := permissions.ForJobs(cfg, nil, "*")
	if err != nil {
		t.Fatal(err)
	}
	// The document keywarden prints is the one tested.
	r := kwRun(t, aws.Config{}, run{noAWS: true}, "policy", "-c", sampleConfig)
	if r.code != 0 || strings.TrimSpace(r.stdout) != d.JSON() {
		t.Fatalf("keywarden policy printed (exit %d):\n%s", r.code, r.stdout)
	}
	return d
}

// authWorld resets moto, turns auth on, builds the sample world and a user "runner" that
// holds doc; it returns runner's config and an admin client.
func authWorld(t *testing.T, doc permissions.Document) (aws.Config, *iam.Client, jobsWorld) {
	t.Helper()
	fresh(t)
	a := moto(t).EnableAuth(t)
	ac := iam.NewFromConfig(moto(t).Config(a.AccessKeyID, a.SecretAccessKey))
	w := mkJobsWorld(t, ac)
	mkUser(t, ac, "runner", 0)
	id, secret := mkKey(t, ac, "runner")
	putPolicy(t, ac, "runner", doc)
	return moto(t).Config(id, secret), ac, w
}

func TestGeneratedPolicyIsEnoughAndEveryActionInItIsNeeded(t *testing.T) {
	parallel(t)
	doc := motoCanCheck(sampleDoc(t))

	t.Run("the whole policy runs apply", func(t *testing.T) {
		ownMoto(t)
		runner, _, w := authWorld(t, doc)
		r := kw(t, runner, "apply", "-c", sampleConfig, "--yes")
		if r.code != 0 || !strings.Contains(r.stdout, w.curfewKey+" access-key-user deactivated") || !strings.Contains(r.stdout, w.oldKey+" old deleted") {
			t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
		}
		r = kw(t, runner, "apply", "-c", sampleConfig, "--job", "curfew", "--yes")
		if r.code != 0 {
			t.Fatalf("--job curfew (read by GetUser): exit %d\n%s", r.code, r.stderr)
		}
	})

	// Each action, dropped, makes a run fail with exit 5 naming it, and leaves the key it
	// guards as it was (the provenance record written before a denied change is taken back).
	cases := []struct {
		action string
		job    string // the run that needs it
	}{
		{"iam:ListUsers", ""},
		{"iam:GetUser", "curfew"},
		{"iam:ListAccessKeys", ""},
		{"iam:GetAccessKeyLastUsed", ""},
		{"iam:ListUserTags", ""},
		{"iam:TagUser", ""},
		{"iam:UpdateAccessKey", "curfew"},
		{"iam:DeleteAccessKey", "hygiene"},
		// iam:UntagUser is used only to take back a record when a change fails and to make
		// room at IAM's 50-tag limit; a normal run does not call it (see the last subtest).
	}
	covered := []string{"iam:UntagUser"}
	for _, tc := range cases {
		covered = append(covered, tc.action)
		t.Run("without "+tc.action, func(t *testing.T) {
			ownMoto(t)
			runner, _, w := authWorld(t, without(doc, tc.action))
			moto(t).DisableAuth(t) // the AWS CLI witness signs as a user moto does not know
			before := w.snapshot(t)
			moto(t).EnableAuth(t)
			args := []string{"apply", "-c", sampleConfig, "--yes"}
			if tc.job != "" {
				args = append(args, "--job", tc.job)
			}
			r := kw(t, runner, args...)
			if r.code != 5 || !strings.Contains(r.stderr, "may not "+tc.action) || !strings.Contains(r.stderr, `"Action": "`+tc.action+`"`) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 5 naming %s and the policy granting it", r.code, r.stderr, tc.action)
			}
			moto(t).DisableAuth(t)
			after := w.snapshot(t)
			if !sameMap(before, after) {
				t.Errorf("a denied run changed AWS:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
	for _, a := range doc.Actions() {
		if !slices.Contains(covered, a) {
			t.Errorf("the policy grants %s, which no subtest shows is needed", a)
		}
	}
}

// TestMotoStillMatchesIAMResourcesAgainstStar fails when moto starts matching IAM resources, so these tests
// can then use the narrowed policy itself.
func TestMotoStillMatchesIAMResourcesAgainstStar(t *testing.T) {
	fresh(t)
	a := moto(t).EnableAuth(t)
	ac := iam.NewFromConfig(moto(t).Config(a.AccessKeyID, a.SecretAccessKey))
	mkUser(t, ac, "dev", 0)
	id, secret := mkKey(t, ac, "dev")
	putPolicy(t, ac, "dev", permissions.SelfRotate())
	_, err := iam.NewFromConfig(moto(t).Config(id, secret)).ListAccessKeys(context.Background(), &iam.ListAccessKeysInput{UserName: aws.String("dev")})
	if err == nil {
		t.Fatal("moto now allows a call by a narrowed Resource: test the generated policies as they are (drop motoCanCheck)")
	}
}

func TestSelfRotatePolicyLetsAUserRotateItsOwnKey(t *testing.T) {
	r := kwRun(t, admin(t), run{noAWS: true}, "policy", "--self-rotate")
	var printed permissions.Document
	if err := json.Unmarshal([]byte(r.stdout), &printed); err != nil || r.code != 0 || printed.JSON() != permissions.SelfRotate().JSON() {
		t.Fatalf("policy --self-rotate: exit %d, %v\n%s", r.code, err, r.stdout)
	}

	fresh(t)
	a := moto(t).EnableAuth(t)
	ac := iam.NewFromConfig(moto(t).Config(a.AccessKeyID, a.SecretAccessKey))
	mkUser(t, ac, "dev", 0)
	mkUser(t, ac, "someone-else", 0)
	id, secret := mkKey(t, ac, "dev")
	// Resources widened for moto (see motoCanCheck): this shows the actions are enough for
	// the rotation calls; that only the user itself is reachable is shown by the ARN tests in
	// internal/permissions, since moto cannot say it.
	putPolicy(t, ac, "dev", motoCanCheck(permissions.SelfRotate()))
	dev := iam.NewFromConfig(moto(t).Config(id, secret))
	ctx := context.Background()
	o, err := dev.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("dev")})
	if err != nil {
		t.Fatalf("create own key: %v", err)
	}
	nk := o.AccessKey.AccessKeyId
	if _, err := dev.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("dev"), AccessKeyId: nk, Status: "Inactive"}); err != nil {
		t.Fatalf("update own key: %v", err)
	}
	if _, err := dev.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("dev"), AccessKeyId: nk}); err != nil {
		t.Fatalf("delete own key: %v", err)
	}
	// An action the policy does not list is denied on anyone, itself included.
	if _, err := dev.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")}); err == nil {
		t.Fatal("self-rotate policy allowed iam:CreateUser")
	}
}
