//go:build unix

package credfile

import (
	"os"
	"syscall"
)

// KeepOwner gives the new file the old one's owner, so that running as root (sudo) does not
// leave a user's credentials file owned by root.
func KeepOwner(f *os.File, old os.FileInfo) error {
	st, ok := old.Sys().(*syscall.Stat_t)
	// Only root can give a file away; anyone else already owns what they create.
	if !ok || os.Geteuid() != 0 || (int(st.Uid) == 0 && int(st.Gid) == 0) {
		return nil
	}
	return f.Chown(int(st.Uid), int(st.Gid))
}

// sameOwner reports whether two files have the same owning user.
func sameOwner(a, b os.FileInfo) bool {
	sa, ok1 := a.Sys().(*syscall.Stat_t)
	sb, ok2 := b.Sys().(*syscall.Stat_t)
	return ok1 && ok2 && sa.Uid == sb.Uid
}
