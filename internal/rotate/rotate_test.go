package rotate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/sink"
)

// fakeAWS answers the few calls whose answers moto cannot be made to give (a caller that is
// not an IAM user, a key listed under another user) and records every call. Behaviour against
// real signatures is tested in test/ with moto.
type fakeAWS struct {
	engine.IAM                   // nil: any call not overridden panics, so unexpected calls are loud
	arn        string            // GetCallerIdentity answer
	refuse     func(string) bool // keys STS refuses
	keys       []string
	calls      []string
	created    int
	mu         sync.Mutex // the engine reads the user's tags and keys at once
}

func (f *fakeAWS) call(c string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
}

func (f *fakeAWS) connect(c Credentials) Clients {
	return Clients{IAM: &fakeIAM{f, c.AccessKeyID}, STS: &fakeSTS{f, c.AccessKeyID}}
}

type fakeIAM struct {
	*fakeAWS
	key string
}

func (f *fakeIAM) ListAccessKeys(_ context.Context, in *iam.ListAccessKeysInput, _ ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error) {
	f.call("ListAccessKeys")
	out := &iam.ListAccessKeysOutput{}
	for _, k := range f.keys {
		out.AccessKeyMetadata = append(out.AccessKeyMetadata, iamtypes.AccessKeyMetadata{AccessKeyId: aws.String(k), Status: iamtypes.StatusTypeActive})
	}
	return out, nil
}

func (f *fakeIAM) CreateAccessKey(context.Context, *iam.CreateAccessKeyInput, ...func(*iam.Options)) (*iam.CreateAccessKeyOutput, error) {
	f.call("CreateAccessKey")
	f.created++
	id := "AKIANEWNEWNEWNEWNEW" + string(rune('0'+f.created))
	f.keys = append(f.keys, id)
	return &iam.CreateAccessKeyOutput{AccessKey: &iamtypes.AccessKey{AccessKeyId: aws.String(id), SecretAccessKey: aws.String("new-secret")}}, nil
}

func (f *fakeIAM) DeleteAccessKey(_ context.Context, in *iam.DeleteAccessKeyInput, _ ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error) {
	f.call("DeleteAccessKey " + *in.AccessKeyId + " by " + f.key)
	var ks []string
	for _, k := range f.keys {
		if k != *in.AccessKeyId {
			ks = append(ks, k)
		}
	}
	f.keys = ks
	return &iam.DeleteAccessKeyOutput{}, nil
}

func (f *fakeIAM) TagUser(context.Context, *iam.TagUserInput, ...func(*iam.Options)) (*iam.TagUserOutput, error) {
	f.call("TagUser")
	return &iam.TagUserOutput{}, nil
}

type fakeSTS struct {
	*fakeAWS
	key string
}

func (f *fakeSTS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	f.call("GetCallerIdentity")
	if f.refuse != nil && f.refuse(f.key) {
		return nil, &smithy.GenericAPIError{Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid."}
	}
	return &sts.GetCallerIdentityOutput{Arn: aws.String(f.arn)}, nil
}

const oldKey = "AKIAOLDOLDOLDOLDOLD0"

func setup(t *testing.T, f *fakeAWS) (Options, *time.Duration) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "credentials")
	if err := os.WriteFile(path, []byte("[dev]\naws_access_key_id = "+oldKey+"\naws_secret_access_key = old-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var slept time.Duration
	frozen := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	return Options{
		CredentialsFile: path, Profile: "dev", Wait: 10 * time.Second,
		Connect: f.connect,
		Now:     func() time.Time { return frozen }, // a frozen clock must not make a wait endless
		Sleep:   func(_ context.Context, d time.Duration) error { slept += d; return nil },
	}, &slept
}

func TestRunRefusesBeforeCreating(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    *fakeAWS
		want string
	}{
		{"not an IAM user", &fakeAWS{arn: "arn:aws:sts::123456789012:assumed-role/Admin/me", keys: []string{oldKey}}, "is not an IAM user"},
		{"root", &fakeAWS{arn: "arn:aws:iam::123456789012:root", keys: []string{oldKey}}, "is not an IAM user"},
		{"key of another user", &fakeAWS{arn: "arn:aws:iam::123456789012:user/alice", keys: []string{"AKIAALICEALICEALICE0"}}, "is not a key of user alice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts, _ := setup(t, tc.f)
			before, _ := os.ReadFile(opts.CredentialsFile)
			_, err := Run(context.Background(), opts)
			var re *engine.RefusedError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want a refusal saying %q", err, tc.want)
			}
			if tc.f.created != 0 {
				t.Fatalf("a key was created: %v", tc.f.calls)
			}
			if after, _ := os.ReadFile(opts.CredentialsFile); string(after) != string(before) {
				t.Fatal("the credentials file changed")
			}
			if j, _ := ReadJournal(JournalPath(opts.CredentialsFile)); j != nil {
				t.Fatalf("journal left: %+v", j)
			}
		})
	}
}

