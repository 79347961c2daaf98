package sink

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/keywarden/keywarden/internal/credfile"
	"github.com/keywarden/keywarden/internal/sink/kind"
)

var _ = builder(kind.Profile, func(rest string, e Env) (Sink, error) {
	name, file, _ := strings.Cut(rest, "@")
	if file == "" {
		file = e.CredentialsFile
	}
	if file == "" {
		return nil, fmt.Errorf("destination %q: no credentials file to write; name one, like profile:%s@FILE", kind.Profile.Name+":"+rest, name)
	}
	return &Profile{Name: name, File: file}, nil
})

// Profile writes the key into one profile of a shared credentials file, with credfile's edit
// (comments and other profiles kept) and its atomic, fsynced, owner-only write.
type Profile struct {
	Name string
	File string
}

func (d *Profile) String() string                              { return "profile:" + d.Name + "@" + d.File }
func (d *Profile) Stage(context.Context, Secret) (bool, error) { return false, nil }
func (d *Profile) CanRecover() bool                            { return true }
func (d *Profile) Actions() []string                           { return kind.Profile.ActionsFor(false) }

// Check refuses, before any key is made, a file keywarden cannot parse and a new file whose
// directory does not exist.
func (d *Profile) Check(context.Context) error {
	if _, err := os.Stat(d.File); errors.Is(err, fs.ErrNotExist) {
		dir := filepath.Dir(d.File)
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return &InvalidError{Msg: fmt.Sprintf("%s: the directory %s does not exist; create it or name another file", d, dir)}
		}
		return nil
	}
	if _, err := d.load(); err != nil {
		return &InvalidError{Msg: fmt.Sprintf("%s: %v", d, err)}
	}
	return nil
}

func (d *Profile) load() (*credfile.File, error) {
	f, err := credfile.Load(d.File)
	if errors.Is(err, fs.ErrNotExist) {
		return credfile.Parse(nil) // a new file is fine: the write creates it
	}
	return f, err
}

func (d *Profile) Deliver(_ context.Context, s Secret) error {
	f, err := d.load()
	if err != nil {
		return err
	}
	if p, ok := f.Profile(d.Name); ok && p.AccessKeyID == s.AccessKeyID && p.SecretAccessKey == s.SecretAccessKey {
		return nil
	}
	if err := f.SetKeys(d.Name, s.AccessKeyID, s.SecretAccessKey); err != nil {
		return err
	}
	return credfile.WriteFile(d.File, f.Bytes())
}

func (d *Profile) Recover(_ context.Context, keyID string) (Secret, bool, error) {
	f, err := d.load()
	if err != nil {
		return Secret{}, false, err
	}
	p, ok := f.Profile(d.Name)
	if !ok || p.AccessKeyID != keyID || p.SecretAccessKey == "" {
		return Secret{}, false, nil
	}
	return Secret{AccessKeyID: p.AccessKeyID, SecretAccessKey: p.SecretAccessKey}, true, nil
}
