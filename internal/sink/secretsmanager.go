package sink

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/keywarden/keywarden/internal/awsapi/secretsmanager"

	"github.com/keywarden/keywarden/internal/sink/kind"
)

// SecretsManagerAPI is the part of Secrets Manager the secretsmanager: destination uses.
type SecretsManagerAPI interface {
	DescribeSecret(context.Context, *sm.DescribeSecretInput, ...func(*sm.Options)) (*sm.DescribeSecretOutput, error)
	GetSecretValue(context.Context, *sm.GetSecretValueInput, ...func(*sm.Options)) (*sm.GetSecretValueOutput, error)
	PutSecretValue(context.Context, *sm.PutSecretValueInput, ...func(*sm.Options)) (*sm.PutSecretValueOutput, error)
	CreateSecret(context.Context, *sm.CreateSecretInput, ...func(*sm.Options)) (*sm.CreateSecretOutput, error)
	UpdateSecretVersionStage(context.Context, *sm.UpdateSecretVersionStageInput, ...func(*sm.Options)) (*sm.UpdateSecretVersionStageOutput, error)
}

var _ = builder(kind.SecretsManager, func(rest string, e Env) (Sink, error) {
	c := e.SecretsManager
	if c == nil {
		c = sm.NewFromConfig(e.Config)
	}
	return &SecretsManager{C: c, SecretID: rest, User: e.User, KMSKeyID: e.KMSKeyID}, nil
})

// UserTag on a secret names the IAM user whose key it holds.
const UserTag = "keywarden:user"

const (
	stageCurrent = "AWSCURRENT"
	stagePending = "AWSPENDING"
)

// SecretsManager stages the key as AWSPENDING, then moves AWSCURRENT to it, as Secrets
// Manager's own rotation does: the old version becomes AWSPREVIOUS.
type SecretsManager struct {
	C        SecretsManagerAPI
	SecretID string
	User     string // the IAM user whose key this is; tagged on a secret keywarden creates
	KMSKeyID string // optional, for a secret keywarden creates
	// Version, when set, is the version id the key is stored as instead of VersionID: the
	// ClientRequestToken Secrets Manager gives its rotation function.
	Version string
}

func (d *SecretsManager) String() string { return "secretsmanager:" + d.SecretID }

// VersionID is the version a key is stored as. Derived from the key id, so a retried put or
// create after a lost answer names the same version (Secrets Manager makes it idempotent) and
// a rerun finds the key again without any local state.
func VersionID(keyID string) string { return "keywarden-rotation-" + keyID }

func (d *SecretsManager) version(keyID string) string {
	if d.Version != "" {
		return d.Version
	}
	return VersionID(keyID)
}

func (d *SecretsManager) Check(ctx context.Context) error {
	out, err := d.C.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: &d.SecretID})
	if notFoundSM(err) {
		return nil // created on delivery
	}
	if err != nil {
		return &Error{d.String(), "describe the secret", err}
	}
	for _, t := range out.Tags {
		if aws.ToString(t.Key) == UserTag && aws.ToString(t.Value) != d.User {
			return &RefusedError{fmt.Sprintf("%s is tagged %s=%s, not %s; keywarden does not put one user's key in another user's secret: pick another secret, or fix its tag", d, UserTag, aws.ToString(t.Value), d.User)}
		}
	}
	return nil
}

// Stage puts the key as AWSPENDING. A secret that does not exist yet is not created here: its
// first version would become AWSCURRENT at once, before the key is proven.
func (d *SecretsManager) Stage(ctx context.Context, s Secret) (bool, error) {
	_, err := d.C.PutSecretValue(ctx, &sm.PutSecretValueInput{
		SecretId: &d.SecretID, ClientRequestToken: aws.String(d.version(s.AccessKeyID)),
		SecretString: aws.String(string(s.JSON())), VersionStages: []string{stagePending},
	})
	switch {
	case notFoundSM(err):
		return false, nil
	case err != nil:
		return false, &Error{d.String(), "put the new key as AWSPENDING", err}
	}
	return true, nil
}

// Deliver makes the key's version AWSCURRENT, creating the secret (tagged with its user) or
// the version first when needed.
func (d *SecretsManager) Deliver(ctx context.Context, s Secret) error {
	vid := d.version(s.AccessKeyID)
	out, err := d.C.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: &d.SecretID})
	if notFoundSM(err) {
		return d.create(ctx, s)
	}
	if err != nil {
		return &Error{d.String(), "describe the secret", err}
	}
	current := ""
	for v, stages := range out.VersionIdsToStages {
		for _, st := range stages {
			if st == stageCurrent {
				current = v
			}
		}
	}
	if current == vid {
		return nil
	}
	if _, staged := out.VersionIdsToStages[vid]; !staged {
		if _, err := d.Stage(ctx, s); err != nil {
			return err
		}
	}
	in := &sm.UpdateSecretVersionStageInput{SecretId: &d.SecretID, VersionStage: aws.String(stageCurrent), MoveToVersionId: &vid}
	if current != "" {
		in.RemoveFromVersionId = &current
	}
	if _, err := d.C.UpdateSecretVersionStage(ctx, in); err != nil {
		// A move whose answer was lost makes the SDK's retry fail (the stage is no longer on
		// the version it names to remove it from): the stages say whether it happened.
		if again, derr := d.C.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: &d.SecretID}); derr == nil && slices.Contains(again.VersionIdsToStages[vid], stageCurrent) {
			return nil
		}
		return &Error{d.String(), "move AWSCURRENT to the new key's version", err}
	}
	return nil
}

func (d *SecretsManager) create(ctx context.Context, s Secret) error {
	in := &sm.CreateSecretInput{
		Name: &d.SecretID, ClientRequestToken: aws.String(d.version(s.AccessKeyID)),
		SecretString: aws.String(string(s.JSON())),
		Description:  aws.String("access key of IAM user " + d.User + ", rotated by keywarden"),
		Tags:         []sm.Tag{{Key: aws.String(UserTag), Value: &d.User}},
	}
	if d.KMSKeyID != "" {
		in.KmsKeyId = &d.KMSKeyID
	}
	_, err := d.C.CreateSecret(ctx, in)
	var exists *sm.ResourceExistsException
	if errors.As(err, &exists) {
		return d.Deliver(ctx, s) // made by a call whose answer was lost, or by someone else meanwhile
	}
	if err != nil {
		return &Error{d.String(), "create the secret", err}
	}
	return nil
}

func (d *SecretsManager) Recover(ctx context.Context, keyID string) (Secret, bool, error) {
	out, err := d.C.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: &d.SecretID, VersionId: aws.String(d.version(keyID))})
	if notFoundSM(err) {
		return Secret{}, false, nil
	}
	if err != nil {
		return Secret{}, false, &Error{d.String(), "read the staged key back", err}
	}
	s, ok := parse([]byte(aws.ToString(out.SecretString)), keyID)
	return s, ok, nil
}

func (d *SecretsManager) CanRecover() bool { return true }

func (d *SecretsManager) Actions() []string { return kind.SecretsManager.ActionsFor(d.KMSKeyID != "") }

func notFoundSM(err error) bool {
	var nf *sm.ResourceNotFoundException
	return errors.As(err, &nf)
}
