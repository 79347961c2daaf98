//go:build linux

package credfile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A write that fails half-way (here: the file size limit, as a full disk would) must leave the
// old file as it was and no temporary file behind. Works for root too, unlike permissions.
func TestWriteFileShortWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "credentials")
	writeMode(t, p, 0o600)

	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Skip(err)
	}
	lim := old
	lim.Cur = 1024
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Skip(err)
	}
	err := WriteFile(p, []byte(strings.Repeat("x", 8192)))
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	if err == nil {
		t.Fatal("want an error from a write past the size limit")
	}
	if got, _ := os.ReadFile(p); string(got) != "old" {
		t.Errorf("old file changed: %q", got)
	}
	assertNoTemp(t, dir)
}
