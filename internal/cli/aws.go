package cli

import (
	"context"
	"errors"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keywarden/keywarden/internal/awsconfig"
	"github.com/keywarden/keywarden/internal/clients"
	"github.com/keywarden/keywarden/internal/exitcode"
)

// session is the AWS side of one command: the config, its clients and who keywarden is.
type session struct {
	cfg aws.Config
	iam *iam.Client
	sts *sts.Client
}

func (g *globalOptions) session(ctx context.Context) (*session, error) {
	cfg, err := g.load(ctx, g.awsOptions(g.Profile))
	if err != nil {
		var fe *awsconfig.FileError
		if errors.As(err, &fe) {
			return nil, usageErr(err)
		}
		return nil, &codedError{code: exitcode.Auth, msg: err.Error()}
	}
	// Resolve credentials now so a missing or broken chain is one sentence before any call,
	// not an unsigned request the server answers with something unreadable.
	if cfg.Credentials == nil {
		return nil, &codedError{code: exitcode.Auth, msg: "no AWS credentials found; set AWS_PROFILE or pass --profile, or run 'aws configure'"}
	}
	s := &session{cfg: cfg, iam: clients.IAM(cfg), sts: clients.STS(cfg)}
	if _, err := s.selfKeyID(ctx); err != nil {
		return nil, err
	}
	slog.Debug("aws config", "profile", g.Profile, "region", cfg.Region, "endpoint", aws.ToString(cfg.BaseEndpoint))
	return s, nil
}

// selfKeyID is the access key the requests are signed with (awsconfig.SignedWith).
func (s *session) selfKeyID(ctx context.Context) (string, error) {
	id, err := awsconfig.SignedWith(ctx, s.cfg)
	if msg, ok := awsconfig.AssumeRoleFailure(err); ok {
		return "", &codedError{code: exitcode.Auth, msg: msg}
	}
	if err != nil {
		return "", awsErr("load credentials", err)
	}
	return id, nil
}

// identity is who the credentials in use belong to.
type identity struct {
	Account     string `json:"account"`
	ARN         string `json:"arn"`
	UserID      string `json:"user_id"`
	AccessKeyID string `json:"access_key_id"`
}

// whoami asks STS who is calling and reads the access key id the requests are signed with,
// which is the key the self-lockout guard protects.
func (s *session) whoami(ctx context.Context) (identity, error) {
	keyID, err := s.selfKeyID(ctx)
	if err != nil {
		return identity{}, err
	}
	o, err := s.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return identity{}, awsErr("identify the caller (sts:GetCallerIdentity)", err)
	}
	return identity{
		Account:     aws.ToString(o.Account),
		ARN:         aws.ToString(o.Arn),
		UserID:      aws.ToString(o.UserId),
		AccessKeyID: keyID,
	}, nil
}
