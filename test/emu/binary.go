package emu

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

const mainPkg = "github.com/keywarden/keywarden/cmd/keywarden"

var bin struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// Prebuild starts building the binary in the background, so the tests that run it do not wait
// for a whole compile (a minute on a cold cache) when their turn comes.
func Prebuild() { go bin.once.Do(build) }

// Binary builds cmd/keywarden once per test process, outside the repository,
// and returns its path. Call RemoveBinary from TestMain when the package is done.
func Binary(t testing.TB) string {
	t.Helper()
	bin.once.Do(build)
	if bin.err != nil {
		t.Fatal(bin.err)
	}
	return bin.path
}

func build() {
	bin.dir, bin.err = os.MkdirTemp("", "keywarden-bin-")
	if bin.err != nil {
		return
	}
	bin.path = filepath.Join(bin.dir, "keywarden")
	out, err := exec.Command("go", "build", "-buildvcs=false", "-tags", "lambda.norpc", "-o", bin.path, mainPkg).CombinedOutput()
	if err != nil {
		bin.err = fmt.Errorf("emu: go build %s: %w\n%s", mainPkg, err, out)
	}
}

// RemoveBinary deletes what Binary built. It is not tied to a server's stop, since
// scripts running in parallel each stop a server of their own while sharing the binary.
func RemoveBinary() {
	bin.once.Do(func() {}) // waits for a Prebuild still under way
	if tiny.path != "" {
		os.RemoveAll(filepath.Dir(tiny.path))
	}
	if bin.dir != "" {
		os.RemoveAll(bin.dir)
	}
}

var tiny struct {
	once sync.Once
	path string
	err  error
}

// TinyBinary is a static linux/amd64 program that does nothing, for tests that ship a binary
// without running it (deploy): zipping the 35 MB keywarden with a race-instrumented compressor
// would cost a minute a test.
func TinyBinary(t testing.TB) string {
	t.Helper()
	tiny.once.Do(func() {
		dir, err := os.MkdirTemp("", "keywarden-tiny-")
		if err != nil {
			tiny.err = err
			return
		}
		src := filepath.Join(dir, "main.go")
		if tiny.err = os.WriteFile(src, []byte("package main\n\nfunc main() {}\n"), 0o600); tiny.err != nil {
			return
		}
		tiny.path = filepath.Join(dir, "bootstrap")
		cmd := exec.Command("go", "build", "-o", tiny.path, src)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64", "GO111MODULE=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			tiny.err = fmt.Errorf("emu: build a tiny binary: %w\n%s", err, out)
		}
	})
	if tiny.err != nil {
		t.Fatal(tiny.err)
	}
	return tiny.path
}
