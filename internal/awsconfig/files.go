package awsconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/keywarden/keywarden/internal/credfile"
)

// FileError is a shared config or credentials file that stops a profile from being read: it
// cannot be read, or it is malformed at a line (never echoed: it may hold a secret). It is bad
// input, not an authentication failure: the fix is in the file.
type FileError struct{ Msg string }

func (e *FileError) Error() string { return e.Msg }

// diagnoseFiles says why profile was not found when the reason is one of the files, or nil
// when both read and parse (the profile is simply absent).
func diagnoseFiles(profile string) error {
	for _, f := range []struct {
		path   string
		config bool
	}{{configFile(), true}, {credentialsFile(), false}} {
		p := expandHome(f.path)
		data, err := os.ReadFile(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return &FileError{Msg: fmt.Sprintf("cannot read %s (%s), so profile %q cannot be found; fix the file's permissions or point %s elsewhere",
				f.path, reason(err), profile, envFor(f.config))}
		}
		parse := credfile.Parse
		if f.config {
			parse = credfile.ParseConfig
		}
		if _, err := parse(data); err != nil {
			var pe *credfile.ParseError
			if errors.As(err, &pe) {
				return &FileError{Msg: fmt.Sprintf("%s line %d: %s, so profile %q cannot be read; fix that line", f.path, pe.Line, pe.Reason, profile)}
			}
			return &FileError{Msg: fmt.Sprintf("%s: %v, so profile %q cannot be read; fix the file", f.path, err, profile)}
		}
	}
	return nil
}

func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return err.Error()
}

func envFor(config bool) string {
	if config {
		return "AWS_CONFIG_FILE"
	}
	return "AWS_SHARED_CREDENTIALS_FILE"
}

func expandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if h, err := os.UserHomeDir(); err == nil {
			return filepath.Join(h, rest)
		}
	}
	return p
}
