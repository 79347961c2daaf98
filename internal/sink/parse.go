package sink

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/keywarden/keywarden/internal/sink/kind"
)

// Env is what Parse needs to build destinations for one user.
type Env struct {
	User string
	// Config makes the AWS clients of the destinations that need one; SecretsManager and SSM,
	// when set, are used instead (tests).
	Config          aws.Config
	SecretsManager  SecretsManagerAPI
	SSM             SSMAPI
	KMSKeyID        string
	CredentialsFile string                         // profile:NAME without @FILE
	Split           func(string) ([]string, error) // exec: COMMAND into words (no shell)
	ExecEnv         []string                       // also where github: finds its token and k8s: its kubeconfig
	Out             io.Writer
	HTTP            *http.Client     // github:'s; nil is http.DefaultClient
	Now             func() time.Time // k8s:'s restart= stamps the rollout with it
}

// builders make each kind's destination from the part after its colon, {user} already
// replaced. Each kind's file adds its own; a test holds them to internal/sink/kind.
var builders = map[string]func(rest string, e Env) (Sink, error){}

func builder(k *kind.Kind, b func(rest string, e Env) (Sink, error)) *kind.Kind {
	builders[k.Name] = b
	return k
}

// Parse builds one destination from its spec (internal/sink/kind has the kinds). {user} in
// the spec is replaced by the user's name, so one spec serves a glob of users.
func Parse(spec string, e Env) (Sink, error) {
	if p := kind.Problem(spec, nil); p != "" {
		return nil, fmt.Errorf("%s", p)
	}
	k, rest := kind.Of(kind.ExpandUser(spec, e.User))
	return builders[k.Name](rest, e)
}
