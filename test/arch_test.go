package test

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The layering DESIGN.md and STYLE.md ask for, checked on the source so a change that breaks
// it fails here rather than in review.

// Core packages take the clock and the sleeper as arguments: `--at`, backoff and schedules are
// then testable without waiting. Only internal/cli (the edge) may read the real clock.
func TestCorePackagesReadNoClock(t *testing.T) {
	clock := regexp.MustCompile(`\btime\.(Now|Sleep|After|Tick|NewTimer|NewTicker)\(`)
	checked := 0
	for _, f := range internalSources(t) {
		// daemontest is the tests' fake clock: its timeout is how a test that hangs fails.
		if strings.HasPrefix(f, filepath.Join("..", "internal", "cli")+string(filepath.Separator)) ||
			strings.HasPrefix(f, filepath.Join("..", "internal", "daemon", "daemontest")+string(filepath.Separator)) {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if clock.MatchString(line) && !strings.HasPrefix(strings.TrimSpace(line), "//") {
				t.Errorf("%s:%d reads the clock (%s); take now or a sleeper as an argument", f, i+1, strings.TrimSpace(line))
			}
		}
		checked++
	}
	if checked < 20 {
		t.Fatalf("only %d files checked; the glob is wrong", checked)
	}
}

// Core packages never import cli, and policy (deciding) imports no AWS package at all.
func TestImportLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}: {{join .Imports \" \"}}", "github.com/keywarden/keywarden/internal/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	const mod = "github.com/keywarden/keywarden/"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ": ")
		for _, imp := range strings.Fields(imports) {
			if imp == mod+"internal/cli" && pkg != mod+"internal/cli" {
				t.Errorf("%s imports internal/cli; only cmd/keywarden may", pkg)
			}
			if pkg == mod+"internal/policy" && strings.HasPrefix(imp, "github.com/aws/") {
				t.Errorf("internal/policy imports %s; deciding must not depend on AWS", imp)
			}
		}
	}
}

// The arrows ARCHITECTURE.md draws, each one a package that must never import another:
// deploy writes the Lambda's template without the runtime it deploys (the names both need are
// in lambda/contract), the contract itself depends on nothing of keywarden's, the serve loop
// runs jobs without climbing back into the commands, policy reads the destination kinds
// (sink/kind, a leaf) without sink's AWS clients, trail is a leaf, the rotation engine knows
// none of its front ends, and the SDK clients' constructors (clients) depend on nothing of
// keywarden's.
func TestForbiddenArrows(t *testing.T) {
	const mod = "github.com/keywarden/keywarden/internal/"
	never := map[string][]string{
		"deploy": {"lambda", "cli", "daemon", "jobs", "apply", "engine", "rotate", "svcrotate"},
		// The one rotation engine knows no credentials file, flag or front end: the front ends
		// (rotate, svcrotate) choose its store, destinations and signer.
		"engine":          {"rotate", "svcrotate", "credfile", "cli", "jobs", "daemon", "lambda", "deploy", "apply", "policy", "incident"},
		"lambda/contract": {"*"},
		"daemon":          {"cli", "lambda", "deploy"},
		"doctor":          {"cli", "daemon", "lambda", "deploy", "apply", "rotate", "svcrotate", "provenance"},
		"jobs":            {"cli", "daemon", "lambda", "deploy", "incident"},
		"incident":        {"cli", "daemon", "lambda", "deploy"},
		"lambda":          {"cli", "daemon", "deploy"},
		"policy":          {"inventory", "apply", "jobs", "notify", "sink"},
		"sink/kind":       {"*"},
		"sink/kube":       {"*"}, // the Kubernetes client k8s: uses, a leaf
		// The SDK's stack without its generated clients: below everything that calls AWS.
		"awsapi": {"*"},
		// Constructors only: anything can use them without an arrow back.
		"clients": {"*"},
		// A leaf that talks to CloudTrail (and IAM's last use) as inventory talks to IAM; its
		// CloudTrail client, awsapi/cloudtrail, imports nothing of keywarden's but awsapi.
		"trail": {"accounts", "apply", "cli", "daemon", "deploy", "inventory", "jobs", "keys", "lambda",
			"notify", "policy", "provenance", "engine", "rotate", "svcrotate"},
	}
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}: {{join .Imports \" \"}}", mod+"...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ": ")
		bans, ok := never[strings.TrimPrefix(pkg, mod)]
		if !ok {
			continue
		}
		seen++
		for _, imp := range strings.Fields(imports) {
			name, internal := strings.CutPrefix(imp, mod)
			if !internal {
				continue
			}
			for _, b := range bans {
				if b == "*" || name == b {
					t.Errorf("%s imports %s; ARCHITECTURE.md says it never does", strings.TrimPrefix(pkg, mod), name)
				}
			}
		}
	}
	if seen != len(never) {
		t.Fatalf("checked %d of the %d packages named; a package was renamed", seen, len(never))
	}
}

// Invariant 12, one engine: only internal/engine creates a key or puts one into a destination,
// so self-rotation, service rotation, the rotation function and an incident's replacement
// cannot grow a second create-and-reconcile or a second delivery again.
func TestOnlyTheEngineCreatesAndDelivers(t *testing.T) {
	acts := regexp.MustCompile(`\.(CreateAccessKey|Stage|Deliver)\(`)
	found := 0
	for _, f := range internalSources(t) {
		dir := filepath.Base(filepath.Dir(f))
		if dir == "sink" {
			continue // sink implements Stage and Deliver (its subpackages do not)
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if !acts.MatchString(line) || strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue
			}
			if dir != "engine" {
				t.Errorf("%s:%d creates or delivers a key outside the rotation engine: %s", f, i+1, strings.TrimSpace(line))
			}
			found++
		}
	}
	if found < 3 {
		t.Fatalf("only %d creates or deliveries found in internal/engine; the pattern is wrong", found)
	}
}

// internalSources are the non-test Go files of every package under internal/, subpackages
// (sink/kube, awsapi/s3, …) included, so a guard over them cannot miss one a level down.
func internalSources(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(filepath.Join("..", "internal"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			out = append(out, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
