package credfile

import "fmt"

// ParseError says where a credentials or config file is malformed. It never carries the line's
// content: that line may hold a secret.
type ParseError struct {
	Path   string // as given to Load; empty when parsing bytes
	Line   int    // 1-based
	Reason string
}

func (e *ParseError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("%s line %d: %s", e.Path, e.Line, e.Reason)
}
