package sink

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/keywarden/keywarden/internal/awsapi/ssm"

	"github.com/keywarden/keywarden/internal/sink/kind"
)

// SSMAPI is the part of SSM Parameter Store the ssm: destination uses.
type SSMAPI interface {
	GetParameter(context.Context, *ssm.GetParameterInput, ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
	PutParameter(context.Context, *ssm.PutParameterInput, ...func(*ssm.Options)) (*ssm.PutParameterOutput, error)
}

var _ = builder(kind.SSM, func(rest string, e Env) (Sink, error) {
	c := e.SSM
	if c == nil {
		c = ssm.NewFromConfig(e.Config)
	}
	return &SSM{C: c, Name: rest, KMSKeyID: e.KMSKeyID}, nil
})

// SSM writes the key as a new version of a SecureString parameter. A parameter has no slot
// consumers do not read, so it is written only once the key is proven.
type SSM struct {
	C        SSMAPI
	Name     string
	KMSKeyID string // optional; SSM's default key otherwise
}

func (d *SSM) String() string                              { return "ssm:" + d.Name }
func (d *SSM) Check(context.Context) error                 { return nil }
func (d *SSM) Stage(context.Context, Secret) (bool, error) { return false, nil }
func (d *SSM) CanRecover() bool                            { return true }

func (d *SSM) Deliver(ctx context.Context, s Secret) error {
	if cur, ok, err := d.Recover(ctx, s.AccessKeyID); err == nil && ok && cur == s {
		return nil // already delivered by an interrupted run: no extra version
	}
	in := &ssm.PutParameterInput{
		Name: &d.Name, Value: aws.String(string(s.JSON())), Type: ssm.ParameterTypeSecureString,
		Overwrite: aws.Bool(true),
	}
	if d.KMSKeyID != "" {
		in.KeyId = &d.KMSKeyID
	}
	if _, err := d.C.PutParameter(ctx, in); err != nil {
		return &Error{d.String(), "put the new key", err}
	}
	return nil
}

func (d *SSM) Recover(ctx context.Context, keyID string) (Secret, bool, error) {
	out, err := d.C.GetParameter(ctx, &ssm.GetParameterInput{Name: &d.Name, WithDecryption: aws.Bool(true)})
	var nf *ssm.ParameterNotFound
	if errors.As(err, &nf) {
		return Secret{}, false, nil
	}
	if err != nil {
		return Secret{}, false, &Error{d.String(), "read the parameter", err}
	}
	s, ok := parse([]byte(aws.ToString(out.Parameter.Value)), keyID)
	return s, ok, nil
}

func (d *SSM) Actions() []string { return kind.SSM.ActionsFor(d.KMSKeyID != "") }
