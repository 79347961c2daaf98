package test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/keywarden/keywarden/test/emu"
)

// TestScripts runs the real binary through the scenarios in testdata/script, one file each,
// against the shared moto(t). Each script gets the emulator environment and these commands:
//
//	mkuser NAME N   create a user with N access keys; the ids are in $NAME_KEY1, $NAME_KEY2
//	keystatus USER KEY WANT   the AWS CLI, not keywarden, must see the key in state WANT
func TestScripts(t *testing.T) {
	parallel(t)
	bin := emu.Binary(t)
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		// Scripts run in parallel, so each leases a moto of its own from the pool.
		Setup: func(e *testscript.Env) error {
			s, err := pool.Acquire()
			if err != nil {
				return err
			}
			e.Defer(func() {
				if err := pool.Release(s); err != nil {
					t.Error(err)
				}
			})
			e.Values[motoKey{}] = s
			e.Vars = append(e.Vars, s.Env(scriptAdmin[0], scriptAdmin[1])...)
			e.Vars = append(e.Vars, "KEYWARDEN="+bin)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"mkuser": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: mkuser NAME N")
				}
				s := ts.Value(motoKey{}).(*emu.Server)
				c := iam.NewFromConfig(s.Config(scriptAdmin[0], scriptAdmin[1]))
				ctx := context.Background()
				_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(args[0])})
				ts.Check(err)
				for i := range int(args[1][0] - '0') {
					o, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(args[0])})
					ts.Check(err)
					ts.Setenv(strings.ReplaceAll(args[0], "-", "_")+"_KEY"+string(rune('1'+i)), aws.ToString(o.AccessKey.AccessKeyId))
				}
			},
			"keystatus": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 3 {
					ts.Fatalf("usage: keystatus USER KEY WANT")
				}
				s := ts.Value(motoKey{}).(*emu.Server)
				if got := keyStatusByCLI(t, s.Env(scriptAdmin[0], scriptAdmin[1]), args[0], args[1]); got != args[2] {
					ts.Fatalf("aws CLI: %s of %s is %s, want %s", args[1], args[0], got, args[2])
				}
			},
		},
	})
}

type motoKey struct{}

var scriptAdmin = [2]string{"AKIAADMINADMINADMIN0", "admin-secret"}
