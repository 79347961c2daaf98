package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/keywarden/keywarden/test/emu"
)

// A rotate killed between writing its temporary copy of the credentials file and renaming it
// leaves that copy — every profile's secrets — beside the file. The next run removes it.
// strace kills the process at the exact rename, as the reproduction does.
func TestRotateRemovesTheCopyAKilledWriteLeft(t *testing.T) {
	if _, err := exec.LookPath("strace"); err != nil {
		t.Skip("strace is not installed")
	}
	_, _, _, credsPath := rotSetup(t)
	dir := filepath.Dir(credsPath)
	env := moto(t).Env("unused", "unused")
	cmd := exec.Command("strace", "-f", "-o", "/dev/null", "-P", credsPath,
		"-e", "trace=rename,renameat,renameat2", "-e", "inject=rename,renameat,renameat2:signal=KILL",
		emu.Binary(t), "rotate", "--profile", "dev")
	cmd.Env = rotEnv(env, credsPath)
	out, _ := cmd.CombinedOutput()
	left, _ := filepath.Glob(filepath.Join(dir, ".credentials.keywarden-*"))
	if len(left) == 0 {
		t.Fatalf("the kill at the rename left no temporary file; the test does not reproduce the crash\n%s", out)
	}
	if r := rotBin(t, env, credsPath, nil); r.code != 0 {
		t.Fatalf("the run after the kill: exit %d\n%s", r.code, r.stderr)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".credentials.keywarden-*")); len(left) != 0 {
		t.Fatalf("a copy of the credentials file is still there after the next run: %v", left)
	}
	assertOnlyFiles(t, dir, "credentials") // and no lock or journal either
}

// Only keywarden's own temporary files go: a file of that name owned by someone else stays.
func TestRotateRemovesOnlyItsOwnTemporaryFiles(t *testing.T) {
	_, _, _, credsPath := rotSetup(t)
	dir := filepath.Dir(credsPath)
	mine := filepath.Join(dir, ".credentials.keywarden-123456")
	journalTmp := filepath.Join(dir, ".credentials.keywarden-rotate.json.keywarden-99")
	theirs := filepath.Join(dir, ".credentials.keywarden-654321")
	for _, f := range []string{mine, journalTmp, theirs} {
		if err := os.WriteFile(f, []byte("[dev]\naws_secret_access_key = x\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if os.Geteuid() == 0 {
		if err := os.Chown(theirs, 4242, 4242); err != nil {
			t.Fatal(err)
		}
	} else {
		os.Remove(theirs)
		theirs = ""
	}
	if r := rotBin(t, moto(t).Env("unused", "unused"), credsPath, nil); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, f := range []string{mine, journalTmp} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s, a copy a killed write left, is still there", filepath.Base(f))
		}
	}
	if theirs != "" {
		if _, err := os.Stat(theirs); err != nil {
			t.Errorf("another user's file %s was removed", filepath.Base(theirs))
		}
	}
}
