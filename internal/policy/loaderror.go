package policy

import (
	"errors"
	"fmt"
)

// LoadError is a config that did not load, in the one wording every front uses (the commands,
// serve on SIGHUP, the Lambda): one problem is one sentence, NAME:LINE:COL: what is wrong;
// several are "config NAME has N problems" followed by one a line (Detail).
type LoadError struct {
	Name string // the file, or where the Lambda read it: KEYWARDEN_CONFIG, ssm:/path
	Err  error  // from Load; a *ValidationError lists the problems
}

// Head is the one sentence.
func (e *LoadError) Head() string {
	var ve *ValidationError
	switch {
	case !errors.As(e.Err, &ve):
		return fmt.Sprintf("config %s: %v", e.Name, e.Err)
	case len(ve.Problems) == 1:
		return ve.Problems[0].String()
	case len(ve.Problems) == 0:
		return fmt.Sprintf("config %s has problems", e.Name)
	}
	return fmt.Sprintf("config %s has %d problems", e.Name, len(ve.Problems))
}

// Detail is the problems one a line when there are several, else "".
func (e *LoadError) Detail() string {
	var ve *ValidationError
	if errors.As(e.Err, &ve) && len(ve.Problems) > 1 {
		return ve.Error()
	}
	return ""
}

func (e *LoadError) Error() string {
	if d := e.Detail(); d != "" {
		return e.Head() + "\n" + d
	}
	return e.Head()
}

func (e *LoadError) Unwrap() error { return e.Err }
