package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/awsapi/s3"
	"github.com/keywarden/keywarden/internal/deploy"
	"github.com/keywarden/keywarden/internal/exitcode"
	"github.com/keywarden/keywarden/internal/report"
)

const defaultStack = "keywarden"

type deployOptions struct {
	*Deps
	*globalOptions
	functionFlags
	StackName string
	Bucket    string
	Binary    string
	Package   string
	DryRun    bool
}

func newCmdDeploy(d *Deps, g *globalOptions, runF func(context.Context, *deployOptions) error) *cobra.Command {
	o := &deployOptions{Deps: d, globalOptions: g}
	cmd := &cobra.Command{
		Use: "deploy [-c FILE] [--stack-name NAME] [--arch arm64|amd64] [--bucket B] [--package FILE.zip | --binary PATH] [--dry-run]",
		Long: `Build the function package, upload it, and create or update the CloudFormation stack
that 'keywarden template' prints. Stack events are shown on stderr as they arrive; at the
end the function's ARN and each schedule's next run (in the job's zone) go to stdout.

The package is a zip holding bootstrap, a static linux binary of keywarden for --arch. It
comes from, in order: --package FILE.zip (the release's keywarden_VERSION_lambda_ARCH.zip)
or --binary PATH; the running keywarden, if it already is a static linux binary of that
architecture (a released linux binary deploys itself, no Go needed); else, for developers,
'go build' (CGO_ENABLED=0 -trimpath -ldflags=-s -w) of the keywarden source in the working
directory, or of this keywarden's own version from the Go module proxy. On macOS, Windows
or for the other architecture, pass --package. The zip is reproducible and stored under a
key named by its content, so deploying the same binary and config again changes nothing
("no changes").

The bucket defaults to keywarden-deploy-ACCOUNT-REGION and is created (private) if missing.
--dry-run uploads nothing: it prints the template, then the change set CloudFormation
would execute (made, read and deleted again).

Needs cloudformation:* on the stack, s3 on the bucket, iam:CreateRole/PutRolePolicy/
PassRole and friends for the two roles, lambda, scheduler, sqs and logs on the stack's
resources (see docs/lambda-deploy.md).

` + exitcode.Help(exitcode.OK, exitcode.Error, exitcode.Usage, exitcode.Auth),
		Example: `  keywarden deploy -c keywarden.yaml
  keywarden deploy -c keywarden.yaml --dry-run
  keywarden deploy -c keywarden.yaml --arch amd64 --stack-name keywarden-prod --bucket my-artifacts
  keywarden deploy -c keywarden.yaml --package keywarden_0.4.0_lambda_arm64.zip   # from macOS or Windows
  GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -o bootstrap ./cmd/keywarden && keywarden deploy --binary bootstrap`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runDeploy(cmd.Context(), o)
		},
	}
	o.functionFlags.addFlags(cmd)
	f := cmd.Flags()
	f.StringVar(&o.StackName, "stack-name", defaultStack, "CloudFormation stack name")
	f.StringVar(&o.Bucket, "bucket", "", "S3 bucket for the package (default keywarden-deploy-ACCOUNT-REGION, created if missing)")
	f.StringVar(&o.Binary, "binary", "", "use this prebuilt linux keywarden binary as bootstrap")
	f.StringVar(&o.Package, "package", "", "use the bootstrap in this Lambda zip of a release (keywarden_VERSION_lambda_ARCH.zip)")
	f.BoolVar(&o.DryRun, "dry-run", false, "print the template and the change set; change nothing")
	return cmd
}

// deployResult is what deploy prints on stdout.
type deployResult struct {
	Stack       string          `json:"stack"`
	Outcome     string          `json:"outcome"`
	FunctionARN string          `json:"function_arn,omitempty"`
	Package     string          `json:"package"`
	Schedules   []deploy.Fire   `json:"schedules"`
	Changes     []deploy.Change `json:"changes,omitempty"`
	Template    string          `json:"template,omitempty"`
}

