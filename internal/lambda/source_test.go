package lambda

import (
	"context"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/lambda/contract"
)

const sampleYAML = `jobs:
  curfew:
    schedule: "0 0 * * *"
    timezone: Asia/Tokyo
    select: {users: [access-key-user]}
    do: [{deactivate: {}}]
`

func TestLoadSource(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		wantFrom string
		wantSeed *SeedTarget
		wantErr  string
	}{
		{"inline config", map[string]string{contract.EnvConfig: sampleYAML}, "KEYWARDEN_CONFIG", nil, ""},
		{"inline config wins over seed vars", map[string]string{contract.EnvConfig: sampleYAML, contract.EnvSeedUser: "u", contract.EnvSeedKey: "K"}, "KEYWARDEN_CONFIG", nil, ""},
		{"seed vars", map[string]string{contract.EnvSeedUser: "access-key-user", contract.EnvSeedKey: "AKIAIOSFODNN7EXAMPLE"}, "seed",
			&SeedTarget{User: "access-key-user", AccessKeyID: "AKIAIOSFODNN7EXAMPLE"}, ""},
		{"seed user only", map[string]string{contract.EnvSeedUser: "u"}, "", nil, "TARGET_ACCESS_KEY_USER_NAME is set but TARGET_ACCESS_KEY_ID is not"},
		{"seed key only", map[string]string{contract.EnvSeedKey: "K"}, "", nil, "TARGET_ACCESS_KEY_ID is set but TARGET_ACCESS_KEY_USER_NAME is not"},
		{"nothing", map[string]string{}, "", nil, "no configuration: set KEYWARDEN_CONFIG"},
		{"both config sources", map[string]string{contract.EnvConfig: sampleYAML, contract.EnvConfigSSM: "/kw"}, "", nil, "both KEYWARDEN_CONFIG and KEYWARDEN_CONFIG_SSM are set"},
		{"bad inline config names the line", map[string]string{contract.EnvConfig: "jobs:\n  x:\n    schedule: \"61 * * * *\"\n    do: [{deactivate: {}}]\n"}, "", nil, "KEYWARDEN_CONFIG:3:"},
		{"ssm without client", map[string]string{contract.EnvConfigSSM: "/kw"}, "", nil, "no SSM client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := LoadSource(context.Background(), func(k string) string { return tt.env[k] }, nil)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if src.From != tt.wantFrom {
				t.Errorf("From = %q, want %q", src.From, tt.wantFrom)
			}
			if (src.Seed == nil) != (tt.wantSeed == nil) || src.Seed != nil && *src.Seed != *tt.wantSeed {
				t.Errorf("Seed = %+v, want %+v", src.Seed, tt.wantSeed)
			}
			if tt.wantSeed == nil && (src.Config == nil || len(src.Config.Jobs) != 1) {
				t.Errorf("Config = %+v, want the one curfew job", src.Config)
			}
		})
	}
}
