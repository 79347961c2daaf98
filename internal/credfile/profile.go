package credfile

import (
	"fmt"
	"sort"
	"strings"
)

// Keys that hold credentials, as the AWS CLI spells them (lookups are case-insensitive).
const (
	KeyAccessKeyID     = "aws_access_key_id"
	KeySecretAccessKey = "aws_secret_access_key"
	KeySessionToken    = "aws_session_token"
)

// Profile is what the AWS CLI reads for one profile. Printing it with %v or %#v never shows
// the secret or the session token.
type Profile struct {
	Name            string
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	// Values holds every other key (lower-cased) with its value as the AWS CLI reads it: an
	// indented block such as "s3 =\n  max_concurrent_requests = 20" keeps its lines.
	Values map[string]string
	// Line is the line number of the profile's (first) section header.
	Line int
	// Duplicates lists keys given more than once (the AWS CLI refuses such a file; later
	// lines win here, as in the AWS SDK for Go).
	Duplicates []string
}

// String describes the profile without its secrets.
func (p Profile) String() string {
	keys := make([]string, 0, len(p.Values))
	for k := range p.Values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	secret := "absent"
	if p.SecretAccessKey != "" {
		secret = "present"
	}
	token := "absent"
	if p.SessionToken != "" {
		token = "present"
	}
	return fmt.Sprintf("profile %q (line %d): access key %s, secret %s, session token %s, other keys %v",
		p.Name, p.Line, p.AccessKeyID, secret, token, keys)
}

// GoString keeps %#v from printing the secret fields.
func (p Profile) GoString() string { return p.String() }

// Profile returns the named profile. Names match exactly, as in the AWS CLI; several sections
// with the same name are merged in file order.
func (f *File) Profile(name string) (Profile, bool) {
	p := Profile{Name: name, Values: map[string]string{}}
	found := false
	seen := map[string]bool{}
	for si, s := range f.sections {
		if !s.isProf || s.profile != name {
			continue
		}
		if !found {
			p.Line = s.header + 1
		}
		found = true
		for i := s.header + 1; i < len(f.lines) && f.lines[i].section == si; i++ {
			l := f.lines[i]
			if l.kind != lineKey {
				continue
			}
			if seen[l.key] {
				p.Duplicates = append(p.Duplicates, l.key)
			}
			seen[l.key] = true
			v := f.fullValue(i)
			switch l.key {
			case KeyAccessKeyID:
				p.AccessKeyID = v
			case KeySecretAccessKey:
				p.SecretAccessKey = v
			case KeySessionToken:
				p.SessionToken = v
			default:
				p.Values[l.key] = v
			}
		}
	}
	if !found {
		return Profile{}, false
	}
	return p, true
}

// has reports whether the profile sets key at all, even to an empty value.
func (f *File) has(profile, key string) bool {
	for _, i := range f.keyLines(profile) {
		if f.lines[i].key == key {
			return true
		}
	}
	return false
}

// Profiles returns the names of the file's profiles in the order they first appear.
func (f *File) Profiles() []string {
	var names []string
	seen := map[string]bool{}
	for _, s := range f.sections {
		if s.isProf && !seen[s.profile] {
			seen[s.profile] = true
			names = append(names, s.profile)
		}
	}
	return names
}

// keyLines returns the indexes of every key line in every section of the profile.
func (f *File) keyLines(profile string) []int {
	var out []int
	for i, l := range f.lines {
		if l.kind == lineKey && l.section >= 0 && f.sections[l.section].isProf && f.sections[l.section].profile == profile {
			out = append(out, i)
		}
	}
	return out
}

// fullValue joins a key's value with its continuation lines as configparser does: blank lines
// inside the block count, comment lines do not, and trailing blank lines are dropped.
func (f *File) fullValue(keyLine int) string {
	parts := []string{f.lines[keyLine].value}
	for i := keyLine + 1; i < len(f.lines); i++ {
		l := f.lines[i]
		switch {
		case l.kind == lineBlank:
			parts = append(parts, "")
		case l.kind == lineComment:
		case l.kind == lineContinuation && l.owner == keyLine:
			parts = append(parts, strings.TrimFunc(l.raw, isPySpace))
		default:
			return strings.TrimRightFunc(strings.Join(parts, "\n"), isPySpace)
		}
	}
	return strings.TrimRightFunc(strings.Join(parts, "\n"), isPySpace)
}
