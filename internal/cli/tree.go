package cli

import (
	"fmt"
	"os"
	"slices"

	"github.com/spf13/cobra"
)

// command is one of keywarden's commands as root knows it before it is built: its name and the
// line root's help lists it with. A line builds only the command it runs; the others are
// stubs, which is all root's help and an unknown command's suggestions read, or absent where
// nothing reads them. Each command's flags and help text were most of what a command that does
// little (version) spent in main (perf, issue 20). cobra's completion command is only for
// root's help, a line that names it and the shells: a line running one of keywarden's commands
// does without it (its help texts are a Sprintf per shell).
type command struct {
	name, short string
	build       func(*Deps, *globalOptions) *cobra.Command
}

// commands is keywarden's command index; each builder is in the command's own file.
var commands = []command{
	{"version", "Print keywarden's version, commit, build time and Go version",
		func(d *Deps, g *globalOptions) *cobra.Command { return newCmdVersion(d, g, nil) }},
	{"whoami", "Show the account, ARN and access key keywarden is signed with",
		func(d *Deps, g *globalOptions) *cobra.Command { return newCmdWhoami(d, g, nil) }},
	{"deactivate", "Deactivate access keys now, recording that keywarden did it",
		func(d *Deps, g *globalOptions) *cobra.Command { return newCmdDeactivate(d, g, nil) }},
	{"activate", "Re-enable keys that keywarden deactivated (the morning after a curfew)",
		func(d *Deps, g *globalOptions) *cobra.Command { return newCmdActivate(d, g, nil) }},
	{"respond", "Respond to a leaked access key: deactivate it now, contain, replace, tell",
		func(d *Deps, g *globalOptions) *cobra.Command { return newCmdRespond(d, g, nil) }},
	{"audit", "List every access key with its age, last use and policy findings",
		func(d *Deps, g *globalOptions) *cobra.Command { return newCmdAudit(d, g, nil) }},
	{"rotate", "Replace a profile's access key with a new one, proven to work, and retire the old",
		func(d *Deps, g *globalOptions) *cobra.Command { return newCmdRotate(d, g, nil) }},
	{"plan", "Show what the jobs of a policy file would change, and why; change nothing",
		func(d *Deps, g *globalOptions) *cobra.Command { return newCmdPlan(d, g, nil) }},
	{"apply", "Carry out what the jobs of a policy file decide, after showing the plan",
		func(d *Deps, g *globalOptions) *cobra.Command { return newCmdApply(d, g, nil) }},
	{"policy", "Print the least-privilege IAM policy keywarden needs for a policy file's jobs",
		func(d *Deps, g *globalOptions) *cobra.Command { return newCmdPolicy(d, g, nil) }},
	{"validate", "Check a policy file without reaching AWS",
		func(d *Deps, _ *globalOptions) *cobra.Command { return newCmdValidate(d, nil) }},
	{"doctor", "Check every account is ready: the role can be assumed and each read keywarden needs is allowed",
		func(d *Deps, g *globalOptions) *cobra.Command { return newCmdDoctor(d, g, nil) }},
	{"org", "Set up an AWS Organization for keywarden",
		func(d *Deps, g *globalOptions) *cobra.Command { return newCmdOrg(d, g) }},
	{"serve", "Run the jobs of a keywarden.yaml at their cron times, or one job now",
		func(d *Deps, g *globalOptions) *cobra.Command { return newCmdServe(d, g, nil) }},
	{"template", "Print the CloudFormation template that runs the jobs of a policy file in AWS Lambda",
		func(d *Deps, g *globalOptions) *cobra.Command { return newCmdTemplate(d, g, nil) }},
	{"deploy", "Run the jobs of a policy file in AWS Lambda, each on its schedule in its own time zone",
		func(d *Deps, g *globalOptions) *cobra.Command { return newCmdDeploy(d, g, nil) }},
	{"undeploy", "Delete the stack 'keywarden deploy' made: function, schedules, roles, queue, log group",
		func(d *Deps, g *globalOptions) *cobra.Command { return newCmdUndeploy(d, g, nil) }},
}

// stub is the command as root's help lists it. Run builds the command a line names before it
// executes, so a stub's RunE is reached only if that lookup and cobra's disagree.
func (c command) stub() *cobra.Command {
	return &cobra.Command{Use: c.name, Short: c.short, RunE: func(*cobra.Command, []string) error {
		return fmt.Errorf("run %s: the command was not built before it ran", c.name)
	}}
}

// lineTree is the tree one command line needs: root, and in full the command the line runs
// (every command for the help command and when the shell asks for completions, which walk
// their flags).
func lineTree(d *Deps, args []string) *cobra.Command {
	if completing(args) {
		return newRootCmd(d)
	}
	if len(args) > 0 && slices.ContainsFunc(commands, func(c command) bool { return c.name == args[0] }) {
		// The command is the line's first word: nothing on its way reads the others, not even
		// as stubs.
		root, build := newRoot(d, false)
		root.CompletionOptions.DisableDefaultCmd = true
		build(args[0])
		return root
	}
	root, build := newRoot(d, true)
	// The help command must be in the tree for "help rotate" to be found as a request for help.
	root.InitDefaultHelpCmd()
	c, _, err := root.Find(args)
	switch {
	case err != nil || c == root:
		// Root's help or --version, or a name that is no command: the stubs are all they read.
	case c.Name() == "help" && c.Parent() == root:
		// What cobra's help command is asked about is its own parse of the line ("help --
		// rotate"); help is read by people, not timed.
		for _, each := range commands {
			build(each.name)
		}
	default:
		root.CompletionOptions.DisableDefaultCmd = true
		build(c.Name())
	}
	return root
}

// completing says whether the line is the shells' request for completions (the hidden
// __complete command, which cobra adds only when it executes).
func completing(args []string) bool {
	return len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd)
}

// Tree is the command tree exactly as the binary parses it, for what is generated from it
// at release time (shell completions, man pages) and for the docs' tests.
func Tree() *cobra.Command {
	root := newRootCmd(&Deps{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	return root
}
