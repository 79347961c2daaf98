package cli

import (
	"context"
	"reflect"
	"testing"
	"time"
)

func TestServiceRotateFlags(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		want *serviceRotateFlags
	}{
		{"defaults", []string{"--user", "svc-ci", "--to", "secretsmanager:ci/svc"}, 0,
			&serviceRotateFlags{Users: []string{"svc-ci"}, To: []string{"secretsmanager:ci/svc"}, Grace: 24 * time.Hour}},
		{"all flags", []string{"-u", "svc-*", "--to", "ssm:/ci/{user}", "--to", "exec:push {user}", "--grace", "0s", "--force", "--kms-key-id", "alias/ci"}, 0,
			&serviceRotateFlags{Users: []string{"svc-*"}, To: []string{"ssm:/ci/{user}", "exec:push {user}"}, Force: true, KMSKeyID: "alias/ci"}},
		{"grace in keywarden.yaml's syntax", []string{"--user", "svc-ci", "--to", "ssm:/x", "--grace", "1w2d"}, 0,
			&serviceRotateFlags{Users: []string{"svc-ci"}, To: []string{"ssm:/x"}, Grace: 9 * 24 * time.Hour}},
		{"no destination", []string{"--user", "svc-ci"}, 2, nil},
		{"no user", []string{"--to", "ssm:/x"}, 2, nil},
		{"unknown destination", []string{"--user", "svc-ci", "--to", "vault:x"}, 2, nil},
		{"one destination for a glob", []string{"--user", "svc-*", "--to", "ssm:/x"}, 2, nil},
		{"self-rotation flags", []string{"--user", "svc-ci", "--to", "ssm:/x", "--retire", "delete"}, 2, nil},
		{"negative grace", []string{"--user", "svc-ci", "--to", "ssm:/x", "--grace", "-1h"}, 2, nil},
		{"bad exec quoting", []string{"--user", "svc-ci", "--to", "exec:sh -c 'x"}, 2, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, _, errb := testDeps()
			var got *rotateOptions
			cmd := newCmdRotate(d, &globalOptions{}, func(_ context.Context, o *rotateOptions) error { got = o; return nil })
			cmd.SetFlagErrorFunc(flagError) // as the root sets it for every command
			cmd.SetArgs(tc.args)
			if code := reportError(errb, cmd.Execute()); code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, errb)
			}
			if tc.want != nil && (got == nil || !reflect.DeepEqual(&got.service, tc.want)) {
				t.Fatalf("options %+v, want %+v", got, tc.want)
			}
		})
	}
}
