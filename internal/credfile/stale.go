package credfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// tempPattern is the name WriteFile gives its temporary file beside target: hidden, and
// unmistakably keywarden's.
func tempPattern(target string) string { return "." + filepath.Base(target) + ".keywarden-*" }

// RemoveStaleTemps removes the temporary files a WriteFile of path killed between writing and
// renaming left behind: each is a full copy of the file (every profile's secrets). They are
// recognised by name and by owner (the owner of path, or of the directory when path does not
// exist yet), so nothing else is touched. Call it only while no other keywarden writes path
// (rotate holds its lock): a temporary file of a write in progress looks the same.
func RemoveStaleTemps(path string) ([]string, error) {
	target, err := Resolve(path)
	if err != nil {
		return nil, err
	}
	ref, err := os.Stat(target)
	if errors.Is(err, fs.ErrNotExist) {
		ref, err = os.Stat(filepath.Dir(target))
	}
	if err != nil {
		return nil, fmt.Errorf("look for stale temporary files of %s: %w", target, err)
	}
	matches, err := filepath.Glob(filepath.Join(filepath.Dir(target), tempPattern(target)))
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, m := range matches {
		fi, err := os.Lstat(m)
		if err != nil || !fi.Mode().IsRegular() || !sameOwner(fi, ref) || !strings.HasPrefix(filepath.Base(m), ".") {
			continue
		}
		if err := os.Remove(m); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("remove the stale temporary file %s: %w", m, err)
		}
		removed = append(removed, m)
	}
	return removed, nil
}
