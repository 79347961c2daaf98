package test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/credfile"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/permissions"
	"github.com/keywarden/keywarden/internal/rotate"
)

const rotUser = "accesskey-rotate-sample-user"

// credsTemplate is a credentials file with comments and other profiles around the rotated one;
// OLDID and OLDSECRET are replaced by the user's key.
const credsTemplate = `# work laptop
[default]
aws_access_key_id = AKIADEFAULTDEFAULT00
aws_secret_access_key = default/secret ; keep

; the profile under rotation
[dev]
region = us-east-1
aws_access_key_id=OLDID
aws_secret_access_key   =   OLDSECRET
# trailing comment in dev

[other]
aws_access_key_id = AKIAOTHEROTHEROTHER0
aws_secret_access_key = other-secret
`

// rotSetup makes the seed's user, holding only the self-rotation policy and one key, and a
// credentials file whose profile dev holds that key. Auth is on: every call is really signed.
func rotSetup(t *testing.T) (admin *iam.Client, oldID, oldSecret, credsPath string) {
	t.Helper()
	fresh(t)
	admin = enableAuth(t)
	mkUser(t, admin, rotUser, 0)
	_, err := admin.PutUserPolicy(context.Background(), &iam.PutUserPolicyInput{
		UserName: aws.String(rotUser), PolicyName: aws.String("keywarden-self-rotate"),
		PolicyDocument: aws.String(selfRotateForMoto().JSON()),
	})
	if err != nil {
		t.Fatal(err)
	}
	oldID, oldSecret = mkKey(t, admin, rotUser)
	dir := t.TempDir()
	credsPath = filepath.Join(dir, "credentials")
	text := strings.NewReplacer("OLDID", oldID, "OLDSECRET", oldSecret).Replace(credsTemplate)
	if err := os.WriteFile(credsPath, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return admin, oldID, oldSecret, credsPath
}

// selfRotateForMoto is permissions.SelfRotate with Resource "*": moto checks every IAM action
// against the resource "*" (moto/core/authorization.py), so the policy's own resource,
// arn:aws:iam::*:user/${aws:username}, never matches there. With it, the tests prove the action
// list is enough (every call is signed and checked); the scoping to the user itself is IAM's.
func selfRotateForMoto() permissions.Document {
	d := permissions.SelfRotate()
	for i := range d.Statement {
		d.Statement[i].Resource = []string{"*"}
	}
	return d
}

// rotKW runs keywarden rotate in-process on the test's credentials file. The config it is
// given signs with a key moto does not know: rotate must sign with the profile's own keys.
func rotKW(t *testing.T, credsPath string, args ...string) result {
	t.Helper()
	cfgFile := filepath.Join(filepath.Dir(credsPath), "config")
	all := append([]string{"rotate", "--profile", "dev", "--credentials-file", credsPath, "--config-file", cfgFile}, args...)
	return kw(t, moto(t).Config("AKIANOTAKEYNOTAKEY00", "nope"), all...)
}

func profileKey(t *testing.T, credsPath, profile string) (id, secret string) {
	t.Helper()
	f, err := credfile.Load(credsPath)
	if err != nil {
		t.Fatal(err)
	}
	p, ok := f.Profile(profile)
	if !ok {
		t.Fatalf("profile %s missing from %s", profile, credsPath)
	}
	return p.AccessKeyID, p.SecretAccessKey
}

// userKeys lists the user's keys (id → status) as the AWS CLI sees them.
func userKeys(t *testing.T, user string) map[string]string {
	t.Helper()
	out := map[string]string{}
	c := iam.NewFromConfig(admin(t))
	o, err := c.ListAccessKeys(context.Background(), &iam.ListAccessKeysInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range o.AccessKeyMetadata {
		out[aws.ToString(k.AccessKeyId)] = string(k.Status)
	}
	return out
}

// stsByCLI runs aws sts get-caller-identity signed with a key, and returns its error output
// ("" when the key works).
func stsByCLI(t *testing.T, id, secret string) string {
	t.Helper()
	cmd := exec.Command("aws", "sts", "get-caller-identity")
	cmd.Env = moto(t).Env(id, secret)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out) + " "
	}
	if !strings.Contains(string(out), rotUser) {
		t.Fatalf("aws sts get-caller-identity with %s: not %s:\n%s", id, rotUser, out)
	}
	return ""
}

