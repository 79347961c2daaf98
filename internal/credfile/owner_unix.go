//go:build unix

package credfile

import (
	"os"
	"syscall"
)

// keepOwner gives the new file the old one's owner, so that running as root (sudo) does not
// leave a user's credentials file owned by root.
func keepOwner(f *os.File, old os.FileInfo) error {
	st, ok := old.Sys().(*syscall.Stat_t)
	// Only root can give a file away; anyone else already owns what they create.
	if !ok || os.Geteuid() != 0 || (int(st.Uid) == 0 && int(st.Gid) == 0) {
		return nil
	}
	return f.Chown(int(st.Uid), int(st.Gid))
}