// A new key that never works is deleted, signed with the old key, after exactly --wait even on a
// frozen clock, and the credentials file never held it: it is written only once proven.
func TestNewKeyThatNeverWorksNeverReachesTheFile(t *testing.T) {
	f := &fakeAWS{arn: "arn:aws:iam::123456789012:user/path/alice", keys: []string{oldKey},
		refuse: func(k string) bool { return k != oldKey }}
	opts, slept := setup(t, f)
	dest := &failingProfile{Profile: sink.Profile{Name: "dev", File: opts.CredentialsFile}}
	opts.dest = dest
	before, _ := os.ReadFile(opts.CredentialsFile)
	_, err := Run(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "did not work within 10s") || !strings.Contains(err.Error(), "the new key AKIANEWNEWNEWNEWNEW1 was deleted") {
		t.Fatalf("err = %v, want the new key deleted", err)
	}
	if *slept != opts.Wait {
		t.Fatalf("slept %s, want exactly --wait %s", *slept, opts.Wait)
	}
	if after, _ := os.ReadFile(opts.CredentialsFile); string(after) != string(before) || dest.writes != 0 {
		t.Fatalf("the credentials file was written %d times:\n%s", dest.writes, after)
	}
	last := ""
	for _, c := range f.calls {
		if strings.HasPrefix(c, "DeleteAccessKey ") {
			last = c
		}
	}
	if last != "DeleteAccessKey AKIANEWNEWNEWNEWNEW1 by "+oldKey || len(f.keys) != 1 {
		t.Fatalf("the new key must be deleted with the old key; calls %v", f.calls)
	}
	if j, _ := ReadJournal(JournalPath(opts.CredentialsFile)); j != nil {
		t.Fatalf("journal left: %+v", j)
	}
}

func TestResumeRefusesEditedProfile(t *testing.T) {
	f := &fakeAWS{arn: "arn:aws:iam::123456789012:user/alice", keys: []string{oldKey}}
	opts, _ := setup(t, f)
	st := &journalStore{path: JournalPath(opts.CredentialsFile), profile: "dev", user: "alice", retire: RetireDelete, now: opts.Now}
	if err := st.Save(context.Background(), keys.Rotation{Phase: keys.PhaseDelivering, OldKeyID: "AKIASOMETHINGELSE000",
		NewKeyID: "AKIAANOTHERKEYANOTH0", Before: []string{"AKIASOMETHINGELSE000"}}); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), opts)
	var re *engine.RefusedError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "will not guess") || len(f.calls) != 0 {
		t.Fatalf("err = %v, calls %v; want a refusal before any call", err, f.calls)
	}
	opts.Profile = "other"
	if _, err := Run(context.Background(), opts); err == nil || !strings.Contains(err.Error(), `rotation of profile "dev" in`) {
		t.Fatalf("another profile while one is pending: %v", err)
	}
}

func TestUserName(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:iam::123456789012:user/alice":          "alice",
		"arn:aws:iam::123456789012:user/team/ops/bob":   "bob",
		"arn:aws:sts::123456789012:assumed-role/r/sess": "",
		"arn:aws:iam::123456789012:root":                "",
	} {
		if got, _ := userName(arn); got != want {
			t.Errorf("userName(%q) = %q, want %q", arn, got, want)
		}
	}
}

// A long wait on IAM says where it stands instead of staying silent for the whole --wait.
func TestWaitSaysWhereItStands(t *testing.T) {
	f := &fakeAWS{arn: "arn:aws:iam::123456789012:user/alice", keys: []string{oldKey},
		refuse: func(k string) bool { return k != oldKey }}
	opts, _ := setup(t, f)
	opts.Wait = 30 * time.Second
	var said []string
	opts.Progress = func(_ time.Duration, msg string) { said = append(said, msg) }
	Run(context.Background(), opts)
	n := 0
	for _, m := range said {
		if strings.HasPrefix(m, "waiting for IAM to accept the new key: ") && strings.Contains(m, "refused so far") {
			n++
		}
	}
	// Backoff sleeps 0.5, then 1 s at most: a line at 5.5, 10.5, 15.5, 20.5 and 25.5 s.
	if n != 5 {
		t.Fatalf("%d progress lines in a 30 s wait, want 5:\n%s", n, strings.Join(said, "\n"))
	}
}

func (f *fakeIAM) ListUserTags(context.Context, *iam.ListUserTagsInput, ...func(*iam.Options)) (*iam.ListUserTagsOutput, error) {
	f.call("ListUserTags")
	return &iam.ListUserTagsOutput{}, nil
}

