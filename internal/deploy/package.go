package deploy

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// zipEpoch is the earliest time a zip header can hold; every package carries it, so the same
// binary always makes the same bytes (and the same S3 key).
var zipEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// Zip returns the function package: one file, bootstrap, executable, with fixed timestamps.
// The same binary gives the same bytes.
func Zip(bootstrap []byte) ([]byte, error) {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: zipEpoch}
	h.SetMode(0o755)
	f, err := w.CreateHeader(h)
	if err != nil {
		return nil, fmt.Errorf("zip bootstrap: %w", err)
	}
	if _, err := f.Write(bootstrap); err != nil {
		return nil, fmt.Errorf("zip bootstrap: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("zip bootstrap: %w", err)
	}
	return b.Bytes(), nil
}

// PackageKey is the S3 key of a package: named by its content, so an unchanged binary is an
// unchanged stack and a changed one updates the function.
func PackageKey(functionName, goarch string, zipped []byte) string {
	sum := sha256.Sum256(zipped)
	return fmt.Sprintf("keywarden/%s/%s-%s.zip", functionName, goarch, hex.EncodeToString(sum[:8]))
}

// BinaryOptions say where the bootstrap comes from.
type BinaryOptions struct {
	GOARCH string
	// Path, if set, is a prebuilt linux binary to use as is (checked for its architecture).
	Path string
	// Package, if set, is a release's Lambda zip (keywarden_VERSION_lambda_ARCH.zip); its
	// bootstrap is used as is (checked for its architecture).
	Package string
	// Version names the release zip in the error that asks for one.
	Version string
	// Self is the running executable (os.Executable), reused when it is already a static
	// linux binary of GOARCH.
	Self string
	// Dir is where to look for keywarden's module source (the working directory).
	Dir string
	// Log says which source was chosen.
	Log func(format string, args ...any)
}

// Bootstrap returns the function's binary and says where it came from. In order:
//  1. --binary PATH or --package FILE.zip, if given;
//  2. the running keywarden, if it is a static linux binary of the target architecture (a
//     released binary deploys itself: no checkout, no Go);
//  3. for developers, `go build` of cmd/keywarden for linux/GOARCH (CGO_ENABLED=0,
//     -trimpath, -ldflags=-s -w): from the working directory if it is inside keywarden's
//     module, else from the module proxy at the running binary's own version.
//
// Anything else (macOS, Windows, the other architecture, no Go) is told to pass the
// release's Lambda zip with --package.
func Bootstrap(ctx context.Context, o BinaryOptions) ([]byte, string, error) {
	machine, err := elfMachine(o.GOARCH)
	if err != nil {
		return nil, "", err
	}
	if o.Path != "" && o.Package != "" {
		return nil, "", errors.New("--binary and --package both name the function's code; pass one")
	}
	if o.Package != "" {
		b, err := fromPackage(o.Package, machine)
		if err != nil {
			return nil, "", fmt.Errorf("--package %s: %w", o.Package, err)
		}
		return b, o.Package, nil
	}
	if o.Path != "" {
		b, err := os.ReadFile(o.Path)
		if err != nil {
			return nil, "", fmt.Errorf("read --binary: %w", err)
		}
		if err := checkELF(b, machine); err != nil {
			return nil, "", fmt.Errorf("--binary %s: %w", o.Path, err)
		}
		return b, o.Path, nil
	}
	if o.Self != "" && runtime.GOOS == "linux" && runtime.GOARCH == o.GOARCH {
		if b, err := os.ReadFile(o.Self); err == nil && checkELF(b, machine) == nil && isStatic(b) {
			return b, "the running keywarden (" + o.Self + ")", nil
		}
	}
	return goBuild(ctx, o)
}

func elfMachine(goarch string) (elf.Machine, error) {
	switch goarch {
	case "arm64":
		return elf.EM_AARCH64, nil
	case "amd64":
		return elf.EM_X86_64, nil
	}
	return 0, fmt.Errorf("architecture %q: want arm64 or amd64", goarch)
}

func checkELF(b []byte, want elf.Machine) error {
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return errors.New("not a linux (ELF) executable")
	}
	defer f.Close()
	if f.Machine != want {
		return fmt.Errorf("built for %s, want %s", f.Machine, want)
	}
	return nil
}

