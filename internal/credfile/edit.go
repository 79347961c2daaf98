package credfile

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode"
)

// SetKeys sets the profile's aws_access_key_id and aws_secret_access_key. Existing lines keep
// their spelling, indentation, spacing around "=" and line ending; only the value changes (an
// inline "# note" after the value is dropped: the AWS CLI would read it as part of the secret).
// Every occurrence in every section of the profile is set, so no reader sees a stale key. A
// missing line is added after the section's last key, a missing profile at the end of the file.
// No other line changes. On error the file is unchanged.
func (f *File) SetKeys(profile, accessKeyID, secret string) error {
	if err := checkValue("access key id", accessKeyID); err != nil {
		return fmt.Errorf("set keys of profile %q: %w", profile, err)
	}
	if err := checkValue("secret access key", secret); err != nil {
		return fmt.Errorf("set keys of profile %q: %w", profile, err)
	}
	old, exists := f.Profile(profile)
	if !exists {
		if err := f.checkNewName(profile); err != nil {
			return fmt.Errorf("set keys of profile %q: %w", profile, err)
		}
	}
	if old.SessionToken != "" || old.Values["aws_security_token"] != "" {
		// A static key beside a session token makes a profile that no longer authenticates.
		return fmt.Errorf("set keys of profile %q: it holds temporary credentials (aws_session_token); refusing to mix a static key into it", profile)
	}

	nf, err := parse([]byte(f.edited(profile, accessKeyID, secret)), f.config)
	if err != nil {
		return fmt.Errorf("set keys of profile %q: the edit would make the file unreadable (%v); nothing changed", profile, err)
	}
	if err := f.verifyEdit(nf, profile, accessKeyID, secret); err != nil {
		return fmt.Errorf("set keys of profile %q: %w; nothing changed", profile, err)
	}
	*f = *nf
	return nil
}

// edited returns the file's text with the profile's keys set.
func (f *File) edited(profile, accessKeyID, secret string) string {
	want := map[string]string{KeyAccessKeyID: accessKeyID, KeySecretAccessKey: secret}
	raws := make([]string, len(f.lines))
	drop := map[int]bool{}     // continuation lines of a replaced value
	replaced := map[int]bool{} // key lines whose value is replaced
	found := map[string]bool{}
	lastSec := -1
	for i, l := range f.lines {
		raws[i] = l.raw
		if l.kind == lineContinuation && replaced[l.owner] {
			drop[i] = true
		}
		if l.section < 0 || !f.sections[l.section].isProf || f.sections[l.section].profile != profile {
			continue
		}
		lastSec = l.section
		if v, ok := want[l.key]; ok && l.kind == lineKey {
			raws[i] = replaceValue(l, v)
			found[l.key] = true
			replaced[i] = true
		}
	}
	eol := f.eol()
	var b strings.Builder
	if lastSec < 0 {
		for i, l := range f.lines {
			b.WriteString(raws[i])
			b.WriteString(l.eol)
		}
		if n := len(f.lines); n > 0 {
			if f.lines[n-1].eol == "" {
				b.WriteString(eol)
			}
			if f.lines[n-1].kind != lineBlank {
				b.WriteString(eol)
			}
		}
		b.WriteString(f.header(profile) + eol)
		b.WriteString(KeyAccessKeyID + " = " + accessKeyID + eol)
		b.WriteString(KeySecretAccessKey + " = " + secret + eol)
		return b.String()
	}

	var added []string
	after := f.lastContent(lastSec)
	indent, sep := f.style(lastSec, after)
	for _, k := range []string{KeyAccessKeyID, KeySecretAccessKey} {
		if !found[k] {
			added = append(added, indent+k+sep+want[k])
		}
	}
	for i, l := range f.lines {
		if !drop[i] {
			b.WriteString(raws[i])
			if i == after && len(added) > 0 && l.eol == "" {
				b.WriteString(eol)
			} else {
				b.WriteString(l.eol)
			}
		}
		if i == after {
			for _, a := range added {
				b.WriteString(a + eol)
			}
		}
	}
	return b.String()
}

func replaceValue(l line, v string) string {
	prefix := l.raw[:l.valStart]
	if l.valStart == l.valEnd && len(prefix) >= 2 && strings.ContainsRune(" \t", rune(prefix[len(prefix)-2])) &&
		strings.ContainsRune("=:", rune(prefix[len(prefix)-1])) {
		prefix += " " // "key =" with an empty value: keep the spacing symmetric
	}
	return prefix + v + l.raw[l.valEnd:]
}

