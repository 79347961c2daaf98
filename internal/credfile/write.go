package credfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Load reads and parses a shared credentials file.
func Load(path string) (*File, error) { return load(path, false) }

// LoadConfig reads and parses a shared config file.
func LoadConfig(path string) (*File, error) { return load(path, true) }

func load(path string, config bool) (*File, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &NotFoundError{Path: path}
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	f, err := parse(data, config)
	var pe *ParseError
	if errors.As(err, &pe) {
		pe.Path = path
		return nil, pe
	}
	return f, err
}

// NotFoundError is fs.ErrNotExist with a message that says how to fix it; a missing file is bad
// input (exitcode.Of).
type NotFoundError struct{ Path string }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%s does not exist; create it with \"aws configure\"", e.Path)
}

func (e *NotFoundError) Is(target error) bool { return target == fs.ErrNotExist }

// WriteFile replaces path with data so that a reader (or a crash) sees either the old file or
// the new one, never a mix: a temporary file in the same directory is written, synced, renamed
// over the target, and the directory is synced. The result is readable by its owner only (0600,
// or narrower if the old file was narrower) and keeps the old file's owner where possible. A
// symlink is followed: its target is replaced and the link kept.
func WriteFile(path string, data []byte) (err error) {
	target, err := Resolve(path)
	if err != nil {
		return err
	}
	mode := os.FileMode(0o600)
	old, statErr := os.Stat(target)
	switch {
	case statErr == nil && !old.Mode().IsRegular():
		return fmt.Errorf("write %s: not a regular file", target)
	case statErr == nil && old.Mode().Perm()&^0o600 == 0 && old.Mode().Perm()&0o400 != 0:
		mode = old.Mode().Perm() // already owner-only (e.g. 0400): never widen it
	case statErr != nil && !errors.Is(statErr, fs.ErrNotExist):
		return fmt.Errorf("write %s: %w", target, statErr)
	}

	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, tempPattern(base))
	if err != nil {
		return fmt.Errorf("write %s: %w", target, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(mode); err != nil {
		return fmt.Errorf("write %s: %w", target, err)
	}
	if old != nil {
		if err := KeepOwner(tmp, old); err != nil {
			return fmt.Errorf("write %s: keep owner: %w", target, err)
		}
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", target, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: sync: %w", target, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", target, err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("write %s: %w", target, err)
	}
	// The rename is durable only once the directory entry is on disk.
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("write %s: sync directory: %w", target, err)
	}
	return nil
}

// Resolve follows symlinks so that the link's target is replaced (and locked), not the link. A
// dangling link is an error: writing next to it would silently create a file nobody reads.
func Resolve(path string) (string, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, nil
	}
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if fi.Mode()&fs.ModeSymlink == 0 {
		return path, nil
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", fmt.Errorf("write %s: resolve symlink: %w", path, err)
	}
	return target, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
