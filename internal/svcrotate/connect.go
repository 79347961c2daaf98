package svcrotate

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/keywarden/keywarden/internal/clients"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/sink"
)

// ConnectWith is Options.Connect for an admin's config: STS with the same endpoint, region and
// retries, signed with the given key and nothing else, so a success proves that key works.
func ConnectWith(cfg aws.Config) func(sink.Secret) engine.STS {
	return func(k sink.Secret) engine.STS {
		c := cfg.Copy()
		c.Credentials = credentials.NewStaticCredentialsProvider(k.AccessKeyID, k.SecretAccessKey, "")
		return clients.STS(c)
	}
}
