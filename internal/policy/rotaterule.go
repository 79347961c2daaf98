package policy

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/sink/kind"
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
			l.errf(n, "to: destination %q would hold the keys of every user the job selects; put {user} in it, like %q", d, kind.WithUser(d))
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

// Names as AWS allows them (Secrets Manager: letters, digits and /_+=.@-; SSM: letters,
// digits and _.-/), for notify's references to a secret or a parameter.
var (
	secretName = lazyRegexp(`^([A-Za-z0-9/_+=.@-]|\{user\})+$`)
	paramName  = lazyRegexp(`^([A-Za-z0-9_./-]|\{user\})+$`)
)

// DestinationProblem says what is wrong with a destination spec, or "" when internal/sink can
// take it. Each kind's syntax is declared in internal/sink/kind, which reaches no AWS:
// sink.Parse builds the destination when the rule runs (and imports the AWS clients, which
// deciding must not).
func DestinationProblem(spec string) string { return kind.Problem(spec, closest) }

// ExpandUser is a destination for one user, as its kind puts the name in (sink.Parse too).
func ExpandUser(spec, user string) string { return kind.ExpandUser(spec, user) }

// oneUser reports whether a selection can pick at most one user: one exact name.
func oneUser(s Selector) bool { return len(s.Users) == 1 && !keys.IsGlob(s.Users[0]) }

func quote(s string) string {
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return `"` + s + `"`
}
