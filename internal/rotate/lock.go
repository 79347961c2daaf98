package rotate

import (
	"errors"
	"fmt"
	"os"

	"github.com/keywarden/keywarden/internal/credfile"
	"github.com/keywarden/keywarden/internal/engine"
)

// lock takes an exclusive flock on path, the lock of the credentials file target (symlinks
// already resolved, so a rotation through a link and one through the real path exclude each
// other), without waiting. The lock file is owned like target, so a rotation run as root does
// not leave a lock the file's owner cannot open, and it is removed on unlock: a rotation
// leaves nothing behind. Removing it is safe because the holder unlinks before unlocking and a
// taker checks, once locked, that the path still names the file it locked.
func lock(path, target string) (unlock func(), err error) {
	for range 5 {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("open lock file: %w", err)
		}
		if err := tryLock(f); err != nil {
			f.Close()
			if errors.Is(err, errLocked) {
				return nil, &engine.RefusedError{Msg: fmt.Sprintf("another keywarden rotate is working on this credentials file (%s is locked); wait for it to finish", path)}
			}
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		held, err1 := f.Stat()
		now, err2 := os.Stat(path)
		if err1 != nil || err2 != nil || !os.SameFile(held, now) {
			f.Close() // the previous holder removed it after we opened it: take the new one
			continue
		}
		if fi, err := os.Stat(target); err == nil {
			if err := credfile.KeepOwner(f, fi); err != nil {
				os.Remove(path)
				f.Close()
				return nil, fmt.Errorf("give the lock file %s its credentials file's owner: %w", path, err)
			}
		}
		return func() {
			os.Remove(path)
			unlockFile(f)
			f.Close()
		}, nil
	}
	return nil, &engine.RefusedError{Msg: fmt.Sprintf("another keywarden rotate keeps taking the lock %s; wait for it to finish", path)}
}
