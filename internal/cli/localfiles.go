package cli

import (
	"fmt"
	"os"
	"path/filepath"
)

// home is $HOME, else the OS's idea of it.
func (d *Deps) home() string {
	if h := d.Getenv("HOME"); h != "" {
		return h
	}
	h, _ := os.UserHomeDir()
	return h
}

// credentialsFile is the shared credentials file the SDK reads: $AWS_SHARED_CREDENTIALS_FILE,
// else ~/.aws/credentials. Self-rotation writes it, and profile: destinations default to it.
func (d *Deps) credentialsFile() string {
	if f := d.Getenv("AWS_SHARED_CREDENTIALS_FILE"); f != "" {
		return f
	}
	return filepath.Join(d.home(), ".aws", "credentials")
}

// failpoint ends the process abruptly at the named step, as a kill would, when
// KEYWARDEN_FAILPOINT names it: the crash tests of both rotations use it.
func (d *Deps) failpoint(name string) {
	if d.Getenv("KEYWARDEN_FAILPOINT") == name {
		fmt.Fprintf(d.Stderr, "keywarden: failpoint %s\n", name)
		os.Exit(97)
	}
}
