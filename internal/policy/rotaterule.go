package policy

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/keywarden/keywarden/internal/keys"
)

// DefaultRotateGrace is how long a rotate rule keeps the old key active after delivery when
// the rule says nothing, as rotate --user's --grace does.
const DefaultRotateGrace = Duration(Day)

// rotateRule reads - rotate: {older_than: 80d, to: [...], grace: 24h, kms_key_id: …,
// make_room: true}. sel is the job's selection: a destination without {user} is refused when
// the job can select more than one user, since every user's key would land in one place.
func (l *loader) rotateRule(k, v *yaml.Node, sel Selector) (Rule, bool) {
	r := Rule{Kind: Rotate, Grace: DefaultRotateGrace}
	fs, ok := l.fields(v, "rotate", "older_than", "to", "grace", "kms_key_id", "make_room")
	if !ok {
		return r, false
	}
	o, has := fs["older_than"]
	if !has {
		l.errf(k, `rotate needs older_than, like rotate: {older_than: 80d, to: ["secretsmanager:ci/{user}"]}: keys are rotated once they are that old`)
		ok = false
	} else if r.OlderThan, has = l.duration(o, Rotate); !has {
		ok = false
	}
	t, has := fs["to"]
	if !has {
		l.errf(k, `rotate needs to, like to: ["secretsmanager:ci/{user}"]: where the new key is delivered`)
		ok = false
	} else if r.To, has = l.strList(t, "destinations", false); !has {
		ok = false
	} else if len(r.To) == 0 {
		l.errf(t.val, `to: an empty list delivers the new key nowhere; list destinations like "secretsmanager:ci/{user}"`)
		ok = false
	}
	for i, d := range r.To {
		n := deref(t.val).Content[i]
		if msg := DestinationProblem(d); msg != "" {
			l.errf(n, "to: %s", msg)
			ok = false
		} else if !strings.Contains(d, "{user}") && !oneUser(sel) {
			l.errf(n, "to: destination %q would hold the keys of every user the job selects; put {user} in it, like %q", d, withUser(d))
			ok = false
		}
	}
	if g, has := fs["grace"]; has {
		if r.Grace, has = l.duration(g, ""); !has { // 0d: deactivate at once, as --grace 0
			ok = false
		}
	}
	if f, has := fs["kms_key_id"]; has {
		if r.KMSKeyID, has = l.str(f, "a KMS key id, ARN or alias"); !has {
			ok = false
		}
	}
	if f, has := fs["make_room"]; has {
		s, good := l.str(f, "true or false")
		switch {
		case !good:
			ok = false
		case s == "true" || s == "false":
			r.MakeRoom = s == "true"
		default:
			l.errf(f.val, "make_room: want true or false, got %q", s)
			ok = false
		}
	}
	return r, ok
}

// Destination names as AWS allows them (Secrets Manager: letters, digits and /_+=.@-; SSM:
// letters, digits and _.-/), with {user} standing in for a user name.
var (
	secretName = lazyRegexp(`^([A-Za-z0-9/_+=.@-]|\{user\})+$`)
	paramName  = lazyRegexp(`^([A-Za-z0-9_./-]|\{user\})+$`)
)

// DestinationProblem says what is wrong with a destination spec, or "" when internal/sink can
// take it. It checks the syntax only and reaches no AWS: sink.Parse builds the destination
// when the rule runs (and imports the AWS clients, which deciding must not).
func DestinationProblem(spec string) string {
	kind, rest, found := strings.Cut(spec, ":")
	const want = "want secretsmanager:SECRET_ID, ssm:NAME, profile:NAME[@FILE] or exec:COMMAND"
	if !found || rest == "" {
		return "destination " + quote(spec) + ": " + want
	}
	switch kind {
	case "secretsmanager":
		if len(rest) > 512 || !secretName.MatchString(rest) {
			return "destination " + quote(spec) + ": a secret name is up to 512 letters, digits and /_+=.@-"
		}
	case "ssm":
		if len(rest) > 2048 || !paramName.MatchString(rest) {
			return "destination " + quote(spec) + ": a parameter name is letters, digits and _.-/"
		}
	case "profile":
		name, file, _ := strings.Cut(rest, "@")
		if name == "" || strings.ContainsAny(name, "[]\n") || strings.Contains(rest, "@") && file == "" {
			return "destination " + quote(spec) + ": want profile:NAME[@FILE]"
		}
	case "exec":
		if strings.TrimSpace(rest) == "" {
			return "destination " + quote(spec) + ": want exec:COMMAND [ARG]..."
		}
	default:
		msg := "destination " + quote(spec) + ": unknown kind " + quote(kind)
		if s := closest(kind, []string{"secretsmanager", "ssm", "profile", "exec"}); s != "" {
			msg += " (did you mean " + s + "?)"
		}
		return msg + "; " + want
	}
	return ""
}

// ExpandUser is a destination for one user: {user} replaced by the name, as sink.Parse does.
func ExpandUser(spec, user string) string { return strings.ReplaceAll(spec, "{user}", user) }

// oneUser reports whether a selection can pick at most one user: one exact name.
func oneUser(s Selector) bool { return len(s.Users) == 1 && !keys.IsGlob(s.Users[0]) }

func withUser(spec string) string {
	kind, rest, _ := strings.Cut(spec, ":")
	switch kind {
	case "exec":
		return spec + " {user}"
	case "profile":
		name, file, found := strings.Cut(rest, "@")
		if found {
			return "profile:" + name + "-{user}@" + file
		}
		return "profile:" + name + "-{user}"
	}
	return kind + ":" + strings.TrimSuffix(rest, "/") + "/{user}"
}

func quote(s string) string {
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return `"` + s + `"`
}
