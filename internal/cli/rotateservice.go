package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/exitcode"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/jobs"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/report"
	"github.com/keywarden/keywarden/internal/sink"
	"github.com/keywarden/keywarden/internal/sink/kind"
	"github.com/keywarden/keywarden/internal/svcrotate"
)

// serviceRotateFlags are rotate's flags for a service user's key (signed as an admin).
type serviceRotateFlags struct {
	Users    []string
	To       []string
	Grace    time.Duration
	Force    bool
	KMSKeyID string
}

// serviceRotateHelp's destinations are the kinds internal/sink/kind declares, one line each;
// built when rotate's help is, not at init.
func serviceRotateHelp() string {
	return fmt.Sprintf(`With --user and --to, rotate a service user's key, signed as an admin, and deliver it:

  1. check the destinations and the two-key limit (--make-room deletes an inactive second key)
  2. record the rotation on the user (tag keywarden:rotation: key ids and times, no secret)
  3. create the new key, and stage it where consumers do not read it yet (AWSPENDING)
  4. wait until STS, signed with the new key, answers as the user several times in a row
  5. deliver it to every --to:
%s  6. retire the old key: --grace 0 deactivates it at once; otherwise it stays active and a later
     run deactivates it once the grace has passed and IAM shows no use of it since delivery
     (a consumer still on it is named and exit 4, unless --force)
Each destination holds {"Version":1,"AccessKeyId":…,"SecretAccessKey":…}, the JSON a
credential_process prints. {user} in a destination is the user's name. Killed at any step, the
same command finishes it, from the user's tag and the destinations alone.

`, destinationsHelp())
}

func destinationsHelp() string {
	var b strings.Builder
	for _, k := range kind.All() {
		b.WriteString("     " + k.Help + "\n")
	}
	return b.String()
}

func (f *serviceRotateFlags) addFlags(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringArrayVarP(&f.Users, "user", "u", nil, "rotate this IAM user's key, signed as an admin (repeatable; globs as in deactivate)")
	fl.StringArrayVar(&f.To, "to", nil, "where to deliver the new key (repeatable): "+strings.Join(kindSyntaxes(), ", "))
	durationFlag(cmd, &f.Grace, "grace", 24*time.Hour, "how long the old key stays active after delivery, like 24h or 7d (0s: deactivate at once)")
	fl.BoolVar(&f.Force, "force", false, "deactivate the old key after the grace even if a consumer used it since delivery")
	fl.StringVar(&f.KMSKeyID, "kms-key-id", "", "KMS key for a secret keywarden creates and for ssm: parameters")
	cmd.Use = "rotate [--profile NAME | --user NAME --to DEST...]"
	cmd.Long = strings.Replace(cmd.Long, "Exit codes:", serviceRotateHelp()+"Exit codes:", 1)
	cmd.Example += `
  keywarden rotate --user svc-ci --to secretsmanager:ci/svc-ci --grace 24h
  keywarden rotate --user 'svc-*' --to 'ssm:/ci/{user}' --to 'exec:./push-to-ci {user}'`
}

func kindSyntaxes() []string {
	var out []string
	for _, k := range kind.All() {
		out = append(out, k.Syntax)
	}
	return out
}

func (f *serviceRotateFlags) active(cmd *cobra.Command) bool {
	return cmd.Flags().Changed("user") || cmd.Flags().Changed("to")
}

// runServiceOrF validates the service flags, then runs (or hands the options to runF).
func (o *rotateOptions) runServiceOrF(cmd *cobra.Command, runF func(context.Context, *rotateOptions) error) error {
	f := &o.service
	switch {
	case len(f.Users) == 0 || len(f.To) == 0:
		return usagef("a service rotation needs both --user NAME and --to DEST")
	case cmd.Flags().Changed("profile") || cmd.Flags().Changed("retire") || cmd.Flags().Changed("probe"):
		return usagef("--profile, --retire and --probe are for rotating your own key; with --user the old key is deactivated after --grace")
	case f.Grace < 0:
		return usagef("--grace %s: want zero or more, like 24h", flagDur(f.Grace))
	case o.Wait <= 0:
		return usagef("--wait %s: want more than zero, like 2m", flagDur(o.Wait))
	}
	if err := inventory.ValidatePatterns(f.Users); err != nil {
		return usageErr(err)
	}
	for _, to := range f.To {
		// The syntax only, before any AWS call: the clients come with the session.
		if _, err := sink.Parse(to, sink.Env{User: "USER", CredentialsFile: o.credentialsFile(), Split: splitArgs}); err != nil {
			return usageErr(err)
		}
		if !strings.Contains(to, "{user}") && (len(f.Users) > 1 || keys.IsGlob(f.Users[0])) {
			return usagef("destination %q would get the keys of several users; put {user} in it", to)
		}
	}
	if runF != nil {
		return runF(cmd.Context(), o)
	}
	return runServiceRotate(cmd.Context(), o)
}

