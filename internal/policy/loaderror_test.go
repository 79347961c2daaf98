package policy

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// A config that does not load reads the same whichever front loaded it: the commands name the
// file, the Lambda its variable or parameter, in the same words.
func TestLoadErrorIsOneWordingForEveryFront(t *testing.T) {
	broken := func(name, yaml string) *LoadError {
		_, err := Load(name, []byte(yaml))
		if err == nil {
			t.Fatalf("%s loaded", name)
		}
		return &LoadError{Name: name, Err: err}
	}
	one := broken("KEYWARDEN_CONFIG", "jobs: [\n")
	if h := one.Head(); !strings.HasPrefix(h, "KEYWARDEN_CONFIG:") || strings.Contains(h, "\n") || one.Detail() != "" {
		t.Errorf("one problem: head %q, detail %q; want one line naming KEYWARDEN_CONFIG:LINE", h, one.Detail())
	}
	two := broken("ssm:/kw/config", "jobs:\n  a:\n    bogus: 1\n  b:\n    bogus: 2\n")
	var ve *ValidationError
	if !errors.As(two, &ve) || len(ve.Problems) < 2 {
		t.Fatalf("want several problems, got %v", two)
	}
	want := fmt.Sprintf("config ssm:/kw/config has %d problems", len(ve.Problems))
	if two.Head() != want || two.Error() != want+"\n"+ve.Error() {
		t.Errorf("several problems: %q, want %q and the problems one a line", two.Error(), want)
	}
}
