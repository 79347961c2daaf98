package credfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteFile(t *testing.T) {
	content := []byte("[default]\naws_access_key_id = " + newID + "\n")
	tests := []struct {
		name     string
		setup    func(t *testing.T, dir string) (path, target string)
		wantMode fs.FileMode
	}{
		{
			name: "new file is 0600",
			setup: func(t *testing.T, dir string) (string, string) {
				p := filepath.Join(dir, "credentials")
				return p, p
			},
			wantMode: 0o600,
		},
		{
			name: "0644 file tightened to 0600",
			setup: func(t *testing.T, dir string) (string, string) {
				p := filepath.Join(dir, "credentials")
				writeMode(t, p, 0o644)
				return p, p
			},
			wantMode: 0o600,
		},
		{
			name: "0666 file tightened to 0600",
			setup: func(t *testing.T, dir string) (string, string) {
				p := filepath.Join(dir, "credentials")
				writeMode(t, p, 0o666)
				return p, p
			},
			wantMode: 0o600,
		},
		{
			name: "0400 file not widened",
			setup: func(t *testing.T, dir string) (string, string) {
				p := filepath.Join(dir, "credentials")
				writeMode(t, p, 0o400)
				return p, p
			},
			wantMode: 0o400,
		},
		{
			name: "symlink: target replaced, link kept",
			setup: func(t *testing.T, dir string) (string, string) {
				real := filepath.Join(dir, "dotfiles", "aws-credentials")
				if err := os.Mkdir(filepath.Dir(real), 0o700); err != nil {
					t.Fatal(err)
				}
				writeMode(t, real, 0o644)
				link := filepath.Join(dir, "credentials")
				if err := os.Symlink(real, link); err != nil {
					t.Fatal(err)
				}
				return link, real
			},
			wantMode: 0o600,
		},
		{
			name: "relative symlink",
			setup: func(t *testing.T, dir string) (string, string) {
				real := filepath.Join(dir, "real")
				writeMode(t, real, 0o600)
				link := filepath.Join(dir, "credentials")
				if err := os.Symlink("real", link); err != nil {
					t.Fatal(err)
				}
				return link, real
			},
			wantMode: 0o600,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path, target := tt.setup(t, dir)
			if err := WriteFile(path, content); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(target)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(content) {
				t.Errorf("content = %q", got)
			}
			fi, err := os.Stat(target)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != tt.wantMode {
				t.Errorf("mode = %v, want %v", fi.Mode().Perm(), tt.wantMode)
			}
			if path != target {
				li, err := os.Lstat(path)
				if err != nil || li.Mode()&fs.ModeSymlink == 0 {
					t.Errorf("link replaced by a file: %v %v", li, err)
				}
			}
			assertNoTemp(t, filepath.Dir(target))
		})
	}
}

func TestWriteFileFailures(t *testing.T) {
	t.Run("dangling symlink", func(t *testing.T) {
		dir := t.TempDir()
		link := filepath.Join(dir, "credentials")
		if err := os.Symlink(filepath.Join(dir, "nowhere"), link); err != nil {
			t.Fatal(err)
		}
		if err := WriteFile(link, []byte("x")); err == nil {
			t.Fatal("want an error")
		}
		if _, err := os.Stat(filepath.Join(dir, "nowhere")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("dangling target created: %v", err)
		}
		assertNoTemp(t, dir)
	})
	t.Run("target is a directory", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "credentials")
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := WriteFile(p, []byte("x")); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Fatalf("err = %v", err)
		}
		assertNoTemp(t, dir)
	})
	t.Run("read-only directory: old file intact", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root writes a read-only directory; see TestWriteFileShortWrite")
		}
		dir := t.TempDir()
		p := filepath.Join(dir, "credentials")
		writeMode(t, p, 0o600)
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(dir, 0o700)
		if err := WriteFile(p, []byte("new")); err == nil {
			t.Fatal("want an error")
		}
		if got, _ := os.ReadFile(p); string(got) != "old" {
			t.Errorf("old file changed: %q", got)
		}
		assertNoTemp(t, dir)
	})
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "credentials")
	_, err := Load(missing)
	if want := missing + ` does not exist; create it with "aws configure"`; !errors.Is(err, fs.ErrNotExist) || err.Error() != want {
		t.Errorf("missing file: %v, want %s", err, want)
	}

	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(bad, []byte("[a]\naws_access_key_id = A\n"+fakeSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(bad)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Path != bad || pe.Line != 3 {
		t.Fatalf("bad file: %#v", err)
	}
	if want := bad + ` line 3: expected "key = value" or "[profile]"`; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}

	good := filepath.Join(dir, "config")
	if err := os.WriteFile(good, []byte("[profile dev]\nregion = r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := LoadConfig(good)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := f.Profile("dev"); !ok || p.Values["region"] != "r" {
		t.Errorf("config profile: %v %v", p, ok)
	}
}

func writeMode(t *testing.T, p string, mode fs.FileMode) {
	t.Helper()
	if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".keywarden-") {
			t.Errorf("temp file left behind: %s", e.Name())
		}
	}
}
