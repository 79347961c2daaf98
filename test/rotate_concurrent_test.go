package test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keywarden/keywarden/internal/keys"
)

// servicePoints are the failpoints of a service rotation, in the order a run passes them.
var servicePoints = []string{"before-create", "after-create", "after-stage", "after-verify", "before-deliver",
	"mid-deliver", "after-deliver", "after-delivered", "after-retire", "after-done"}

// Two `rotate --user` of one user at once (a CI job started twice with the same token), one of
// them killed at a failpoint, ten times (each trial its own user on one moto, each failpoint
// once): never a stranded user, never a key of the winner's undone by the loser, and the rerun
// converges to one working key in every destination.
func TestServiceRotateTwoAtOnceWithACrashConverge(t *testing.T) {
	fresh(t)
	c := enableAuth(t)
	w := witness(t)
	// Through the proxy, whose CreateAccessKey is atomic per user as IAM's is; moto's is not.
	env := moto(t).Proxy(t).Env(w[0], w[1])
	trials(t, func(i int, point string) {
		user := fmt.Sprintf("svc-cc-%d", i)
		t.Run(point, func(t *testing.T) {
			mkUser(t, c, user, 0)
			oldID, _ := mkKey(t, c, user)
			args := []string{"rotate", "--user", user, "--grace", "0", "--output", "json", "--client-request-token", "ci-" + user,
				"--to", "ssm:/cc/" + user, "--to", "secretsmanager:cc/" + user}
			killed := append(append([]string(nil), env...), "KEYWARDEN_FAILPOINT="+point)
			runs := twoAtOnce(
				func() result { return runBinary(t, killed, args...) },
				func() result { return runBinary(t, env, args...) })
			notStranded(t, user, runs)
			r := rerunPastHold(t, user, func() result { return runBinary(t, env, args...) })
			if r.code != 0 {
				t.Fatalf("rerun: exit %d\n%s\nthe two runs:\n%s\n---\n%s", r.code, r.stderr, runs[0].stderr, runs[1].stderr)
			}
			converged(t, user, oldID, "/cc/"+user, "cc/"+user)
		})
	})
}

// Two `apply` runs of a rotate rule at once (a Lambda invocation retried while the first still
// runs: the same firing), one killed at a failpoint, ten times: the same promises as above.
// Their clock is moto's stamp of the key plus 81 days (runAt), never a fixed date.
func TestApplyRotateRuleTwoAtOnceWithACrashConverge(t *testing.T) {
	fresh(t)
	c := enableAuth(t)
	w := witness(t)
	// Through the proxy, whose CreateAccessKey is atomic per user as IAM's is; moto's is not.
	env := moto(t).Proxy(t).Env(w[0], w[1])
	trials(t, func(i int, point string) {
		user := fmt.Sprintf("svc-ap-%d", i)
		t.Run(point, func(t *testing.T) {
			mkUser(t, c, user, 0)
			oldID, _ := mkKey(t, c, user)
			fired := createdAt(t, c, user, oldID).Add(81 * 24 * time.Hour).Truncate(time.Second)
			cfg := filepath.Join(t.TempDir(), "keywarden.yaml")
			yaml := "jobs:\n  rotate-ci:\n    select: {users: [" + user + "]}\n    do:\n      - rotate: {older_than: 80d, grace: 0s, to: [\"ssm:/ap/{user}\", \"secretsmanager:ap/{user}\"]}\n"
			if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			args := []string{"apply", "-c", cfg, "--yes", "--no-notify"}
			killed := append(append([]string(nil), env...), "KEYWARDEN_FAILPOINT="+point)
			runs := twoAtOnce(
				func() result { return runAt(t, fired, killed, args...) },
				func() result { return runAt(t, fired, env, args...) })
			notStranded(t, user, runs)
			// The next firing finishes what the crash left (or finds nothing to do).
			r := runAt(t, fired.Add(time.Hour), env, args...)
			if r.code != 0 {
				t.Fatalf("rerun: exit %d\n%s\n%s\nthe two runs:\n%s\n---\n%s", r.code, r.stdout, r.stderr, runs[0].stderr, runs[1].stderr)
			}
			converged(t, user, oldID, "/ap/"+user, "ap/"+user)
		})
	})
}

// trials runs one trial per failpoint at once, each as a subtest of t on t's moto. They are
// goroutines rather than parallel subtests: a parallel subtest waits for a slot of go test's
// -parallel while its parent keeps the moto, and the slots may all be held by tests waiting for
// a moto, which would never come.
func trials(t *testing.T, trial func(i int, point string)) {
	var wg sync.WaitGroup
	for i, point := range servicePoints {
		wg.Add(1)
		go func() {
			defer wg.Done()
			trial(i, point)
		}()
	}
	wg.Wait()
}

// rerunPastHold runs a rerun after a killed run. When no destination holds the killed run's
// new key, its record is held for the longest a run takes (a killed run looks like a slow one):
// that refusal must change nothing, and the rerun once the record is that old finishes.
func rerunPastHold(t *testing.T, user string, rerun func() result) result {
	t.Helper()
	keysBefore, tagsBefore := iamKeys(t, user), iamTags(t, user)
	r := rerun()
	if r.code != 4 || !strings.Contains(r.stderr, "another run (r=") {
		return r
	}
	if !maps.Equal(iamKeys(t, user), keysBefore) || !maps.Equal(iamTags(t, user), tagsBefore) {
		t.Fatalf("the refused rerun changed the user:\n%s", r.stderr)
	}
	ageState(t, user)
	return rerun()
}

