package rotate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keywarden/keywarden/internal/credfile"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/sink"
)

// Credentials is a static access key: the same type a service rotation delivers, so printing
// it never shows the secret there either.
type Credentials = sink.Secret

// Clients are IAM and STS clients signed with one key.
type Clients struct {
	IAM engine.IAM
	STS engine.STS
}

// Retire is what happens to the old key once the new one works.
type Retire string

const (
	RetireDelete     Retire = "delete"
	RetireDeactivate Retire = "deactivate"
)

// Options configure one rotation.
type Options struct {
	CredentialsFile string
	ConfigFile      string // read only to classify the profile; may not exist
	Profile         string
	Retire          Retire
	MakeRoom        bool          // delete an inactive second key to make room for the new one
	Wait            time.Duration // how long to wait for the new key to work and the old to die

	// Connect returns clients signed with c (and nothing else: no profile, no environment).
	Connect func(c Credentials) Clients
	// Probe, if set, runs the user's own check with the new key; an error abandons the new key.
	Probe func(ctx context.Context, c Credentials) error
	Now   func() time.Time
	Sleep func(context.Context, time.Duration) error
	// Progress receives each step as it happens, with the time since the run started.
	Progress func(elapsed time.Duration, msg string)
	// Failpoint is called with a step name at each crash-test point (tests end the process there).
	Failpoint func(name string)
	Origin    string // provenance origin, default "rotate"
	// Token is the rotation's request token (--client-request-token): a run whose profile
	// holds the key this token's rotation created reports it done and changes nothing.
	Token string

	dest sink.Sink // tests make the profile's writes fail; nil is the profile: sink
}

// Result is what a finished rotation did.
type Result struct {
	Profile  string `json:"profile"`
	User     string `json:"user"`
	OldKeyID string `json:"old_access_key_id"`
	NewKeyID string `json:"new_access_key_id"`
	Retire   Retire `json:"retire"`
	// State is "done" when the profile holds a new key that works and the old one is retired.
	State string `json:"state"`
	// AlreadyDone says the rotation was finished by an earlier run with the same token: this
	// run changed nothing.
	AlreadyDone string `json:"already_done,omitempty"`
	// OldKey says what became of the old key: "rejected" (STS refused it), "absent" (IAM no longer
	// lists it; checked when its secret was not at hand), "inactive", or "still-accepted".
	OldKey   string        `json:"old_key"`
	Resumed  bool          `json:"resumed"`
	Deleted  []string      `json:"deleted_keys,omitempty"` // made room, or orphans of an interrupted create
	Warnings []string      `json:"warnings,omitempty"`
	Steps    []engine.Step `json:"steps"`
	Seconds  float64       `json:"seconds"`
}

// Run rotates the profile's key through the one rotation engine (internal/engine): the
// profile is the destination, the journal beside the credentials file the state, the
// profile's key signs until the new key is proven and the new key after.
func Run(ctx context.Context, opts Options) (Result, error) {
	target, err := credfile.Resolve(opts.CredentialsFile)
	if err != nil {
		return Result{}, err
	}
	if opts.Retire == "" {
		opts.Retire = RetireDelete
	}
	dest := opts.dest
	if dest == nil {
		dest = &sink.Profile{Name: opts.Profile, File: opts.CredentialsFile}
	}
	// A rotation that is refused at once (no file, no such profile, a session token) leaves
	// nothing on disk: the lock is taken only once there is something to rotate.
	if err := precheck(opts, JournalPath(target)); err != nil {
		return Result{}, err
	}
	unlock, err := lock(LockPath(target), target)
	if err != nil {
		return Result{}, err
	}
	defer unlock()
	start := opts.Now()
	say := func(format string, a ...any) {
		if opts.Progress != nil {
			opts.Progress(opts.Now().Sub(start), fmt.Sprintf(format, a...))
		}
	}
	// Under the lock no other keywarden writes these files, so a temporary file beside them is
	// a copy a killed run left: it holds secrets, so it goes now.
	for _, p := range []string{target, JournalPath(target)} {
		removed, err := credfile.RemoveStaleTemps(p)
		if err != nil {
			return Result{}, err
		}
		for _, f := range removed {
			say("removed %s, left by a rotation killed while writing", f)
		}
	}
	res := Result{Profile: opts.Profile, Retire: opts.Retire}
	eo, err := engineOptions(ctx, opts, JournalPath(target), dest, &res, say, start)
	if err != nil {
		return res, err
	}
	er, err := engine.Run(ctx, eo)
	res.User, res.OldKeyID, res.NewKeyID = er.User, er.OldKeyID, er.NewKeyID
	res.State, res.AlreadyDone, res.OldKey, res.Resumed = er.State, er.AlreadyDone, er.OldKey, er.Resumed || res.Resumed
	res.Deleted, res.Warnings = er.Deleted, er.Warnings
	res.Steps = append(res.Steps, er.Steps...)
	res.Seconds = opts.Now().Sub(start).Seconds()
	return res, err
}

