// Package credfile reads and edits the AWS shared credentials and config files without losing
// a byte the user wrote: comments, blank lines, spacing, line endings and every other profile
// survive an edit. Lines are read the way botocore (the AWS CLI) reads them, so keywarden edits
// the same profile the CLI would use.
package credfile

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

type lineKind int

const (
	lineBlank        lineKind = iota
	lineComment               // "#" or ";" after optional whitespace
	lineSection               // "[name]"
	lineKey                   // "key = value" (or "key: value")
	lineContinuation          // indented deeper than the key line it continues
)

// line is one physical line: its bytes without the terminator, and the terminator itself, so
// that joining raw+eol of every line gives back the input exactly.
type line struct {
	raw  string
	eol  string // "\n", "\r\n", "\r" or "" for a last line without one
	kind lineKind

	section int // index into File.sections, -1 before the first section header

	// lineKey: key lower-cased as botocore's optionxform does; value as botocore strips it;
	// valStart/valEnd are the value's byte offsets in raw.
	key              string
	value            string
	valStart, valEnd int

	owner int // lineContinuation: index of the key line it belongs to
}

type section struct {
	header  int    // index of the header line
	name    string // text between the brackets, unmodified
	profile string // profile name this section defines
	isProf  bool   // false for config sections that are not profiles ([sso-session x], [services y])
}

// File is a parsed credentials or config file. The zero value is not useful; use Parse,
// ParseConfig, Load or LoadConfig.
type File struct {
	lines    []line
	sections []section
	config   bool // config file: profiles are "[profile NAME]", except "[default]"
}

// Parse parses a shared credentials file (~/.aws/credentials), whose sections are "[NAME]".
func Parse(data []byte) (*File, error) { return parse(data, false) }

// ParseConfig parses a shared config file (~/.aws/config), whose profiles are
// "[profile NAME]" and "[default]".
func ParseConfig(data []byte) (*File, error) { return parse(data, true) }

// Bytes returns the file's content: for a file that was not edited, exactly the parsed input.
func (f *File) Bytes() []byte {
	var b strings.Builder
	for _, l := range f.lines {
		b.WriteString(l.raw)
		b.WriteString(l.eol)
	}
	return []byte(b.String())
}

// parse follows configparser.RawConfigParser._read as botocore configures it: "=" and ":"
// delimit, "#" and ";" start whole-line comments only (an inline "# x" is part of the value),
// a line indented deeper than the last key or header continues that key's value, and blank or
// comment lines do not end a continued value.
func parse(data []byte, config bool) (*File, error) {
	f := &File{config: config}
	cur := -1     // current section
	lastKey := -1 // key line a continuation would extend (botocore's optname)
	indentLevel := 0
	for i, l := range splitLines(string(data)) {
		text := l.raw
		if i == 0 {
			// botocore would refuse a byte order mark; accepting it costs nothing and we keep it.
			text = strings.TrimPrefix(text, "\ufeff")
		}
		l.section = cur
		trimmed := strings.TrimFunc(text, isPySpace)
		switch {
		case trimmed == "":
			l.kind = lineBlank
		case trimmed[0] == '#' || trimmed[0] == ';':
			l.kind = lineComment
		default:
			indent := indentOf(text)
			if lastKey >= 0 && indent > indentLevel {
				l.kind = lineContinuation
				l.owner = lastKey
				break
			}
			indentLevel = indent
			if name, ok := sectionName(trimmed); ok {
				l.kind = lineSection
				cur = len(f.sections)
				l.section = cur
				f.sections = append(f.sections, f.newSection(len(f.lines), name))
				lastKey = -1
				break
			}
			eq := strings.IndexAny(text, "=:")
			if eq < 0 {
				return nil, &ParseError{Line: i + 1, Reason: `expected "key = value" or "[profile]"`}
			}
			key := strings.TrimFunc(text[:eq], isPySpace)
			if key == "" {
				return nil, &ParseError{Line: i + 1, Reason: `missing key name before "="`}
			}
			l.kind = lineKey
			l.key = strings.ToLower(key)
			l.valStart = eq + 1 + len(text[eq+1:]) - len(strings.TrimLeftFunc(text[eq+1:], isPySpace))
			l.valEnd = len(strings.TrimRightFunc(text, isPySpace))
			if l.valEnd < l.valStart {
				l.valEnd = l.valStart
			}
			l.value = text[l.valStart:l.valEnd]
			off := len(l.raw) - len(text) // the byte order mark, if any
			l.valStart += off
			l.valEnd += off
			lastKey = len(f.lines)
		}
		f.lines = append(f.lines, l)
	}
	return f, nil
}

func (f *File) newSection(header int, name string) section {
	s := section{header: header, name: name, profile: name, isProf: true}
	if f.config && name != "default" {
		s.profile, s.isProf = configProfileName(name)
	}
	return s
}

// sectionName mirrors botocore's SECTCRE, `\[(?P<header>.+)\]` matched at the start of the
// stripped line: the name runs to the last "]" and is not trimmed, and text after it is ignored.
func sectionName(trimmed string) (string, bool) {
	if trimmed[0] != '[' {
		return "", false
	}
	end := strings.LastIndexByte(trimmed, ']')
	if end < 2 {
		return "", false
	}
	return trimmed[1:end], true
}

// configProfileName mirrors botocore's build_profile_map: a section whose name starts with
// "profile" and splits (shell-style) into exactly two words names the profile in its second
// word. Like botocore this also accepts "[profiles x]"; we do not try to be stricter than the
// CLI, or we would edit a profile the CLI does not read.
func configProfileName(name string) (string, bool) {
	if !strings.HasPrefix(name, "profile") {
		return "", false
	}
	words, ok := shlexSplit(name)
	if !ok || len(words) != 2 {
		return "", false
	}
	return words[1], true
}

// splitLines splits at "\r\n", "\n" and a lone "\r", as Python's universal newlines do.
func splitLines(s string) []line {
	var out []line
	for len(s) > 0 {
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			out = append(out, line{raw: s})
			break
		}
		n := 1
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			n = 2
		}
		out = append(out, line{raw: s[:i], eol: s[i : i+n]})
		s = s[i+n:]
	}
	return out
}

// isPySpace is Python's str.isspace for one character, which also counts \x1c-\x1f.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// indentOf counts characters (not bytes) before the first non-space, as botocore's NONSPACECRE.
func indentOf(s string) int {
	n := 0
	for _, r := range s {
		if !isPySpace(r) {
			break
		}
		n++
	}
	return n
}

// shlexSplit is the part of Python's shlex.split (POSIX mode) that profile names can use:
// whitespace separates words, quotes group them, a backslash escapes outside single quotes.
func shlexSplit(s string) ([]string, bool) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\'' || r == '"':
			inWord = true
			end := i + 1
			for ; end < len(s) && rune(s[end]) != r; end++ {
				if r == '"' && s[end] == '\\' && end+1 < len(s) && (s[end+1] == '"' || s[end+1] == '\\') {
					end++
				}
				cur.WriteByte(s[end])
			}
			if end >= len(s) {
				return nil, false // no closing quotation
			}
			i = end + 1
			continue
		case r == '\\':
			inWord = true
			if i+size >= len(s) {
				return nil, false // no escaped character
			}
			r2, size2 := utf8.DecodeRuneInString(s[i+size:])
			cur.WriteRune(r2)
			i += size + size2
			continue
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			inWord = true
			cur.WriteString(s[i : i+size])
		}
		i += size
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, true
}