// lastContent is the last header, key or continuation line of section s: new keys go there,
// before any blank lines or comments that introduce the next section.
func (f *File) lastContent(s int) int {
	last := f.sections[s].header
	for i := last + 1; i < len(f.lines) && f.lines[i].section == s; i++ {
		if k := f.lines[i].kind; k == lineKey || k == lineContinuation {
			last = i
		}
	}
	return last
}

// style picks indentation and "=" spacing for a new key line. After a key, the indentation is
// that key's: deeper would make the new line a continuation of it. Right after the header it
// is at least that of the next section header: shallower would make that header a
// continuation of the new key.
func (f *File) style(s, after int) (indent, sep string) {
	sep = " = "
	level := f.sections[s].header
	firstKey := -1
	for i := level + 1; i <= after; i++ {
		if f.lines[i].kind == lineKey {
			level = i
			if firstKey < 0 {
				firstKey = i
			}
		}
	}
	indent = indentText(f.lines[level].raw)
	if firstKey < 0 {
		for i := after + 1; i < len(f.lines); i++ {
			if k := f.lines[i].kind; k != lineBlank && k != lineComment {
				if next := indentText(f.lines[i].raw); indentOf(next) > indentOf(indent) {
					indent = next
				}
				break
			}
		}
	}
	if firstKey >= 0 {
		l := f.lines[firstKey]
		eq := strings.IndexAny(l.raw, "=:")
		s := l.raw[len(strings.TrimRight(l.raw[:eq], " \t")):l.valStart]
		if strings.Trim(s, " \t=:") == "" {
			sep = s
		}
		if strings.HasPrefix(sep, " ") && !strings.HasSuffix(sep, " ") {
			sep += " "
		}
	}
	return indent, sep
}

// eol is the file's line ending: that of its first line, or "\n" for a one-line or empty file.
func (f *File) eol() string {
	for _, l := range f.lines {
		if l.eol != "" {
			return l.eol
		}
	}
	return "\n"
}

// indentText is a line's leading whitespace as botocore measures it (a BOM is not indentation).
func indentText(raw string) string {
	raw = strings.TrimPrefix(raw, "\ufeff")
	return raw[:len(raw)-len(strings.TrimLeftFunc(raw, isPySpace))]
}

func (f *File) header(profile string) string {
	if f.config && profile != "default" {
		return "[profile " + profile + "]"
	}
	return "[" + profile + "]"
}

// checkNewName refuses a name that would not read back as the same profile.
func (f *File) checkNewName(name string) error {
	if name == "" {
		return errors.New("profile name is empty")
	}
	for _, r := range name {
		if unicode.IsControl(r) || isPySpace(r) || strings.ContainsRune(`[]"'\`, r) {
			return errors.New("profile name may not contain spaces, control characters, quotes, backslashes or brackets")
		}
	}
	return nil
}

// checkValue accepts what AWS issues as key ids and secrets: printable ASCII without spaces.
// The message never repeats the value.
func checkValue(what, v string) error {
	if v == "" {
		return fmt.Errorf("%s is empty", what)
	}
	for i := 0; i < len(v); i++ {
		if v[i] <= ' ' || v[i] > '~' {
			return fmt.Errorf("%s must be printable ASCII without spaces", what)
		}
	}
	return nil
}

// verifyEdit re-reads the edited file: the profile must hold the new values and every other
// profile must read exactly as before.
func (f *File) verifyEdit(nf *File, profile, accessKeyID, secret string) error {
	p, ok := nf.Profile(profile)
	if !ok || p.AccessKeyID != accessKeyID || p.SecretAccessKey != secret {
		return errors.New("the edited file does not read back the new key")
	}
	names := f.Profiles()
	if _, ok := f.Profile(profile); !ok {
		names = append(names, profile)
	}
	if !reflect.DeepEqual(nf.Profiles(), names) {
		return errors.New("the edit would change the list of profiles")
	}
	for _, n := range names {
		if n == profile {
			continue
		}
		a, _ := f.Profile(n)
		b, _ := nf.Profile(n)
		a.Line, b.Line = 0, 0
		if !reflect.DeepEqual(a, b) {
			return fmt.Errorf("the edit would change profile %q", n)
		}
	}
	return nil
}