// engineOptions reads the profile and the journal and says who the rotation is of: the
// journal's user when a rotation is pending, else the owner STS names for the profile's key.
func engineOptions(ctx context.Context, opts Options, jpath string, dest sink.Sink, res *Result, say func(string, ...any), start time.Time) (engine.Options, error) {
	creds, err := credfile.Load(opts.CredentialsFile)
	if err != nil {
		return engine.Options{}, err
	}
	store := &journalStore{path: jpath, profile: opts.Profile, retire: opts.Retire, now: opts.Now}
	j, err := ReadJournal(jpath)
	if err != nil {
		return engine.Options{}, err
	}
	var held Credentials
	if j == nil {
		p, err := classify(opts, creds)
		if err != nil {
			return engine.Options{}, err
		}
		held = Credentials{AccessKeyID: p.AccessKeyID, SecretAccessKey: p.SecretAccessKey}
	} else {
		if held, err = pending(opts, creds, j, jpath); err != nil {
			return engine.Options{}, err
		}
		store.j = j
		opts.Retire = j.Retire // finish as it was started
		res.Retire, res.Resumed = j.Retire, true
		say("resuming the interrupted rotation of %s (phase %s)", j.OldKeyID, j.Phase)
	}
	c := opts.Connect(held)
	user, arn := "", ""
	if j != nil {
		user, arn = j.User, j.UserARN
	} else {
		id, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return engine.Options{}, &engine.StepError{What: fmt.Sprintf("identify the owner of %s (profile %s)", held.AccessKeyID, opts.Profile), Err: err}
		}
		arn = aws.ToString(id.Arn)
		var ok bool
		if user, ok = userName(arn); !ok {
			return engine.Options{}, &engine.RefusedError{Msg: fmt.Sprintf("profile %q signs as %s, which is not an IAM user; keywarden rotates IAM user access keys only", opts.Profile, arn)}
		}
		say("profile %s: key %s of user %s", opts.Profile, held.AccessKeyID, user)
		res.Steps = append(res.Steps, engine.Step{Name: "identify", Seconds: opts.Now().Sub(start).Seconds()})
	}
	res.User = user
	store.user, store.arn = user, arn
	eo := engine.Options{
		IAM:       c.IAM,
		SignAfter: func(s sink.Secret) engine.IAM { return opts.Connect(s).IAM },
		Connect:   func(s sink.Secret) engine.STS { return opts.Connect(s).STS },
		User:      user, UserARN: arn, Store: store, Sinks: []sink.Sink{dest},
		OldKeyID: held.AccessKeyID, Delete: opts.Retire == RetireDelete, Prove: true,
		MakeRoom: opts.MakeRoom, Origin: opts.Origin, Token: opts.Token,
		Wait: engine.WaitOptions{Wait: opts.Wait, Sleep: opts.Sleep},
		Now:  opts.Now, Progress: opts.Progress, Failpoint: opts.Failpoint,
	}
	if opts.Probe != nil {
		eo.Probe = func(ctx context.Context, s sink.Secret) error { return opts.Probe(ctx, s) }
	}
	if j == nil || held.AccessKeyID == j.OldKeyID {
		eo.OldSecret = held.SecretAccessKey
	} else {
		eo.OldKeyID = j.OldKeyID // the profile holds the new key: the old one is the journal's
	}
	return eo, nil
}

// pending checks the profile against the journal of an interrupted rotation: it must hold the
// old key or the new one, or someone edited the file in between and keywarden will not guess.
func pending(opts Options, creds *credfile.File, j *Journal, jpath string) (Credentials, error) {
	if j.Profile != opts.Profile {
		return Credentials{}, &engine.RefusedError{Msg: fmt.Sprintf("an interrupted rotation of profile %q in %s is pending; finish it first with \"keywarden rotate --profile %s\"", j.Profile, opts.CredentialsFile, j.Profile)}
	}
	p, ok := creds.Profile(opts.Profile)
	if !ok || p.AccessKeyID == "" || p.SecretAccessKey == "" {
		return Credentials{}, &engine.RefusedError{Msg: fmt.Sprintf("an interrupted rotation of profile %q is pending (journal %s, phase %s), but the profile no longer holds a key; restore it, or remove the journal after checking the keys of %s", opts.Profile, jpath, j.Phase, j.User)}
	}
	if p.AccessKeyID != j.OldKeyID && p.AccessKeyID != j.NewKeyID {
		return Credentials{}, &engine.RefusedError{Msg: fmt.Sprintf("an interrupted rotation of profile %q is pending (journal %s: old key %s, new key %s, phase %s), but the profile now holds %s; it was edited since, so keywarden will not guess: check the keys of user %s, then remove the journal", opts.Profile, jpath, j.OldKeyID, orNone(j.NewKeyID), j.Phase, p.AccessKeyID, j.User)}
	}
	return Credentials{AccessKeyID: p.AccessKeyID, SecretAccessKey: p.SecretAccessKey}, nil
}

// precheck refuses, reading only, what Run would refuse before changing anything.
func precheck(opts Options, jpath string) error {
	creds, err := credfile.Load(opts.CredentialsFile)
	if err != nil {
		return err
	}
	j, err := ReadJournal(jpath)
	if err != nil || j != nil {
		return err // an interrupted rotation is judged under the lock
	}
	_, err = classify(opts, creds)
	return err
}

// classify refuses anything but a static key in the credentials file.
func classify(opts Options, creds *credfile.File) (credfile.Profile, error) {
	var cfg *credfile.File
	if opts.ConfigFile != "" {
		c, err := credfile.LoadConfig(opts.ConfigFile)
		switch {
		case err == nil:
			cfg = c
		case !errors.Is(err, fs.ErrNotExist):
			return credfile.Profile{}, err
		}
	}
	if _, err := credfile.Classify(creds, cfg, opts.Profile); err != nil {
		return credfile.Profile{}, err
	}
	p, _ := creds.Profile(opts.Profile)
	return p, nil
}

// userName returns the user name of an IAM user ARN (arn:aws:iam::123:user/path/name).
func userName(arn string) (string, bool) {
	_, rest, ok := strings.Cut(arn, ":user/")
	if !ok || rest == "" {
		return "", false
	}
	return rest[strings.LastIndex(rest, "/")+1:], true
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