func runServiceRotate(ctx context.Context, o *rotateOptions) error {
	if err := o.check(outputFormats["rotate"]...); err != nil {
		return err
	}
	s, err := o.session(ctx)
	if err != nil {
		return err
	}
	self, _ := s.selfKeyID(ctx)
	js := jobs.Session{Config: s.cfg, IAM: s.iam, SelfKeyID: self}
	// Only the names: each rotation reads its user's keys and tags again before acting.
	users, err := inventory.Users(ctx, s.iam, inventory.Options{Users: o.service.Users})
	if err != nil {
		return awsErr("read users", err)
	}
	if len(users) == 0 {
		return usagef("no user matches %s", strings.Join(o.service.Users, ", "))
	}
	var results []svcrotate.Result
	code := exitcode.OK
	for _, u := range users {
		res, err := o.rotateService(ctx, js, u)
		if err != nil {
			werr := serviceErr(u.Name, err)
			c := reportError(o.Stderr, werr)
			code = max(code, c)
			res.User, res.State, res.Error = u.Name, "failed", werr.Error()
			if c == exitcode.Refused {
				res.State = "refused"
			}
		} else if res.State == "in-use" {
			code = max(code, exitcode.Refused)
		}
		results = append(results, res)
	}
	if o.Output == "json" {
		if err := report.JSON(o.Stdout, results); err != nil {
			return err
		}
	} else {
		for _, r := range results {
			if r.Error != "" {
				fmt.Fprintf(o.Stdout, "user %s: %s (the reason is on stderr)\n", r.User, r.State)
				continue
			}
			if r.AlreadyDone != "" {
				fmt.Fprintf(o.Stdout, "user %s: %s\n", r.User, r.AlreadyDone)
				continue
			}
			fmt.Fprintf(o.Stdout, "user %s: %s -> %s in %s (%s; old key %s)\n", r.User, orDash(r.OldKeyID), orDash(r.NewKeyID), strings.Join(r.Destinations, ", "), orDash(r.State), orDash(r.OldKey))
		}
	}
	if code != exitcode.OK {
		return silentExit(code)
	}
	return nil
}

// rotateService runs one user's rotation as a rotate rule runs it (jobs.Rotate), with the
// flags for the spec and this run's --wait; progress lines are the user's own here.
func (o *rotateOptions) rotateService(ctx context.Context, s jobs.Session, u keys.User) (svcrotate.Result, error) {
	ro := ruleRotation(o.Deps)
	ro.Wait = o.Wait
	ro.Progress = func(_, msg string) { fmt.Fprintf(o.Stderr, "keywarden: %s\n", msg) }
	spec := policy.RotateSpec{Grace: policy.Duration(o.service.Grace), KMSKeyID: o.service.KMSKeyID, MakeRoom: o.MakeRoom}
	for _, to := range o.service.To {
		spec.To = append(spec.To, policy.ExpandUser(to, u.Name))
	}
	return jobs.Rotate(ctx, s, jobs.Rotation{User: u.Name, UserARN: u.ARN, Spec: spec, Force: o.service.Force, Token: o.Token}, o.Now, ro)
}

// serviceErr words one user's failure: a refusal or bad input as itself, a failed step or
// destination as what AWS said about it (exitcode.Of gives each its code).
func serviceErr(user string, err error) error {
	var se *engine.StepError
	var de *sink.Error
	var ce *codedError
	switch c := exitcode.Of(err); {
	case errors.As(err, &ce), c == exitcode.Refused, c == exitcode.Usage:
		return err
	case errors.As(err, &se):
		return awsErr(se.What, se.Err)
	case errors.As(err, &de):
		return awsErr(fmt.Sprintf("%s of user %s: %s", de.Dest, user, de.What), de.Err)
	}
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
