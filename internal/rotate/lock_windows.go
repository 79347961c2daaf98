//go:build windows

package rotate

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// errLocked is tryLock's answer when another process holds the lock.
var errLocked = errors.New("locked by another process")

// tryLock is flock's LOCK_EX|LOCK_NB on Windows: an exclusive byte-range lock over the whole
// file that fails at once instead of waiting. (Removing the lock file while it is open fails
// on Windows; unlock's os.Remove then leaves it, and the next taker reuses it.)
func tryLock(f *os.File) error {
	var ol windows.Overlapped
	err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ol)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return errLocked
	}
	return err
}

func unlockFile(f *os.File) {
	var ol windows.Overlapped
	windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, &ol)
}