func (f *fakeIAM) UntagUser(context.Context, *iam.UntagUserInput, ...func(*iam.Options)) (*iam.UntagUserOutput, error) {
	f.call("UntagUser")
	return &iam.UntagUserOutput{}, nil
}

func TestLockIsKeyedOnTheResolvedFile(t *testing.T) {
	f := &fakeAWS{arn: "arn:aws:iam::123456789012:user/alice", keys: []string{oldKey}}
	opts, _ := setup(t, f)
	link := filepath.Join(t.TempDir(), "credentials-link")
	if err := os.Symlink(opts.CredentialsFile, link); err != nil {
		t.Fatal(err)
	}
	unlock, err := lock(LockPath(opts.CredentialsFile), opts.CredentialsFile)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	opts.CredentialsFile = link
	var re *engine.RefusedError
	if _, err := Run(context.Background(), opts); !errors.As(err, &re) || !strings.Contains(err.Error(), "another keywarden rotate") {
		t.Fatalf("a rotation through a link ran beside one through the real path: %v (calls %v)", err, f.calls)
	}
}

// Run as root on another user's file, the lock is that user's, and it is gone afterwards.

func TestLockIsOwnedLikeTheFileAndRemoved(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a file away")
	}
	path := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, 4242, 4243); err != nil {
		t.Fatal(err)
	}
	unlock, err := lock(LockPath(path), path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(LockPath(path))
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != 4242 || st.Gid != 4243 {
		t.Fatalf("the lock is owned by %d:%d, want the file's owner 4242:4243", st.Uid, st.Gid)
	}
	unlock()
	if _, err := os.Stat(LockPath(path)); err == nil {
		t.Fatal("the lock file is left behind")
	}
}

// failingProfile is the profile: sink whose nth write (1-based) fails, as a full disk would.
type failingProfile struct {
	sink.Profile
	failAt, writes int
}

func (d *failingProfile) Deliver(ctx context.Context, s sink.Secret) error {
	d.writes++
	if d.writes == d.failAt {
		return errors.New("no space left on device")
	}
	return d.Profile.Deliver(ctx, s)
}

// The profile is written through the sink, once the new key is proven: when that write fails
// and the file does not hold the new key, nobody can use it, so it is deleted with the old
// key and nothing else changed.
func TestStoreFailureDeletesTheNewKey(t *testing.T) {
	f := &fakeAWS{arn: "arn:aws:iam::123456789012:user/alice", keys: []string{oldKey}}
	opts, _ := setup(t, f)
	opts.dest = &failingProfile{Profile: sink.Profile{Name: "dev", File: opts.CredentialsFile}, failAt: 1}
	before, _ := os.ReadFile(opts.CredentialsFile)
	_, err := Run(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "no space left on device") || !strings.Contains(err.Error(), "was deleted; user alice is as before") {
		t.Fatalf("err = %v, want the write's failure and the new key deleted", err)
	}
	if len(f.keys) != 1 || f.keys[0] != oldKey {
		t.Fatalf("keys after a failed store: %v (calls %v)", f.keys, f.calls)
	}
	if after, _ := os.ReadFile(opts.CredentialsFile); string(after) != string(before) {
		t.Fatalf("the credentials file changed:\n%s", after)
	}
	if j, _ := ReadJournal(JournalPath(opts.CredentialsFile)); j != nil {
		t.Fatalf("journal left: %+v", j)
	}
}

// A journal from before the one engine (version 1, its states) is refused in one sentence
// before any call, and the file and the journal are left as they are.
func TestOldJournalIsRefusedBeforeAnyCall(t *testing.T) {
	f := &fakeAWS{arn: "arn:aws:iam::123456789012:user/alice", keys: []string{oldKey}}
	opts, _ := setup(t, f)
	v1 := `{"version": 1, "profile": "dev", "state": "stored", "user": "alice", "old_access_key_id": "` + oldKey + `"}` + "\n"
	jpath := JournalPath(opts.CredentialsFile)
	if err := os.WriteFile(jpath, []byte(v1), 0o600); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(opts.CredentialsFile)
	_, err := Run(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "has version 1, written by another keywarden release") || strings.Count(err.Error(), "\n") != 0 || len(f.calls) != 0 {
		t.Fatalf("err = %v, calls %v; want one sentence before any call", err, f.calls)
	}
	if after, _ := os.ReadFile(opts.CredentialsFile); string(after) != string(before) {
		t.Fatal("the credentials file changed")
	}
	if j, _ := os.ReadFile(jpath); string(j) != v1 {
		t.Fatalf("the journal changed:\n%s", j)
	}
}