// isStatic reports whether an ELF file needs no dynamic loader; provided.al2023 would run a
// glibc-linked binary too, but a static one does not depend on the image's libc.
func isStatic(b []byte) bool {
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return false
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return false
		}
	}
	return true
}

const mainPkg = "github.com/keywarden/keywarden/cmd/keywarden"

// fromPackage reads bootstrap out of a Lambda zip and checks it is a linux binary of the
// architecture; it is zipped again by Zip, so the same binary is the same package however
// it was given.
func fromPackage(path string, machine elf.Machine) ([]byte, error) {
	r, err := zip.OpenReader(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, errors.New("no such file")
		}
		return nil, errors.New("not a zip file; want the release's keywarden_VERSION_lambda_ARCH.zip")
	}
	defer r.Close()
	for _, f := range r.File {
		if f.Name != "bootstrap" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("read bootstrap: %w", err)
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, maxBootstrap+1))
		if err != nil {
			return nil, fmt.Errorf("read bootstrap: %w", err)
		}
		if len(b) > maxBootstrap {
			return nil, fmt.Errorf("bootstrap is larger than Lambda's %d MB limit", maxBootstrap>>20)
		}
		if err := checkELF(b, machine); err != nil {
			return nil, fmt.Errorf("bootstrap: %w", err)
		}
		return b, nil
	}
	return nil, errors.New("holds no bootstrap; want the release's keywarden_VERSION_lambda_ARCH.zip")
}

// maxBootstrap is Lambda's limit on unzipped code.
const maxBootstrap = 250 << 20

// cannotPackage says why this keywarden cannot be the function and what to pass instead.
func cannotPackage(o BinaryOptions, why string) error {
	v := o.Version
	if v == "" || v == "dev" {
		v = "VERSION"
	}
	msg := fmt.Sprintf("this keywarden is a %s/%s binary and %s, so it cannot make the linux/%s function: pass --package keywarden_%s_lambda_%s.zip (the release's Lambda zip)",
		runtime.GOOS, runtime.GOARCH, why, o.GOARCH, v, o.GOARCH)
	if runtime.GOOS == "linux" && runtime.GOARCH != o.GOARCH {
		msg += fmt.Sprintf(", or --arch %s to deploy this binary as it is", runtime.GOARCH)
	}
	return errors.New(msg)
}

func goBuild(ctx context.Context, o BinaryOptions) ([]byte, string, error) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return nil, "", cannotPackage(o, "there is no Go toolchain to build one")
	}
	tmp, err := os.MkdirTemp("", "keywarden-build-")
	if err != nil {
		return nil, "", err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "bootstrap")
	dir, from := o.Dir, "the module source in "+o.Dir
	if !inModule(ctx, gobin, o.Dir) {
		v := moduleVersion()
		if v == "" {
			return nil, "", cannotPackage(o, "the working directory is not keywarden's source to build one from")
		}
		dir, from = filepath.Join(tmp, "mod"), "github.com/keywarden/keywarden@"+v
		os.Mkdir(dir, 0o700)
		for _, args := range [][]string{{"mod", "init", "keywarden-build"}, {"get", mainPkg + "@" + v}} {
			if err := run(ctx, gobin, dir, nil, args...); err != nil {
				return nil, "", err
			}
		}
	}
	if o.Log != nil {
		o.Log("building bootstrap for linux/%s from %s", o.GOARCH, from)
	}
	env := []string{"GOOS=linux", "GOARCH=" + o.GOARCH, "CGO_ENABLED=0"}
	if err := run(ctx, gobin, dir, env, "build", "-trimpath", "-tags=lambda.norpc", "-ldflags=-s -w", "-buildvcs=false", "-o", out, mainPkg); err != nil {
		return nil, "", err
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return nil, "", err
	}
	return b, "go build from " + from, nil
}

func inModule(ctx context.Context, gobin, dir string) bool {
	cmd := exec.CommandContext(ctx, gobin, "list", "-m")
	cmd.Dir = dir
	b, err := cmd.Output()
	return err == nil && strings.TrimSpace(string(b)) == "github.com/keywarden/keywarden"
}

func moduleVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Path != "github.com/keywarden/keywarden" || bi.Main.Version == "" || bi.Main.Version == "(devel)" {
		return ""
	}
	return bi.Main.Version
}

func run(ctx context.Context, gobin, dir string, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, gobin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}
