// Command gendocs writes keywarden's shell completions (bash, zsh, fish) and man pages from
// the command tree itself, so what the release ships cannot drift from the flags the binary
// takes. goreleaser runs it before building; it is not part of the keywarden binary.
//
//	go run ./tools/gendocs DIR [DATE]   # DIR/completions/keywarden.{bash,zsh,fish}, DIR/man/*.1
//
// DATE (RFC 3339, goreleaser passes the commit's) dates the man pages, so the same commit
// gives the same pages; without it they carry today's.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra/doc"

	"github.com/keywarden/keywarden/internal/cli"
)

func main() {
	if len(os.Args) < 2 || len(os.Args) > 3 {
		fmt.Fprintln(os.Stderr, "gendocs: want the output directory and an optional date: go run ./tools/gendocs DIR [2026-12-01T09:00:00Z]")
		os.Exit(2)
	}
	var date *time.Time
	if len(os.Args) == 3 {
		d, err := time.Parse(time.RFC3339, os.Args[2])
		if err != nil {
			fmt.Fprintf(os.Stderr, "gendocs: date %q: want RFC 3339, such as 2026-12-01T09:00:00Z\n", os.Args[2])
			os.Exit(2)
		}
		date = &d
	}
	if err := run(os.Args[1], date); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

func run(dir string, date *time.Time) error {
	comp, man := filepath.Join(dir, "completions"), filepath.Join(dir, "man")
	for _, d := range []string{comp, man} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	root := cli.Tree()
	// The date would make every build's pages differ; the version says which keywarden it is.
	root.DisableAutoGenTag = true
	gens := map[string]func(string) error{
		"keywarden.bash": func(p string) error { return root.GenBashCompletionFileV2(p, true) },
		"keywarden.zsh":  root.GenZshCompletionFile,
		"keywarden.fish": func(p string) error { return root.GenFishCompletionFile(p, true) },
	}
	for name, gen := range gens {
		if err := gen(filepath.Join(comp, name)); err != nil {
			return fmt.Errorf("completion %s: %w", name, err)
		}
	}
	hdr := &doc.GenManHeader{Title: "KEYWARDEN", Section: "1", Source: "keywarden", Manual: "keywarden manual", Date: date}
	if err := doc.GenManTree(root, hdr, man); err != nil {
		return fmt.Errorf("man pages: %w", err)
	}
	return nil
}
