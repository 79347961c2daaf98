package test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// releaseVersion is stamped into the release-like binary, as goreleaser stamps the tag's.
const releaseVersion = "0.4.0-test"

// TestReleaseBinary builds keywarden once as a release builds it for this machine's linux
// architecture (static, stripped, the version stamped) and uses it as a person without Go
// would: deployed from a copy, and run from the container image.
func TestReleaseBinary(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("a linux binary packages itself; this machine is " + runtime.GOOS)
	}
	bin := filepath.Join(t.TempDir(), "keywarden")
	cmd := exec.Command("go", "build", "-buildvcs=false", "-ldflags",
		"-s -w -X github.com/keywarden/keywarden/internal/cli.version="+releaseVersion, "-o", bin,
		"github.com/keywarden/keywarden/cmd/keywarden")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the release binary: %v\n%s", err, out)
	}
	t.Run("deploys itself from a copy without Go", func(t *testing.T) { testDeployFromCopy(t, bin) })
	t.Run("runs from the OCI image", func(t *testing.T) { testImage(t, bin) })
}

func otherArch() string {
	if runtime.GOARCH == "arm64" {
		return "amd64"
	}
	return "arm64"
}

// withoutGo is env with PATH replaced by an empty directory: no go, no checkout tools.
func withoutGo(t *testing.T, env []string) []string {
	var out []string
	for _, e := range env {
		if !strings.HasPrefix(e, "PATH=") && !strings.HasPrefix(e, "GO") {
			out = append(out, e)
		}
	}
	return append(out, "PATH="+t.TempDir())
}

// A released binary copied into an empty directory, with no Go on PATH, deploys itself: the
// stack is created and the function's code is exactly that binary.
func testDeployFromCopy(t *testing.T, src string) {
	fresh(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "keywarden")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "keywarden.yaml")
	os.WriteFile(cfg, []byte(lambdaYAML), 0o600)
	env := withoutGo(t, witnessEnv(t))
	run := func(args ...string) (int, string, string) {
		r := runProgram(t, bin, dir, env, args...)
		return r.code, r.stdout, r.stderr
	}

	// The other architecture cannot be this binary: refused before anything is made, naming
	// the release zip to pass.
	code, _, stderr := run("deploy", "-c", cfg, "--arch", otherArch())
	want := "pass --package keywarden_" + releaseVersion + "_lambda_" + otherArch() + ".zip (the release's Lambda zip)"
	if code != 2 || !strings.Contains(stderr, want) || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("deploy --arch %s from a %s binary without Go: exit %d, want 2 and %q:\n%s", otherArch(), runtime.GOARCH, code, want, stderr)
	}
	if out := string(awsCLI(t, "cloudformation", "list-stacks")); strings.Contains(out, `"StackName": "keywarden"`) {
		t.Fatalf("the refused deploy left a stack:\n%s", out)
	}

	code, stdout, stderr := run("deploy", "-c", cfg, "--arch", runtime.GOARCH)
	if code != 0 {
		t.Fatalf("deploy from the copied binary: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "bootstrap from the running keywarden ("+bin+")") || !strings.Contains(stdout, "function  arn:aws:lambda:") {
		t.Fatalf("deploy did not package itself:\nstdout %s\nstderr %s", stdout, stderr)
	}

	// The function's code, as the AWS CLI sees it: the stack's package in S3 holds this very
	// binary as bootstrap, and Lambda's CodeSha256 is that package's.
	var st struct {
		Stacks []struct {
			StackStatus string
			Parameters  []struct{ ParameterKey, ParameterValue string }
		}
	}
	json.Unmarshal(awsCLI(t, "cloudformation", "describe-stacks", "--stack-name", "keywarden"), &st)
	if len(st.Stacks) != 1 || st.Stacks[0].StackStatus != "CREATE_COMPLETE" {
		t.Fatalf("stack = %+v", st)
	}
	params := map[string]string{}
	for _, p := range st.Stacks[0].Parameters {
		params[p.ParameterKey] = p.ParameterValue
	}
	zipPath := filepath.Join(t.TempDir(), "code.zip")
	awsCLI(t, "s3api", "get-object", "--bucket", params["CodeBucket"], "--key", params["CodeKey"], zipPath)
	zipped, err := os.ReadFile(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil || len(zr.File) != 1 || zr.File[0].Name != "bootstrap" {
		t.Fatalf("package s3://%s/%s: %v", params["CodeBucket"], params["CodeKey"], err)
	}
	f, _ := zr.File[0].Open()
	got, _ := io.ReadAll(f)
	if !bytes.Equal(got, b) {
		t.Fatalf("the function's bootstrap (%d bytes) is not the copied binary (%d bytes)", len(got), len(b))
	}
	var fn struct{ Configuration struct{ CodeSha256 string } }
	json.Unmarshal(awsCLI(t, "lambda", "get-function", "--function-name", "keywarden"), &fn)
	sum := sha256.Sum256(zipped)
	if fn.Configuration.CodeSha256 != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Fatalf("the function's CodeSha256 %s is not the package's", fn.Configuration.CodeSha256)
	}
}

// tinyFor is a do-nothing static linux program for arch: the other platform's layer, which
// this machine cannot run, checked by its ELF header only.
func tinyFor(t *testing.T, arch string) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	os.WriteFile(src, []byte("package main\n\nfunc main() {}\n"), 0o600)
	out := filepath.Join(dir, "keywarden")
	cmd := exec.Command("go", "build", "-o", out, src)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch, "GO111MODULE=off")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build a tiny %s binary: %v\n%s", arch, err, b)
	}
	return out
}

func elfMachineOf(arch string) elf.Machine {
	if arch == "arm64" {
		return elf.EM_AARCH64
	}
	return elf.EM_X86_64
}

// The release's tools (the image builder, the man page generator) and the harness's (the GitHub
// stand-in's OpenAPI validator) must not weigh on the binary every user runs: their libraries
// stay out of cmd/keywarden's import graph.
func TestBinaryImportsNoReleaseTools(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/keywarden/keywarden/cmd/keywarden").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 100 || !slices.Contains(deps, "github.com/keywarden/keywarden/internal/cli") {
		t.Fatalf("go list -deps gave %d packages; want keywarden's graph", len(deps))
	}
	for _, d := range deps {
		for _, banned := range []string{"github.com/google/go-containerregistry", "github.com/cpuguy83/go-md2man", "github.com/spf13/cobra/doc", "github.com/keywarden/keywarden/tools/", "github.com/getkin/"} {
			if strings.HasPrefix(d, banned) {
				t.Errorf("cmd/keywarden imports %s", d)
			}
		}
	}
}
