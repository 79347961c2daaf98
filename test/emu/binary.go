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
	out, err := exec.Command("go", "build", "-buildvcs=false", "-o", bin.path, mainPkg).CombinedOutput()
	if err != nil {
		bin.err = fmt.Errorf("emu: go build %s: %w\n%s", mainPkg, err, out)
	}
}

// RemoveBinary deletes what Binary built. It is not tied to a server's stop, since
// scripts running in parallel each stop a server of their own while sharing the binary.
func RemoveBinary() {
	bin.once.Do(func() {}) // waits for a Prebuild still under way
	if bin.dir != "" {
		os.RemoveAll(bin.dir)
	}
}
