// Package cli wires keywarden's commands: one file per command, each with an options struct,
// a newCmdX that parses flags into it, and a runX that tests can call with buffers.
package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/keywarden/keywarden/internal/awsconfig"

	"github.com/keywarden/keywarden/internal/report"
)

// Deps are what commands take from the outside world, so tests can replace each.
type Deps struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Now            func() time.Time
	Getenv         func(string) string
	// StdoutIsTerminal decides the table style (relative times) and whether apply may ask.
	StdoutIsTerminal bool
	StdinIsTerminal  bool
	StderrIsTerminal bool
	// LoadAWS builds the AWS config; tests aim it at the emulator without touching the
	// process environment.
	LoadAWS func(context.Context, awsconfig.Options) (aws.Config, error)
	// ServeHooks, if set, replace serve's signals, clock and listen report (tests).
	ServeHooks *ServeHooks
}

// globalOptions are the flags every command takes, named as the AWS CLI names them.
type globalOptions struct {
	Profile string
	Region  string
	Output  string
	Debug   bool
	load    func(context.Context, awsconfig.Options) (aws.Config, error)
	now     func() time.Time // times the AWS calls --debug logs
	// throttled is told each throttled AWS call about to be retried (awsconfig.Options).
	throttled func(wait time.Duration, code string)
}

// awsOptions are the AWS config options of a command that acts as profile.
func (g *globalOptions) awsOptions(profile string) awsconfig.Options {
	return awsconfig.Options{Profile: profile, Region: g.Region, Debug: g.Debug, Now: g.now, Throttled: g.throttled}
}

// Main runs keywarden with args and returns the process exit code.
func Main(args []string) int {
	d := &Deps{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Now: time.Now, Getenv: os.Getenv,
		StdoutIsTerminal: isTerminal(os.Stdout),
		StdinIsTerminal:  isTerminal(os.Stdin),
		StderrIsTerminal: isTerminal(os.Stderr),
		LoadAWS:          awsconfig.Load,
	}
	return Run(context.Background(), d, args)
}

// Run executes one command line with the given dependencies and returns its exit code.
func Run(ctx context.Context, d *Deps, args []string) int {
	return execute(ctx, d, lineTree(d, args), args)
}

// execute runs one command line on root, a tree built for it (lineTree) or the whole tree.
func execute(ctx context.Context, d *Deps, root *cobra.Command, args []string) int {
	// Before the completion command is made: it keeps the stdout root has then.
	root.SetIn(d.Stdin)
	root.SetOut(d.Stdout)
	root.SetErr(d.Stderr)
	// An unknown command is found before anything runs; cobra's Find reports it untyped.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	// The shells' completion scripts call the hidden __complete command, which cobra adds
	// only when it executes; Find would call it unknown.
	if completing(args) {
		// Only the shell's request for completions asks for them: walking every command's flags
		// to register them is start-up every other command would pay.
		addCompletions(root, d)
	}
	if _, _, err := root.Find(args); err != nil && !completing(args) {
		return reportError(d.Stderr, cobraUsage(err))
	}
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return reportError(d.Stderr, err)
}

// newRootCmd is the whole tree, every command built.
func newRootCmd(d *Deps) *cobra.Command {
	root, build := newRoot(d, false)
	for _, c := range commands {
		build(c.name)
	}
	return root
}

// newRoot is root, with each of keywarden's commands a stub if stubbed, and build, which adds
// the named command built in full, in its stub's place (a name that is no command, or one built
// already, is left alone).
func newRoot(d *Deps, stubbed bool) (root *cobra.Command, build func(name string)) {
	load := d.LoadAWS
	if load == nil {
		load = awsconfig.Load
	}
	// Every config, whoever loads it, reads endpoints not shaped like AWS truthfully.
	g := &globalOptions{load: func(ctx context.Context, o awsconfig.Options) (aws.Config, error) {
		cfg, err := load(ctx, o)
		if err == nil {
			awsconfig.Normalize(&cfg)
		}
		return cfg, err
	}, now: d.Now, throttled: func(wait time.Duration, code string) {
		// Progress, not an error: a long job AWS slows down would otherwise be silent.
		fmt.Fprintf(d.Stderr, "keywarden: throttled by AWS (%s), retrying in %.1fs…\n", code, wait.Seconds())
	}}
	var showVersion bool
	root = &cobra.Command{
		Use:   "keywarden",
		Short: "Guard AWS IAM user access keys: curfews, safe rotation, audit, policy",
		Long: `keywarden guards AWS IAM user access keys. It deactivates keys on a schedule,
rotates them safely, audits their age and use against a policy, and enforces it.

Credentials come from the standard AWS chain (environment, shared files, SSO, roles);
AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_IAM / _STS are honoured.`,
		Example: `  keywarden whoami                                   # who keywarden acts as
  keywarden audit --fail-on-findings                 # CIS / Security Hub key rules, for CI
  keywarden deactivate --key AKIAIOSFODNN7EXAMPLE    # the curfew, now
  keywarden rotate --profile dev                     # a new key, proven, the old one retired
  keywarden plan && keywarden apply                  # enforce ./keywarden.yaml
  keywarden deploy -c keywarden.yaml                 # the jobs as a Lambda on schedules in your zone`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// --version says what the version command says. It is keywarden's flag, not cobra's
		// Version field: cobra prints that through text/template, and executing a template
		// makes the linker keep every method of every type (twice the binary and its start-up).
		RunE: func(cmd *cobra.Command, args []string) error {
			if showVersion {
				_, err := fmt.Fprintln(d.Stdout, versionLine(currentVersion()))
				return err
			}
			return cmd.Help()
		},
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if showVersion {
				return nil
			}
			if g.Output == "" {
				g.Output = "table"
			}
			if err := discoverConfig(cmd, d); err != nil {
				return err
			}
			if g.Debug {
				slog.SetDefault(slog.New(slog.NewTextHandler(d.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})))
			}
			return nil
		},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.Profile, "profile", "", "use a named profile from the shared AWS config files")
	pf.StringVar(&g.Region, "region", "", "AWS region to sign requests for (IAM is global; default from the profile, else us-east-1)")
	pf.StringVarP(&g.Output, "output", "o", "", outputHelp())
	pf.BoolVar(&g.Debug, "debug", false, "log each step and each AWS call (service, operation, HTTP status, duration, attempt) to stderr")
	root.Flags().BoolVarP(&showVersion, "version", "v", false, "print the version (as the version command does)")
	root.SetFlagErrorFunc(flagError)

	stubs := make([]*cobra.Command, len(commands))
	if stubbed {
		for i, c := range commands {
			stubs[i] = c.stub()
			root.AddCommand(stubs[i])
		}
	}
	typeCobraErrors(root)
	built := make([]bool, len(commands))
	return root, func(name string) {
		for i, c := range commands {
			if c.name != name || built[i] {
				continue
			}
			built[i] = true
			full := c.build(d, g)
			full.Short = c.short
			addFormatHelp(full)
			typeCobraErrors(full)
			if stubs[i] != nil {
				root.RemoveCommand(stubs[i])
			}
			root.AddCommand(full)
		}
	}
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// check validates the --output flag for commands that render data.
func (g *globalOptions) check(allowed ...string) error {
	if err := report.CheckFormat(g.Output, allowed...); err != nil {
		return usageErr(err)
	}
	return nil
}