// assertRotated checks the end state of a good rotation: the file differs from the original
// only by the key and secret of dev, the new key works and the old one is refused by the AWS
// CLI, IAM holds exactly the new key (and the old one if wantOld), and no journal is left.
func assertRotated(t *testing.T, credsPath, oldID, oldSecret string, wantOld string) (newID string) {
	t.Helper()
	newID, newSecret := profileKey(t, credsPath, "dev")
	if newID == oldID || newID == "" || newSecret == "" || newSecret == oldSecret {
		t.Fatalf("profile dev holds %s, want a new key instead of %s", newID, oldID)
	}
	got, err := os.ReadFile(credsPath)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.NewReplacer("OLDID", newID, "OLDSECRET", newSecret).Replace(credsTemplate)
	if string(got) != want {
		t.Fatalf("credentials file changed beyond dev's key:\n got: %q\nwant: %q", got, want)
	}
	if fi, _ := os.Stat(credsPath); fi.Mode().Perm() != 0o600 {
		t.Errorf("credentials file mode %v, want 0600", fi.Mode().Perm())
	}
	if e := stsByCLI(t, newID, newSecret); e != "" {
		t.Fatalf("aws CLI with the new key %s: %s", newID, e)
	}
	if wantOld == "" {
		if e := stsByCLI(t, oldID, oldSecret); !strings.Contains(e, "InvalidClientTokenId") {
			t.Fatalf("aws CLI with the old key %s: want InvalidClientTokenId, got %q", oldID, e)
		}
	}
	keys := userKeys(t, rotUser)
	want2 := map[string]string{newID: "Active"}
	if wantOld != "" {
		want2[oldID] = wantOld
	}
	if len(keys) != len(want2) {
		t.Fatalf("IAM keys of %s: %v, want %v", rotUser, keys, want2)
	}
	for id, st := range want2 {
		if keys[id] != st {
			t.Fatalf("IAM keys of %s: %v, want %v", rotUser, keys, want2)
		}
	}
	if _, err := os.Stat(rotate.JournalPath(credsPath)); !os.IsNotExist(err) {
		t.Fatalf("journal left behind: %v", err)
	}
	return newID
}

func TestRotateHappyPath(t *testing.T) {
	for _, tc := range []struct {
		name, retire, wantOld, wantTag, wantOldKey string
	}{
		{"delete", "delete", "", "deleted", "rejected"},
		{"deactivate", "deactivate", "Inactive", "deactivated", "inactive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, oldID, oldSecret, credsPath := rotSetup(t)
			r := rotKW(t, credsPath, "--retire", tc.retire, "--output", "json")
			if r.code != 0 {
				t.Fatalf("rotate: exit %d\n%s", r.code, r.stderr)
			}
			newID := assertRotated(t, credsPath, oldID, oldSecret, tc.wantOld)
			var res rotate.Result
			mustJSON(t, r.stdout, &res)
			if res.OldKeyID != oldID || res.NewKeyID != newID || string(res.Retire) != tc.retire || res.OldKey != tc.wantOldKey || res.User != rotUser {
				t.Fatalf("result %+v", res)
			}
			for _, s := range []string{"identify", "create", "verify", "deliver", "retire", "confirm"} {
				if !hasStep(res.Steps, s) {
					t.Errorf("result has no timing for step %s: %+v", s, res.Steps)
				}
			}
			tags := tagsByCLI(t, rotUser)
			if !strings.HasPrefix(tags["keywarden:"+newID], "created ") || !strings.HasPrefix(tags["keywarden:"+oldID], tc.wantTag+" ") {
				t.Fatalf("provenance tags %v", tags)
			}
			for _, s := range []string{"created " + newID, "delivered " + newID + " to profile:dev@", "works"} {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("progress lacks %q:\n%s", s, r.stderr)
				}
			}
			if strings.Contains(r.stderr+r.stdout, oldSecret) {
				t.Fatal("a secret was printed")
			}
		})
	}
}

func hasStep(ss []engine.Step, name string) bool {
	for _, s := range ss {
		if s.Name == name {
			return true
		}
	}
	return false
}

func mustJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%v in %q", err, s)
	}
}
