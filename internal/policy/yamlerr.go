package policy

import (
	"strings"
)

// yamlHint finds, in the text the parser refused, the line a person must fix when the
// parser's own line is the start of the enclosing block (yaml.v3 reports the context, not
// the place): a tab in the indentation, a quote never closed, an indentation that lines up
// with no enclosing level. It returns 0 when it finds none, and the parser's message stands.
// It never returns the line's text: the file may hold a secret (a webhook URL).
func yamlHint(data []byte, msg string) (line, col int, what string) {
	lines := strings.Split(string(data), "\n")
	if strings.Contains(msg, "cannot start any token") || strings.Contains(msg, "tab") {
		for i, l := range lines {
			indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
			if j := strings.IndexByte(indent, '\t'); j >= 0 {
				return i + 1, j + 1, "a tab in the indentation: tabs are not allowed in YAML; indent with spaces"
			}
		}
	}
	if strings.Contains(msg, "unexpected end of stream") || strings.Contains(msg, "found unexpected end") {
		for i, l := range lines {
			if c := openQuote(l); c > 0 {
				return i + 1, c, "a quoted string opened here is never closed; add the closing quote on this line"
			}
		}
	}
	if strings.Contains(msg, "did not find expected key") || strings.Contains(msg, "mapping values are not allowed") {
		var stack []int
		for i, l := range lines {
			t := strings.TrimLeft(l, " ")
			if t == "" || strings.HasPrefix(t, "#") {
				continue
			}
			n := len(l) - len(t)
			top := -1
			if len(stack) > 0 {
				top = stack[len(stack)-1]
			}
			switch {
			case n > top && top >= 0 && !opensBlock(lines, i):
				return i + 1, n + 1, "this line is indented deeper than the line above allows; line it up with a key above"
			case n < top:
				for len(stack) > 0 && stack[len(stack)-1] > n {
					stack = stack[:len(stack)-1]
				}
				if len(stack) == 0 || stack[len(stack)-1] != n {
					return i + 1, n + 1, "this line's indentation lines up with no key above; indent it as the key it belongs with"
				}
			case n > top:
				stack = append(stack, n)
			}
			if strings.HasPrefix(t, "- ") {
				// An item's mapping continues two columns in.
				stack = append(stack, n+2)
			}
		}
	}
	return 0, 0, ""
}

// opensBlock reports whether the last meaningful line before i ends with ":" or is a "- "
// item, so that line i may be indented deeper.
func opensBlock(lines []string, i int) bool {
	for j := i - 1; j >= 0; j-- {
		t := strings.TrimSpace(stripComment(lines[j]))
		if t == "" {
			continue
		}
		return strings.HasSuffix(t, ":") || strings.HasPrefix(t, "- ") || t == "-" ||
			strings.HasSuffix(t, "[") || strings.HasSuffix(t, "{") || strings.HasSuffix(t, ",") ||
			strings.HasSuffix(t, "|") || strings.HasSuffix(t, ">")
	}
	return true
}

// openQuote returns the 1-based column of a quote the line opens and does not close, or 0.
func openQuote(l string) int {
	var q byte
	at := 0
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case q == 0 && c == '#' && (i == 0 || l[i-1] == ' '):
			return 0
		case q == 0 && (c == '"' || c == '\''):
			q, at = c, i+1
		case q == '"' && c == '\\':
			i++
		case q == '\'' && c == '\'' && i+1 < len(l) && l[i+1] == '\'':
			i++
		case q != 0 && c == q:
			q = 0
		}
	}
	if q != 0 {
		return at
	}
	return 0
}

func stripComment(l string) string {
	if i := strings.Index(l, " #"); i >= 0 {
		return l[:i]
	}
	return l
}
