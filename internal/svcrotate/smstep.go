package svcrotate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	sm "github.com/keywarden/keywarden/internal/awsapi/secretsmanager"

	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/sink"
)

// Secrets Manager's rotation steps, as its events name them.
const (
	StepCreate = "createSecret"
	StepSet    = "setSecret"
	StepTest   = "testSecret"
	StepFinish = "finishSecret"
)

// GraceTag on a secret is the grace (a Go duration such as 24h) the rotation function keeps
// the old key active after finishSecret. Without it the old key is deactivated at once: a
// Secrets Manager consumer reads AWSCURRENT, which finishSecret has just moved.
const GraceTag = "keywarden:grace"

// SecretStep is one step of a Secrets Manager rotation of the secret SecretID, whose
// keywarden:user tag (or JSON "UserName", or the owner of its current AccessKeyId) names the
// IAM user. The steps are the service rotation split at Secrets Manager's seams, with the
// version id its ClientRequestToken instead of one derived from the key id:
//   - createSecret: svcrotate up to staging (make room, record, create, put AWSPENDING).
//   - setSecret: nothing; IAM is the only place the key lives besides the secret.
//   - testSecret: STS signed with the AWSPENDING key answers as the user, several times.
//   - finishSecret: the rest of svcrotate: verify, move AWSCURRENT (off the current
//     version), record, retire the old key per the secret's grace.
//
// Each is idempotent: a retried step finds the record on the user and the token's version.
type SecretStep struct {
	IAM       engine.IAM
	SM        sink.SecretsManagerAPI
	Connect   func(sink.Secret) engine.STS
	Step      string
	SecretID  string
	Token     string
	SelfKeyID string
	Wait      engine.WaitOptions
	Now       func() time.Time
	Progress  func(msg string)
}

// Run does the step and returns the rotation's result (State "staged" after createSecret).
func (s SecretStep) Run(ctx context.Context) (Result, error) {
	desc, err := s.SM.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: &s.SecretID})
	if err != nil {
		return Result{}, &engine.StepError{What: "describe the secret " + s.SecretID, Err: err}
	}
	if s.Token == "" {
		return Result{}, &engine.RefusedError{Msg: fmt.Sprintf("the %s event for %s has no ClientRequestToken; Secrets Manager always sends one", s.Step, s.SecretID)}
	}
	user, grace, err := s.owner(ctx, desc)
	if err != nil {
		return Result{}, err
	}
	d := &sink.SecretsManager{C: s.SM, SecretID: s.SecretID, User: user, Version: s.Token}
	o := Options{IAM: s.IAM, Connect: s.Connect, User: user, Sinks: []sink.Sink{d}, Grace: grace,
		SelfKeyID: s.SelfKeyID, Origin: "secretsmanager-rotation",
		Wait: s.Wait, Now: s.Now, Progress: s.Progress}
	stages, known := desc.VersionIdsToStages[s.Token]
	current := slices.Contains(stages, "AWSCURRENT")
	pending := slices.Contains(stages, "AWSPENDING")
	switch s.Step {
	case StepSet:
		return Result{User: user, State: "set"}, nil
	case StepCreate:
		switch {
		case current:
			return Result{User: user, State: "done"}, nil // the token's rotation is over
		case known && !pending:
			return Result{}, &engine.RefusedError{Msg: fmt.Sprintf("the token %s of the createSecret event for %s names a finished version (%s); start a rotation with a new token (aws secretsmanager rotate-secret)", s.Token, s.SecretID, strings.Join(stages, ", "))}
		}
		o.StopAfterStage = true
		res, err := Run(ctx, o)
		if err == nil && res.State == "done" {
			// The run finished the previous rotation (its grace had passed); now start this one.
			res, err = Run(ctx, o)
		}
		if err == nil && res.State != "staged" {
			err = &engine.RefusedError{Msg: fmt.Sprintf("the previous rotation of %s is not finished (%s; old key %s until %s): rotate %s after that", user, res.State, res.OldKeyID, res.RetireAfter.Format(time.RFC3339), s.SecretID)}
		}
		return res, err
	case StepTest:
		return s.test(ctx, d, user)
	case StepFinish:
		if current {
			if tags, err := inventory.ListTags(ctx, s.IAM, user); err == nil && tags[keys.RotationTag] == "" {
				return Result{User: user, State: "done"}, nil // a retry after the finish
			}
		}
		if !current && !pending {
			// Finishing is only ever of the token's own pending version: without one this
			// would start a rotation, or finish (and retire the keys of) another token's.
			return Result{}, &engine.RefusedError{Msg: fmt.Sprintf("the token %s of the finishSecret event for %s has no AWSPENDING version (its stages: %s); nothing to finish: createSecret with this token first", s.Token, s.SecretID, orNone(strings.Join(stages, ", ")))}
		}
		return Run(ctx, o)
	}
	return Result{}, &engine.RefusedError{Msg: fmt.Sprintf("unknown rotation step %q for %s; want createSecret, setSecret, testSecret or finishSecret", s.Step, s.SecretID)}
}

