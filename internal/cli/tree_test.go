package cli

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// A line builds the command it runs, and no other: the rest are stubs. The help command builds
// them all.
func TestALineBuildsOnlyTheCommandItNames(t *testing.T) {
	all := make([]string, 0, len(commands))
	for _, c := range commands {
		all = append(all, c.name)
	}
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"version"}, []string{"version"}},
		{[]string{"--profile", "dev", "rotate", "--user", "svc", "--to", "ssm:/x"}, []string{"rotate"}},
		{[]string{"rotate", "--help"}, []string{"rotate"}},
		{[]string{"--debug", "rotate", "--user", "svc"}, []string{"rotate"}},
		{[]string{"org", "bootstrap", "-c", "k.yaml"}, []string{"org"}},
		{[]string{"--debug", "org", "bootstrap"}, []string{"org"}},
		{nil, nil},
		{[]string{"--version"}, nil},
		{[]string{"help", "rotate"}, all},
		{[]string{"rotat"}, nil},
		{[]string{"completion", "bash"}, nil},
		{[]string{"__complete", "rotate", "--"}, all},
		{[]string{"__completeNoDesc", "r"}, all},
	}
	for _, c := range cases {
		d, _, _ := testDeps()
		root := lineTree(d, c.args)
		var built []string
		for _, cmd := range root.Commands() {
			// Every command's help has a long text (TestEveryCommandDocumentsExamplesAndExitCodes);
			// a stub has none.
			if slices.Contains(all, cmd.Name()) && cmd.Long != "" {
				built = append(built, cmd.Name())
			}
		}
		slices.Sort(built)
		want := slices.Sorted(slices.Values(c.want))
		if !slices.Equal(built, want) {
			t.Errorf("%q built %q, want %q", c.args, built, want)
		}
	}
}

// A line that starts with a command's name has no other command in its tree, not even a stub.
func TestALineStartingWithACommandBuildsItAlone(t *testing.T) {
	d, _, _ := testDeps()
	var names []string
	for _, c := range lineTree(d, []string{"rotate", "--profile", "dev"}).Commands() {
		names = append(names, c.Name())
	}
	if !slices.Equal(names, []string{"rotate"}) {
		t.Errorf("the tree of 'rotate --profile dev' has %q", names)
	}
}

// What root reads of a command before it is built (its help's list, an unknown command's
// suggestions) is the same on its stub as on the command.
func TestStubsAreWhatRootReadsOfTheirCommands(t *testing.T) {
	d, _, _ := testDeps()
	root := newRootCmd(d)
	for _, c := range commands {
		stub := c.stub()
		full, _, err := root.Find([]string{c.name})
		if err != nil || full.Name() != c.name {
			t.Fatalf("the command index names %q, the built tree finds %q (%v)", c.name, full.Name(), err)
		}
		if stub.Name() != full.Name() || stub.Short != full.Short || !slices.Equal(stub.Aliases, full.Aliases) ||
			!slices.Equal(stub.SuggestFor, full.SuggestFor) || stub.Hidden != full.Hidden ||
			stub.Deprecated != full.Deprecated || stub.GroupID != full.GroupID ||
			stub.IsAvailableCommand() != full.IsAvailableCommand() ||
			stub.IsAdditionalHelpTopicCommand() != full.IsAdditionalHelpTopicCommand() {
			t.Errorf("%s: its stub differs from the command in what root's help or suggestions read", c.name)
		}
	}
	if len(root.Commands()) != len(commands) {
		t.Errorf("root has %d commands, the index %d", len(root.Commands()), len(commands))
	}
}

// A line says exactly what it said when every command was built: root's help, each command's
// help, usage errors, unknown commands and their suggestions, completions.
func TestALineSaysWhatTheWholeTreeSays(t *testing.T) {
	lines := [][]string{
		nil, {"--help"}, {"-h"}, {"help"}, {"--version"}, {"version"}, {"version", "-o", "json"},
		{"version", "-o", "yaml"}, {"--output", "yaml", "version"}, {"version", "extra"},
		{"version", "--nope"}, {"--nope"}, {"rotat"}, {"deploi"}, {"hlp"}, {"completon"},
		{"org", "bootstap"}, {"help", "bogus"}, {"help", "org", "bootstrap"}, {"help", "help"},
		{"help", "completion"}, {"completion", "--help"}, {"completion", "bash"}, {"completion", "zsh"},
		{"completion", "fish"}, {"completion", "powershell"}, {"org", "bootstrap", "--help"},
		{"rotate", "--wait", "abc"}, {"rotate", "--user", "a"}, {"rotate", "extra"}, {"deactivate"},
		{"whoami", "--output", "yaml"}, {"--profile", "dev", "rotat"}, {"--profile", "dev", "help", "rotate"},
		{"__complete", ""}, {"__complete", "rot"}, {"__complete", "rotate", "--"},
		{"__complete", "rotate", "--output", ""}, {"__complete", "help", "r"}, {"__complete", "org", ""},
		{"__complete", "--output", ""}, {"__complete", "completion", ""}, {"__completeNoDesc", ""},
		{"org", "help"}, {"rotate", "help"}, {"org", "bootstrap", "extra"}, {"completion"},
		{"help", "--", "rotate"}, {"help", "--profile=dev", "org", "bootstrap"}, {"--debug", "--", "rotate"},
		{"-ojson", "version"}, {"version", "--", "x"}, {"--help=false", "version"}, {"help", "__complete"},
	}
	for _, c := range commands {
		lines = append(lines, []string{c.name, "--help"}, []string{"help", c.name})
	}
	for _, args := range lines {
		d, out, errb := testDeps()
		code := Run(context.Background(), d, args)
		wd, wout, werrb := testDeps()
		want := execute(context.Background(), wd, newRootCmd(wd), args)
		if code != want || out.String() != wout.String() || errb.String() != werrb.String() {
			t.Errorf("%q: exit %d, stdout %q, stderr %q\nthe whole tree: exit %d, stdout %q, stderr %q",
				args, code, firstLines(out.String()), errb.String(), want, firstLines(wout.String()), werrb.String())
		}
	}
}

func firstLines(s string) string {
	lines := strings.SplitN(s, "\n", 4)
	return strings.Join(lines[:min(3, len(lines))], "\n")
}

// BenchmarkRunVersion is what `keywarden version` spends after package init: the tree, cobra's
// parse, the line printed.
func BenchmarkRunVersion(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		d, _, _ := testDeps()
		if code := Run(context.Background(), d, []string{"version"}); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}