func runDeploy(ctx context.Context, o *deployOptions) error {
	if err := o.check(outputFormats["deploy"]...); err != nil {
		return err
	}
	topts, err := o.options()
	if err != nil {
		return err
	}
	if err := warnDST(o.Deps, topts); err != nil {
		return err
	}
	s, err := o.session(ctx)
	if err != nil {
		return err
	}
	id, err := s.whoami(ctx)
	if err != nil {
		return err
	}
	self, _ := os.Executable()
	cwd, _ := os.Getwd()
	bin, from, err := deploy.Bootstrap(ctx, deploy.BinaryOptions{GOARCH: o.Arch, Path: o.Binary, Package: o.Package,
		Version: currentVersion().Version, Self: self, Dir: cwd,
		Log: func(f string, a ...any) { fmt.Fprintf(o.Stderr, "keywarden: "+f+"\n", a...) }})
	if err != nil {
		return usageErr(err)
	}
	zipped, err := deploy.Zip(bin)
	if err != nil {
		return err
	}
	bucket := o.Bucket
	if bucket == "" {
		bucket = deploy.DefaultBucket(id.Account, s.cfg.Region)
	}
	key := deploy.PackageKey(topts.FunctionName, o.Arch, zipped)
	fmt.Fprintf(o.Stderr, "keywarden: package s3://%s/%s (%d bytes, bootstrap from %s)\n", bucket, key, len(zipped), from)
	tpl, err := deploy.Build(topts)
	if err != nil {
		return usageErr(err)
	}
	body, err := tpl.YAML()
	if err != nil {
		return err
	}
	params := map[string]string{deploy.CodeBucketParam: bucket, deploy.CodeKeyParam: key}
	cfnc := deploy.CloudFormation(s.cfg)
	stacks := &deploy.Stacks{CFN: cfnc, Progress: o.Stderr, Sleep: sleepCtx, Now: o.Now}
	fires, err := deploy.NextFires(topts.Config, o.Now())
	if err != nil {
		return usageErr(err)
	}
	res := deployResult{Stack: o.StackName, Package: "s3://" + bucket + "/" + key, Schedules: fires}
	if o.DryRun {
		fmt.Fprintln(o.Stderr, "keywarden: dry run: nothing will be uploaded or changed")
		changes, err := stacks.Preview(ctx, o.StackName, body, params)
		if err != nil {
			return awsErr("preview the change set of stack "+o.StackName, err)
		}
		res.Outcome, res.Changes, res.Template = "dry run", changes, string(body)
		return printDryRun(o, res)
	}
	s3c := s3.NewFromConfig(s.cfg)
	created, err := deploy.EnsureBucket(ctx, s3c, bucket, s.cfg.Region)
	if err != nil {
		return awsErr("prepare bucket "+bucket, err)
	}
	if created {
		fmt.Fprintf(o.Stderr, "keywarden: created bucket %s\n", bucket)
	}
	if _, err := deploy.Upload(ctx, s3c, bucket, key, zipped); err != nil {
		return awsErr("upload the package", err)
	}
	fmt.Fprintf(o.Stderr, "keywarden: deploying stack %s\n", o.StackName)
	outcome, outs, err := stacks.Deploy(ctx, o.StackName, body, params)
	if err != nil {
		return stackErr("deploy stack "+o.StackName, err)
	}
	res.Outcome, res.FunctionARN = outcome, outs[deploy.FunctionArnOut]
	fmt.Fprintf(o.Stderr, "keywarden: stack %s: %s\n", o.StackName, outcome)
	if o.Output == "json" {
		return report.JSON(o.Stdout, res)
	}
	w := tabwriter.NewWriter(o.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "function\t%s\n", res.FunctionARN)
	for _, f := range fires {
		fmt.Fprintf(w, "schedule\t%s\t%s %s\tnext %s\n", f.Job, f.Cron, f.TimeZone, f.Next.Format(time.RFC3339))
	}
	return w.Flush()
}

// printDryRun writes the template and then the change set as YAML comments, so stdout stays
// a template cfn-lint or 'aws cloudformation deploy' can read.
func printDryRun(o *deployOptions, res deployResult) error {
	if o.Output == "json" {
		return report.JSON(o.Stdout, res)
	}
	fmt.Fprint(o.Stdout, res.Template)
	fmt.Fprintf(o.Stdout, "# change set for stack %s (not executed):\n", res.Stack)
	if len(res.Changes) == 0 {
		fmt.Fprintln(o.Stdout, "#   no changes")
	}
	for _, c := range res.Changes {
		line := fmt.Sprintf("#   %-7s %-24s %s", c.Action, c.LogicalID, c.Type)
		if c.Replacement != "" && c.Replacement != "False" {
			line += " (replacement: " + c.Replacement + ")"
		}
		fmt.Fprintln(o.Stdout, line)
	}
	for _, f := range res.Schedules {
		fmt.Fprintf(o.Stdout, "# schedule %s: %s in %s, next %s\n", f.Job, f.Cron, f.TimeZone, f.Next.Format(time.RFC3339))
	}
	return nil
}

// stackErr reports a failed stack operation by its failed resources and their reasons.
func stackErr(what string, err error) error {
	var sf *deploy.StackFailedError
	if errors.As(err, &sf) {
		var lines []string
		for _, f := range sf.Failures {
			lines = append(lines, fmt.Sprintf("  %s (%s): %s", f.LogicalID, f.Type, f.Reason))
		}
		return &codedError{msg: fmt.Sprintf("%s: the stack ended in %s", what, sf.Status), detail: strings.Join(lines, "\n"), cause: err}
	}
	return awsErr(what, err)
}