// test proves the AWSPENDING key of the token's version works, signed with it alone.
func (s SecretStep) test(ctx context.Context, d *sink.SecretsManager, user string) (Result, error) {
	res := Result{User: user, State: "tested"}
	out, err := s.SM.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: &s.SecretID, VersionId: &s.Token, VersionStage: aws.String("AWSPENDING")})
	if err != nil {
		return res, &engine.StepError{What: fmt.Sprintf("read the AWSPENDING version %s of %s (did createSecret run?)", s.Token, s.SecretID), Err: err}
	}
	var p struct{ AccessKeyId string }
	_ = json.Unmarshal([]byte(aws.ToString(out.SecretString)), &p)
	sec, ok, err := d.Recover(ctx, p.AccessKeyId)
	if err != nil || !ok {
		return res, &engine.RefusedError{Msg: fmt.Sprintf("the AWSPENDING version %s of %s holds no access key keywarden wrote; run the rotation again", s.Token, s.SecretID)}
	}
	u, err := s.IAM.GetUser(ctx, &iam.GetUserInput{UserName: &user})
	if err != nil {
		return res, &engine.StepError{What: "read user " + user, Err: err}
	}
	progress := func(time.Duration, string) {}
	if s.Progress != nil {
		progress = func(_ time.Duration, msg string) { s.Progress(msg) }
	}
	if _, err := engine.WaitWorks(ctx, s.Connect(sec), aws.ToString(u.User.Arn), s.Wait, s.Now, progress); err != nil {
		return res, fmt.Errorf("the pending key %s of %s in %s does not work: %v", sec.AccessKeyID, user, s.SecretID, err)
	}
	res.NewKeyID = sec.AccessKeyID
	return res, nil
}

// owner names the secret's IAM user and its grace: the keywarden:user tag, else the JSON's
// UserName, else the user whose key the current version holds.
func (s SecretStep) owner(ctx context.Context, desc *sm.DescribeSecretOutput) (string, time.Duration, error) {
	user, graceTag := "", ""
	for _, t := range desc.Tags {
		switch aws.ToString(t.Key) {
		case sink.UserTag:
			user = aws.ToString(t.Value)
		case GraceTag:
			graceTag = aws.ToString(t.Value)
		}
	}
	grace, err := time.ParseDuration(graceTag)
	if graceTag == "" {
		grace, err = 0, nil
	}
	if err != nil || grace < 0 {
		return "", 0, &engine.RefusedError{Msg: fmt.Sprintf("the %s tag of %s is %q; want a duration like 24h, or remove it to deactivate the old key at finishSecret", GraceTag, s.SecretID, graceTag)}
	}
	out, err := s.SM.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: &s.SecretID, VersionStage: aws.String("AWSCURRENT")})
	var nf *sm.ResourceNotFoundException
	if err != nil && !errors.As(err, &nf) {
		return "", 0, &engine.StepError{What: "read the current value of " + s.SecretID, Err: err}
	}
	var v struct{ UserName, AccessKeyId string }
	if err == nil {
		_ = json.Unmarshal([]byte(aws.ToString(out.SecretString)), &v)
	}
	if v.UserName == "" && v.AccessKeyId != "" {
		if lu, err := s.IAM.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: &v.AccessKeyId}); err == nil {
			v.UserName = aws.ToString(lu.UserName)
		}
	}
	if user != "" {
		// The tag names whose key goes in; a secret holding another user's key would hand
		// that user's consumers this user's key at finishSecret.
		if v.UserName != "" && v.UserName != user {
			return "", 0, &engine.RefusedError{Msg: fmt.Sprintf("secret %s is tagged %s=%s but holds %s, a key of %s; fix the tag or the secret before rotating it", s.SecretID, sink.UserTag, user, v.AccessKeyId, v.UserName)}
		}
		return user, grace, nil
	}
	if v.UserName == "" {
		return "", 0, &engine.RefusedError{Msg: fmt.Sprintf("secret %s names no IAM user: tag it %s=USER (aws secretsmanager tag-resource --secret-id %s --tags Key=%s,Value=USER)", s.SecretID, sink.UserTag, s.SecretID, sink.UserTag)}
	}
	return v.UserName, grace, nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
