package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Load parses and validates a keywarden.yaml. name is only used in messages. On any problem
// it returns a *ValidationError listing all of them, each with its line and column.
func Load(name string, data []byte) (*Config, error) {
	l := &loader{file: name, data: data}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	err := dec.Decode(&doc)
	switch {
	case errors.Is(err, io.EOF):
		l.at(1, 1, `no jobs: the file is empty; want a top-level "jobs:" mapping`)
	case err != nil:
		l.syntax(err)
	default:
		var extra yaml.Node
		if err := dec.Decode(&extra); err == nil {
			l.errf(&extra, "a second YAML document: keywarden.yaml holds one document")
		} else if !errors.Is(err, io.EOF) {
			l.syntax(err)
		}
	}
	var cfg *Config
	if err == nil {
		cfg = l.config(&doc)
	}
	if len(l.probs) > 0 {
		sort.SliceStable(l.probs, func(i, j int) bool {
			a, b := l.probs[i], l.probs[j]
			return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
		})
		return nil, &ValidationError{Problems: l.probs}
	}
	return cfg, nil
}

// loader walks the YAML tree, collecting problems instead of stopping at the first.
type loader struct {
	file  string
	data  []byte // for yamlHint, which looks past the parser's line
	probs []Problem
}

func (l *loader) at(line, col int, msg string) {
	l.probs = append(l.probs, Problem{File: l.file, Line: line, Col: col, Msg: msg})
}

func (l *loader) errf(n *yaml.Node, format string, args ...any) {
	l.at(n.Line, n.Column, fmt.Sprintf(format, args...))
}

var yamlLine = lazyRegexp(`^yaml: line (\d+): (.*)$`)

// syntax turns a YAML parser error into a problem. The parser gives a line but no column.
func (l *loader) syntax(err error) {
	msg := err.Error()
	if line, col, what := yamlHint(l.data, msg); line > 0 {
		l.at(line, col, "invalid YAML: "+what)
		return
	}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		l.at(n, 0, "invalid YAML: "+m[2])
		return
	}
	l.at(1, 0, "invalid YAML: "+strings.TrimPrefix(msg, "yaml: "))
}

// field is one key of a mapping with its value.
type field struct {
	key, val *yaml.Node
}

// fields reads a mapping whose keys must be among allowed, reporting unknown and duplicate
// keys. A null node (an empty value in YAML) is an empty mapping.
func (l *loader) fields(n *yaml.Node, what string, allowed ...string) (map[string]field, bool) {
	n = deref(n)
	out := map[string]field{}
	if isNull(n) {
		return out, true
	}
	anyKeyOK := len(allowed) == 1 && allowed[0] == anyKey
	if n.Kind != yaml.MappingNode {
		want := "keys " + strings.Join(allowed, ", ")
		if anyKeyOK {
			want = "key: value pairs"
		}
		l.errf(n, "%s: want a mapping with %s, got %s", what, want, describe(n))
		return out, false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			l.errf(k, "%s: want a plain key, got %s", what, describe(k))
			continue
		}
		if !anyKeyOK && !slices.Contains(allowed, k.Value) {
			msg := fmt.Sprintf("unknown key %q in %s", k.Value, what)
			if s := closest(k.Value, allowed); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			}
			l.errf(k, "%s; want %s", msg, strings.Join(allowed, ", "))
			continue
		}
		if prev, dup := out[k.Value]; dup {
			l.errf(k, "duplicate key %q in %s (first at line %d)", k.Value, what, prev.key.Line)
			continue
		}
		out[k.Value] = field{k, v}
	}
	return out, true
}

// str reads a scalar as a string; YAML types (numbers, booleans) are taken as written.
func (l *loader) str(f field, what string) (string, bool) {
	v := deref(f.val)
	if v.Kind != yaml.ScalarNode || isNull(v) {
		l.errf(v, "%s: want %s, got %s", f.key.Value, what, describe(v))
		return "", false
	}
	return v.Value, true
}

// strings reads a list of scalars. An empty list is refused when nonEmpty is set.
func (l *loader) strList(f field, what string, nonEmpty bool) ([]string, bool) {
	v := deref(f.val)
	if v.Kind != yaml.SequenceNode {
		l.errf(v, "%s: want a list of %s, like [a, b], got %s", f.key.Value, what, describe(v))
		return nil, false
	}
	if nonEmpty && len(v.Content) == 0 {
		l.errf(v, "%s: an empty list selects no users; list %s, or leave %s out to select every user", f.key.Value, what, f.key.Value)
		return nil, false
	}
	out, ok := []string{}, true
	for _, item := range v.Content {
		item = deref(item)
		if item.Kind != yaml.ScalarNode || isNull(item) || item.Value == "" {
			l.errf(item, "%s: want %s, got %s", f.key.Value, what, describe(item))
			ok = false
			continue
		}
		out = append(out, item.Value)
	}
	return out, ok
}

// duration reads a duration. For a condition of rule kind (non-empty), 0d is refused: it
// would match every key, and the hint says how to say that for this kind.
func (l *loader) duration(f field, kind Kind) (Duration, bool) {
	s, ok := l.str(f, "a duration like 45d")
	if !ok {
		return 0, false
	}
	d, err := ParseDuration(s)
	if err != nil {
		l.errf(f.val, "%s: %v", f.key.Value, err)
		return 0, false
	}
	if kind != "" && d == 0 {
		hint := "for every active key, write deactivate: {}"
		switch kind {
		case Report:
			hint = "to list every key, run keywarden audit"
		case Rotate:
			hint = "to rotate a key now, run keywarden rotate --user NAME --to DEST"
		}
		l.errf(f.val, "%s: 0d would match every key; want a positive duration like 45d (%s)", f.key.Value, hint)
		return 0, false
	}
	return d, true
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == 0 || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// describe names what a node is, never quoting long content.
func describe(n *yaml.Node) string {
	switch {
	case isNull(n):
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.ScalarNode && len(n.Value) <= 40:
		return strconv.Quote(n.Value)
	default:
		return "a value"
	}
}
