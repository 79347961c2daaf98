package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/deploy"
	"github.com/keywarden/keywarden/internal/exitcode"
	"github.com/keywarden/keywarden/internal/policy"
)

// functionFlags say what function template and deploy build.
type functionFlags struct {
	jobFlags
	Arch         string
	FunctionName string
	ConfigSSM    string
	// RotationUsers make the function Secrets Manager's rotation function for these users.
	RotationUsers []string
	FanOut        bool
}

func (f *functionFlags) addFlags(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVarP(&f.Config, "config", "c", defaultConfig, "the policy file whose jobs the function runs")
	fl.StringVar(&f.Arch, "arch", deploy.DefaultArch, "function architecture: arm64 or amd64")
	fl.StringVar(&f.FunctionName, "function-name", deploy.DefaultFunctionName, "the Lambda function's name")
	fl.StringVar(&f.ConfigSSM, "config-ssm", "", "have the function read keywarden.yaml from this SSM parameter instead of its environment")
	fl.StringArrayVar(&f.RotationUsers, "secrets-manager-rotation", nil, "let Secrets Manager invoke the function to rotate the secrets tagged keywarden:user=USER (repeatable; globs)")
	fl.BoolVar(&f.FanOut, "fan-out", false, fmt.Sprintf("with accounts: {organization: true}, schedule a Step Functions state machine that invokes the function once per %d accounts, for an organization one 15-minute invocation cannot cover", deploy.FanOutBatch))
}

// options loads and checks the config and turns the flags into template options.
func (f *functionFlags) options() (deploy.Options, error) {
	cfg, err := f.loadConfig()
	if err != nil {
		return deploy.Options{}, err
	}
	o := deploy.Options{Config: cfg, Arch: f.Arch, FunctionName: f.FunctionName, ConfigSSM: f.ConfigSSM, RotationUsers: f.RotationUsers, FanOut: f.FanOut}
	for _, u := range f.RotationUsers {
		if strings.ContainsAny(u, `[\`) {
			return deploy.Options{}, usagef("--secrets-manager-rotation %q: use names or * and ? globs, which an IAM Resource can say", u)
		}
	}
	if f.ConfigSSM == "" {
		// loadConfig has just read it; a file that vanished since is an ordinary read error.
		if o.ConfigYAML, err = os.ReadFile(f.Config); err != nil {
			return deploy.Options{}, usagef("read config %s: %v", f.Config, err)
		}
	}
	if _, err := deploy.Build(o); err != nil {
		return deploy.Options{}, usageErr(err)
	}
	return o, nil
}

// warnDST says on stderr which jobs EventBridge Scheduler will skip on a daylight-saving
// day, where serve would run them: the deployed schedule is still what the config says, but
// the user should know before the night it matters.
func warnDST(d *Deps, o deploy.Options) error {
	warns, err := deploy.DSTWarnings(o.Config, d.Now())
	if err != nil {
		return usageErr(err)
	}
	for _, w := range warns {
		fmt.Fprintf(d.Stderr, "keywarden: warning: %s\n", w)
	}
	warnWebhookSecret(d, o)
	return nil
}

// warnWebhookSecret says, before a template or a deploy carries it, that a webhook URL with a
// token is about to be written in plain text where anyone who can read the stack or the
// function's configuration reads it. It warns rather than refuses: the URL may be harmless.
func warnWebhookSecret(d *Deps, o deploy.Options) {
	n := o.Config.Notify
	if n == nil || !policy.WebhookHasToken(n.WebhookURL) {
		return
	}
	where := "the template and the function's environment"
	if o.ConfigSSM != "" {
		where = "the SSM parameter " + o.ConfigSSM
	}
	fmt.Fprintf(d.Stderr, "keywarden: warning: notify.webhook.url carries a token and goes in plain text into %s; keep it in SSM or Secrets Manager and write url: ssm:/keywarden/webhook (or secretsmanager:ID) instead\n", where)
}

type templateOptions struct {
	*Deps
	*globalOptions
	functionFlags
	CodeBucket string
	CodeKey    string
}

func newCmdTemplate(d *Deps, g *globalOptions, runF func(context.Context, *templateOptions) error) *cobra.Command {
	o := &templateOptions{Deps: d, globalOptions: g}
	cmd := &cobra.Command{
		Use: "template [-c FILE] [--arch arm64|amd64] [--function-name NAME] [--code-bucket B --code-key K]",
		Long: `Print a CloudFormation template (YAML) that runs keywarden.yaml's jobs in AWS Lambda:

  Function         keywarden itself as bootstrap on provided.al2023, the config in its environment
  FunctionRole     only the IAM actions the jobs use, on the users they select (see 'keywarden
                   policy'), and writing to its own log group
  Schedule<Job>    one EventBridge Scheduler schedule per job with a schedule:, in the job's own
                   time zone ("0 0 * * *" in Asia/Tokyo fires at 00:00 JST), sending {"job":"<name>"},
                   retried 3 times within an hour, then dead-lettered
  SchedulerRole    lambda:InvokeFunction on the function, sqs:SendMessage on the dead-letter queue
  DeadLetterQueue  SQS, 14 days
  LogGroup         /aws/lambda/<function-name>, 90 days

The function package is the template's CodeBucket and CodeKey parameters; --code-bucket and
--code-key set their defaults. 'keywarden deploy' builds, uploads and deploys in one step.
Nothing is read from AWS.

` + exitcode.Help(exitcode.OK, exitcode.Error, exitcode.Usage),
		Example: `  keywarden template -c keywarden.yaml > keywarden.cfn.yaml
  cfn-lint keywarden.cfn.yaml
  aws cloudformation deploy --template-file keywarden.cfn.yaml --stack-name keywarden \
      --capabilities CAPABILITY_IAM --parameter-overrides CodeBucket=my-bucket CodeKey=keywarden.zip`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if (o.CodeBucket == "") != (o.CodeKey == "") {
				return usagef("--code-bucket and --code-key go together")
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runTemplate(cmd.Context(), o)
		},
	}
	o.functionFlags.addFlags(cmd)
	cmd.Flags().StringVar(&o.CodeBucket, "code-bucket", "", "S3 bucket of the function package (default: a template parameter)")
	cmd.Flags().StringVar(&o.CodeKey, "code-key", "", "S3 key of the function package")
	return cmd
}

func runTemplate(_ context.Context, o *templateOptions) error {
	opts, err := o.options()
	if err != nil {
		return err
	}
	if err := warnDST(o.Deps, opts); err != nil {
		return err
	}
	opts.CodeBucket, opts.CodeKey = o.CodeBucket, o.CodeKey
	tpl, err := deploy.Build(opts)
	if err != nil {
		return usageErr(err)
	}
	b, err := tpl.YAML()
	if err != nil {
		return err
	}
	_, err = o.Stdout.Write(b)
	return err
}
