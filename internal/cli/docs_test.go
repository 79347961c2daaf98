package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// The README and docs/ are read by people who copy what they show. Every relative link must
// land on a file (and heading) that exists, and every `keywarden …` command shown must name
// commands and flags the binary has, so a renamed flag or a moved page fails here instead of
// in a newcomer's terminal.

const repoRoot = "../.."

func docFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	files = append([]string{filepath.Join(repoRoot, "README.md")}, files...)
	if len(files) < 10 {
		t.Fatalf("found %d documentation files; the README should link a page per topic under docs/", len(files))
	}
	return files
}

// mdBlock is a fenced code block's language and lines, or prose (lang "-") outside fences.
type mdLine struct {
	text  string
	lang  string // "" for prose, the fence's info string (maybe empty) inside a fence
	fence bool
	no    int
}

func mdLines(src string) []mdLine {
	var out []mdLine
	inFence, lang := false, ""
	for i, l := range strings.Split(src, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			if !inFence {
				lang = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "```"))
			}
			inFence = !inFence
			continue
		}
		out = append(out, mdLine{text: l, lang: lang, fence: inFence, no: i + 1})
	}
	return out
}

// slug is GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens.
func slug(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func anchors(src string) map[string]bool {
	a := map[string]bool{}
	for _, l := range mdLines(src) {
		if l.fence || !strings.HasPrefix(l.text, "#") {
			continue
		}
		h := strings.TrimSpace(strings.TrimLeft(l.text, "#"))
		h = strings.NewReplacer("`", "", "*", "").Replace(h)
		a[slug(h)] = true
	}
	return a
}

var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

func TestDocsRelativeLinksResolve(t *testing.T) {
	checked := 0
	for _, f := range docFiles(t) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range mdLines(string(src)) {
			if l.fence {
				continue
			}
			for _, m := range mdLink.FindAllStringSubmatch(l.text, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				checked++
				if err := resolveLink(f, target); err != nil {
					t.Errorf("%s:%d: link %s: %v", filepath.Base(f), l.no, target, err)
				}
			}
		}
	}
	t.Logf("%d relative links resolve", checked)
	if checked < 20 {
		t.Fatalf("checked %d relative links; the README alone links more pages than that", checked)
	}
}

func resolveLink(from, target string) error {
	path, frag, _ := strings.Cut(target, "#")
	file := from
	if path != "" {
		file = filepath.Join(filepath.Dir(from), path)
		if _, err := os.Stat(file); err != nil {
			return fmt.Errorf("no file %s", path)
		}
	}
	if frag == "" || !strings.HasSuffix(file, ".md") {
		return nil
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if !anchors(string(src))[frag] {
		return fmt.Errorf("no heading #%s in %s", frag, filepath.Base(file))
	}
	return nil
}

func TestResolveLinkRefusesWhatIsMissing(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.md")
	os.WriteFile(a, []byte("# Title\n\n## As a keywarden.yaml rule, and `more`\n```sh\n# not a heading\n```\n"), 0o644)
	for target, ok := range map[string]bool{
		"a.md": true, "#title": true, "#as-a-keywardenyaml-rule-and-more": true,
		"b.md": false, "#missing": false, "#not-a-heading": false, "a.md#title": true, "a.md#nope": false,
	} {
		if err := resolveLink(a, target); (err == nil) != ok {
			t.Errorf("resolveLink(%q) = %v, want ok=%v", target, err, ok)
		}
	}
}

// docCommands finds the keywarden command lines a reader would copy: `$ keywarden …` in
// console blocks, `keywarden …` lines (and after && or |) in shell blocks, and inline code
// spans that start with `keywarden `.
func docCommands(src string) [][2]string {
	var out [][2]string
	inline := regexp.MustCompile("`(keywarden [^`]+)`")
	lines := mdLines(src)
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if !l.fence {
			for _, m := range inline.FindAllStringSubmatch(l.text, -1) {
				out = append(out, [2]string{fmt.Sprint(l.no), m[1]})
			}
			continue
		}
		switch l.lang {
		case "", "sh", "console", "bash", "shell":
		default:
			continue
		}
		text := l.text
		for strings.HasSuffix(text, "\\") && i+1 < len(lines) && lines[i+1].fence {
			i++
			text = strings.TrimSuffix(text, "\\") + " " + lines[i].text
		}
		text = strings.TrimSpace(text)
		if l.lang == "console" {
			if !strings.HasPrefix(text, "$ ") {
				continue
			}
			text = strings.TrimPrefix(text, "$ ")
		}
		for _, part := range regexp.MustCompile(`&&|\|\||;`).Split(text, -1) {
			part = strings.TrimSpace(part)
			if strings.HasPrefix(part, "keywarden ") {
				out = append(out, [2]string{fmt.Sprint(l.no), part})
			}
		}
	}
	return out
}

