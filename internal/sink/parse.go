package sink

import (
	"fmt"
	"io"
	"strings"
)

// Env is what Parse needs to build destinations for one user.
type Env struct {
	User            string
	SecretsManager  SecretsManagerAPI
	SSM             SSMAPI
	KMSKeyID        string
	CredentialsFile string                         // profile:NAME without @FILE
	Split           func(string) ([]string, error) // exec: COMMAND into words (no shell)
	ExecEnv         []string
	Out             io.Writer
}

// Parse builds one destination from its spec: secretsmanager:ID, ssm:NAME, profile:NAME[@FILE]
// or exec:COMMAND. {user} in the spec is replaced by the user's name, so one spec serves a
// glob of users.
func Parse(spec string, e Env) (Sink, error) {
	kind, rest, ok := strings.Cut(spec, ":")
	rest = strings.ReplaceAll(rest, "{user}", e.User)
	if !ok || rest == "" {
		return nil, fmt.Errorf("destination %q: want secretsmanager:SECRET_ID, ssm:NAME, profile:NAME[@FILE] or exec:COMMAND", spec)
	}
	switch kind {
	case "secretsmanager":
		return &SecretsManager{C: e.SecretsManager, SecretID: rest, User: e.User, KMSKeyID: e.KMSKeyID}, nil
	case "ssm":
		return &SSM{C: e.SSM, Name: rest, KMSKeyID: e.KMSKeyID}, nil
	case "profile":
		name, file, _ := strings.Cut(rest, "@")
		if file == "" {
			file = e.CredentialsFile
		}
		if name == "" || file == "" {
			return nil, fmt.Errorf("destination %q: want profile:NAME[@FILE]", spec)
		}
		return &Profile{Name: name, File: file}, nil
	case "exec":
		argv, err := e.Split(rest)
		if err != nil {
			return nil, fmt.Errorf("destination %q: %v", spec, err)
		}
		return &Exec{Argv: argv, Env: e.ExecEnv, Out: e.Out}, nil
	}
	return nil, fmt.Errorf("destination %q: unknown kind %q; want secretsmanager, ssm, profile or exec", spec, kind)
}