// ageState moves the start of user's rotation record an hour back: a rerun after the longest a
// run takes, without waiting for it.
func ageState(t *testing.T, user string) {
	t.Helper()
	st, err := keys.ParseRotation(iamTags(t, user)[keys.RotationTag])
	if err != nil {
		t.Fatal(err)
	}
	st.Started = st.Started.Add(-time.Hour)
	tags, _ := json.Marshal([]map[string]string{{"Key": keys.RotationTag, "Value": st.String()}})
	awsCLI(t, "iam", "tag-user", "--user-name", user, "--tags", string(tags))
}

// twoAtOnce starts both runs together and returns their results, a's first.
func twoAtOnce(a, b func() result) [2]result {
	var out [2]result
	var wg sync.WaitGroup
	for i, f := range []func() result{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = f()
		}()
	}
	wg.Wait()
	return out
}

// notStranded is the state two runs and a crash may leave: a user with two active keys has the
// rotation record a rerun finishes from, and what each destination serves is an active key.
func notStranded(t *testing.T, user string, runs [2]result) {
	t.Helper()
	ks, tags := iamKeys(t, user), iamTags(t, user)
	active := 0
	for _, st := range ks {
		if st == "Active" {
			active++
		}
	}
	if active == 2 && tags[keys.RotationTag] == "" {
		t.Fatalf("stranded: keys %v and no rotation record\n%s\n---\n%s", ks, runs[0].stderr, runs[1].stderr)
	}
	for _, cur := range servedKeys(t, user) {
		if ks[cur] != "Active" {
			t.Fatalf("a destination serves %s, which is %q in IAM (keys %v)\n%s\n---\n%s", cur, ks[cur], ks, runs[0].stderr, runs[1].stderr)
		}
	}
}

// converged: one active key, in every destination, accepted by STS as the user; the old key
// retired; no rotation record and no pending key record left; no third key.
func converged(t *testing.T, user, oldID, param, secret string) {
	t.Helper()
	ks, tags := iamKeys(t, user), iamTags(t, user)
	var active []string
	for id, st := range ks {
		if st == "Active" {
			active = append(active, id)
		}
	}
	if len(active) != 1 || active[0] == oldID || len(ks) > 2 || (len(ks) == 2 && ks[oldID] != "Inactive") {
		t.Fatalf("keys %v (old %s): want one new active key and the old one inactive, nothing else", ks, oldID)
	}
	cur := active[0]
	p, s := readParam(t, param), readSecret(t, secret)
	if p.AccessKeyId != cur || s.AccessKeyId != cur {
		t.Fatalf("the parameter holds %s and the secret %s, want %s", p.AccessKeyId, s.AccessKeyId, cur)
	}
	id, err := sts.NewFromConfig(moto(t).Config(p.AccessKeyId, p.SecretAccessKey)).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil || !strings.HasSuffix(aws.ToString(id.Arn), ":user/"+user) {
		t.Fatalf("the delivered key does not sign as %s: %v", user, err)
	}
	for k, v := range tags {
		if k == keys.RotationTag || strings.HasPrefix(v, string(keys.Pending)+":") {
			t.Fatalf("left on the user: %s = %s", k, v)
		}
	}
}

// servedKeys are the key ids the destinations of user hold now (those that exist).
func servedKeys(t *testing.T, user string) []string {
	t.Helper()
	var ids []string
	for _, name := range []string{"/cc/" + user, "/ap/" + user} {
		if o, err := ssm.NewFromConfig(admin(t)).GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)}); err == nil {
			var c credJSON
			json.Unmarshal([]byte(aws.ToString(o.Parameter.Value)), &c)
			ids = append(ids, c.AccessKeyId)
		}
	}
	for _, name := range []string{"cc/" + user, "ap/" + user} {
		if o, err := sm.NewFromConfig(admin(t)).GetSecretValue(context.Background(), &sm.GetSecretValueInput{SecretId: aws.String(name)}); err == nil {
			var c credJSON
			json.Unmarshal([]byte(aws.ToString(o.SecretString)), &c)
			ids = append(ids, c.AccessKeyId)
		}
	}
	return ids
}

func readParam(t *testing.T, name string) credJSON {
	t.Helper()
	o, err := ssm.NewFromConfig(admin(t)).GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil {
		t.Fatalf("parameter %s: %v", name, err)
	}
	var c credJSON
	json.Unmarshal([]byte(aws.ToString(o.Parameter.Value)), &c)
	return c
}

func readSecret(t *testing.T, id string) credJSON {
	t.Helper()
	o, err := sm.NewFromConfig(admin(t)).GetSecretValue(context.Background(), &sm.GetSecretValueInput{SecretId: aws.String(id)})
	if err != nil {
		t.Fatalf("secret %s: %v", id, err)
	}
	var c credJSON
	json.Unmarshal([]byte(aws.ToString(o.SecretString)), &c)
	return c
}

// iamKeys and iamTags read with the SDK as the admin: ten trials at once would queue on the
// one AWS CLI witness.
func iamKeys(t *testing.T, user string) map[string]string { return userKeys(t, user) }

func iamTags(t *testing.T, user string) map[string]string {
	t.Helper()
	o, err := iam.NewFromConfig(admin(t)).ListUserTags(context.Background(), &iam.ListUserTagsInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, tg := range o.Tags {
		out[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return out
}