// commandWords cuts a shown command at its first unquoted comment, pipe or redirection and
// splits it as sh would; placeholders in square brackets ([--arch amd64]) are optional parts
// and are kept, brackets removed.
func commandWords(line string) ([]string, error) {
	quote := rune(0)
	end := len(line)
scan:
	for i, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '|' || r == '>' || r == '<':
			end = i
			break scan
		case r == '#' && (i == 0 || line[i-1] == ' '):
			end = i
			break scan
		}
	}
	words, err := splitArgs(strings.NewReplacer("[", "", "]", "").Replace(line[:end]))
	if err != nil {
		return nil, err
	}
	var kept []string
	for _, w := range words {
		if w != "…" {
			kept = append(kept, w)
		}
	}
	return kept, nil
}

// parseShown checks that args name an existing command and that its flags exist and parse.
func parseShown(args []string) error {
	root := Tree()
	root.InitDefaultHelpFlag()
	root.InitDefaultVersionFlag()
	cmd, rest, err := root.Find(args)
	if err != nil {
		return err
	}
	cmd.InitDefaultHelpFlag()
	if err := cmd.ParseFlags(rest); err != nil {
		return err
	}
	if cmd == root && len(cmd.Flags().Args()) > 0 {
		return fmt.Errorf("unknown command %q", cmd.Flags().Args()[0])
	}
	return nil
}

// notCommands are code spans that start with "keywarden " but are not command lines.
var notCommands = map[string]bool{
	"keywarden run": true, // the subject of the SNS message (notify.md)
	"keywarden 0.4.0 (commit …, built …, go1.26.8)": true, // what version prints (install.md)
}

func TestDocsCommandsParse(t *testing.T) {
	checked := 0
	for _, f := range docFiles(t) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range docCommands(string(src)) {
			if notCommands[c[1]] {
				continue
			}
			checked++
			words, err := commandWords(c[1])
			if err == nil {
				err = parseShown(words[1:])
			}
			if err != nil {
				t.Errorf("%s:%s: %s: %v", filepath.Base(f), c[0], c[1], err)
			}
		}
	}
	t.Logf("%d commands parse", checked)
	if checked < 50 {
		t.Fatalf("checked %d commands; the docs show more than that", checked)
	}
}

// The checker must itself refuse what is wrong, or the docs test proves nothing.
func TestParseShownRefusesUnknown(t *testing.T) {
	for line, ok := range map[string]bool{
		"keywarden audit --output csv > keys.csv":      true,
		"keywarden plan -c keywarden.yaml # a comment": true,
		"keywarden template -c k.yaml [--arch amd64]":  true,
		"keywarden audti":                                 false,
		"keywarden audit --no-such-flag":                  false,
		"keywarden rotate --profile dev --probe 'aws s3'": true,
		"keywarden deploy --arch":                         false,
	} {
		words, err := commandWords(line)
		if err == nil {
			err = parseShown(words[1:])
		}
		if (err == nil) != ok {
			t.Errorf("%s: err = %v, want ok=%v", line, err, ok)
		}
	}
}
