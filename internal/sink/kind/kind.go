// Package kind is the registry of destination kinds: for each, what can be known without
// reaching it (its syntax, how {user} is put in, whether it can be read back, whether the
// Lambda can deliver there, the IAM actions and resources it needs, its help line). policy,
// permissions, deploy and the commands ask it; internal/sink builds and delivers. It imports
// nothing of AWS's, so deciding (internal/policy) can use it.
//
// A kind is one file here (its declaration) and one in internal/sink (its delivery), with
// their tests; nothing else names a kind.
package kind

import (
	"slices"
	"strings"
)

// Kind is one kind of destination, written NAME:REST.
type Kind struct {
	Name    string // before the colon
	Syntax  string // NAME:REST as help shows it
	Help    string // one line of rotate --help: what delivering there does
	Example string // a spec of this kind for a glob of users, as docs and tests show it
	Needs   string // what it needs besides AWS credentials, "" when nothing

	// Problem says what is wrong with REST ({user} still in it), or "" when it can be built.
	// The syntax only: no call, no file.
	Problem func(rest string) string
	// Expand is REST for one user; nil replaces every {user} with the name.
	Expand func(rest, user string) string
	// WithUser is REST with {user} where one user's name belongs: the suggestion for a
	// destination that would otherwise hold the keys of every user a job selects.
	WithUser func(rest string) string

	Readable bool   // a rerun can read a lost secret back from it
	InLambda bool   // the Lambda function can deliver there (or when TokenRef names a token)
	Local    string // what it does that the Lambda cannot ("runs a local program"); "" when InLambda

	// Actions are the IAM actions it calls on Resource; KMSActions on a kms_key_id when given.
	Actions, KMSActions []string
	// Resource is the ARN of the destination named name ({user} already a glob) in account;
	// nil when it is no AWS resource.
	Resource func(account, name string) string
	Sid      string // the statement id of its grant in keywarden policy

	// TokenRef is where a destination's token is kept (ssm:NAME or secretsmanager:ID), "" when
	// it is read from keywarden's environment; nil for a kind without a token. With one, the
	// Lambda can deliver there, and the policy grants reading it.
	TokenRef func(rest string) string
}

var all []*Kind

func add(k *Kind) *Kind {
	all = append(all, k)
	return k
}

// All are the kinds, those the Lambda can deliver to first, each group by name.
func All() []*Kind {
	out := slices.Clone(all)
	slices.SortStableFunc(out, func(a, b *Kind) int {
		if a.InLambda != b.InLambda {
			if a.InLambda {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// Lookup is the kind named name, or nil.
func Lookup(name string) *Kind {
	for _, k := range all {
		if k.Name == name {
			return k
		}
	}
	return nil
}

// Of is the kind of spec and the part after its colon; k is nil for an unknown kind.
func Of(spec string) (k *Kind, rest string) {
	name, rest, _ := strings.Cut(spec, ":")
	return Lookup(name), rest
}

// Names are the kinds' names, in All's order.
func Names() []string {
	var out []string
	for _, k := range All() {
		out = append(out, k.Name)
	}
	return out
}

// Want is the list of syntaxes a refusal ends with: "want a, b or c".
func Want() string {
	var s []string
	for _, k := range All() {
		s = append(s, k.Syntax)
	}
	return "want " + strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// Problem says what is wrong with a destination spec, or "" when it can be built. hint, when
// given, names the kind an unknown one most likely meant (or "").
func Problem(spec string, hint func(got string, known []string) string) string {
	name, rest, found := strings.Cut(spec, ":")
	if !found || rest == "" {
		return "destination " + quote(spec) + ": " + Want()
	}
	k := Lookup(name)
	if k == nil {
		msg := "destination " + quote(spec) + ": unknown kind " + quote(name)
		if hint != nil {
			if s := hint(name, Names()); s != "" {
				msg += " (did you mean " + s + "?)"
			}
		}
		return msg + "; " + Want()
	}
	if p := k.Problem(rest); p != "" {
		return "destination " + quote(spec) + ": " + p
	}
	return ""
}

// ExpandUser is spec for one user, as its kind puts the name in.
func ExpandUser(spec, user string) string {
	k, rest := Of(spec)
	if k == nil || k.Expand == nil {
		return strings.ReplaceAll(spec, "{user}", user)
	}
	return k.Name + ":" + k.Expand(rest, user)
}

// WithUser is spec with {user} where its kind puts one user's name.
func WithUser(spec string) string {
	k, rest := Of(spec)
	if k == nil || k.WithUser == nil {
		return spec
	}
	return k.Name + ":" + k.WithUser(rest)
}

// RunsInLambda reports whether the Lambda function can deliver to spec. An unknown kind is
// refused elsewhere, with its own message.
func RunsInLambda(spec string) bool {
	k, rest := Of(spec)
	return k == nil || k.InLambda || k.TokenRef != nil && k.TokenRef(rest) != ""
}

// ActionsFor are the IAM actions a destination of kind k calls, with its KMS key's when kms.
func (k *Kind) ActionsFor(kms bool) []string {
	a := slices.Clone(k.Actions)
	if kms {
		a = append(a, k.KMSActions...)
	}
	return a
}

// nameOf reports whether s, with {user} standing in for a name, is only letters, digits and
// the bytes of extra.
func nameOf(s, extra string) bool {
	s = strings.ReplaceAll(s, "{user}", "u")
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return s != ""
}

// underUser is a name with /{user} appended, the usual place for it.
func underUser(rest string) string { return strings.TrimSuffix(rest, "/") + "/{user}" }

func quote(s string) string {
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return `"` + s + `"`
}
