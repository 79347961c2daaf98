// Package golden pins rendered output in files under a test's testdata directory: one
// helper and one -update flag for every package whose tests render (report's audit and
// SARIF, cli's plan), so accepting a change works the same everywhere.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata")

// Check compares got with testdata/name, or rewrites that file first under -update.
func Check(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -run '%s' -update to accept):\n--- got\n%s--- want\n%s", path, t.Name(), got, want)
	}
}
