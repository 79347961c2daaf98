package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/exitcode"
)

func TestFindConfig(t *testing.T) {
	xdg := "/x/keywarden/keywarden.yaml"
	home := "/h/.config/keywarden/keywarden.yaml"
	cases := []struct {
		name  string
		env   map[string]string
		files []string
		want  string
		err   string
	}{
		{"nothing anywhere keeps the default", map[string]string{"HOME": "/h"}, nil, "", ""},
		{"the current directory", map[string]string{"HOME": "/h"}, []string{"keywarden.yaml", home}, "keywarden.yaml", ""},
		{"KEYWARDEN_CONFIG wins over the current directory", map[string]string{"KEYWARDEN_CONFIG": "/etc/kw.yaml"}, []string{"keywarden.yaml"}, "/etc/kw.yaml", ""},
		{"XDG_CONFIG_HOME", map[string]string{"XDG_CONFIG_HOME": "/x", "HOME": "/h"}, []string{xdg, home}, xdg, ""},
		{"~/.config when XDG_CONFIG_HOME is unset", map[string]string{"HOME": "/h"}, []string{home}, home, ""},
		{"a relative XDG_CONFIG_HOME is ignored", map[string]string{"XDG_CONFIG_HOME": "rel", "HOME": "/h"}, []string{"rel/keywarden/keywarden.yaml", home}, home, ""},
		{"the Lambda's inline text", map[string]string{"KEYWARDEN_CONFIG": "jobs:\n- name: a\n"}, nil, "", "holds YAML text"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := findConfig(func(k string) string { return c.env[k] }, func(p string) bool {
				for _, f := range c.files {
					if f == p {
						return true
					}
				}
				return false
			})
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("findConfig = %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

// validate reads the discovered file and says which one, and -c still wins.
func TestValidateSaysWhichFileItRead(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "keywarden", "keywarden.yaml")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	yaml := "jobs:\n  curfew:\n    schedule: \"0 0 * * *\"\n    do:\n      - deactivate: {}\n"
	if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	d, _, errb := testDeps()
	d.Getenv = func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return dir
		}
		return ""
	}
	if code := Run(context.Background(), d, []string{"validate"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	if want := "config " + p + " is valid"; !strings.Contains(errb.String(), want) {
		t.Fatalf("stderr %q lacks %q", errb, want)
	}
	errb.Reset()
	if code := Run(context.Background(), d, []string{"validate", "-c", "missing.yaml"}); code != exitcode.Usage || !strings.Contains(errb.String(), "missing.yaml not found") {
		t.Fatalf("-c missing.yaml: exit %d: %s", code, errb)
	}
}
