package policy

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Incident is the incident: block: which AWS events the Lambda function answers with
// keywarden respond's response, and how. Plain data: the events' shapes are the function's.
type Incident struct {
	// Health answers AWS Health's AWS_RISK_CREDENTIALS_EXPOSED.
	Health bool
	// GuardDuty answers GuardDuty findings about an IAM user's access key.
	GuardDuty bool
	// Quarantine also puts the deny-all policy on the user (respond --quarantine).
	Quarantine bool
	// ReasonPrefix goes before the trigger in the reason recorded and sent ("" is none).
	ReasonPrefix string
}

func (l *loader) incident(f field) *Incident {
	fs, ok := l.fields(f.val, "incident", "health", "guardduty", "quarantine", "reason_prefix")
	if !ok {
		return nil
	}
	in := &Incident{}
	flag := func(name string, to *bool) {
		g, ok := fs[name]
		if !ok {
			return
		}
		v := deref(g.val)
		b, err := strconv.ParseBool(v.Value)
		if v.Kind != yaml.ScalarNode || err != nil {
			l.errf(v, "incident.%s: want true or false, got %s", name, describe(v))
			return
		}
		*to = b
	}
	flag("health", &in.Health)
	flag("guardduty", &in.GuardDuty)
	flag("quarantine", &in.Quarantine)
	if g, ok := fs["reason_prefix"]; ok {
		if s, ok := l.str(g, "a short text"); ok {
			if len(s) > 32 || strings.ContainsAny(s, "\n\t") {
				l.errf(g.val, "incident.reason_prefix %q: want a short text of at most 32 characters on one line, like \"keywarden-prod\"", s)
			}
			in.ReasonPrefix = s
		}
	}
	if !in.Health && !in.GuardDuty {
		l.errf(deref(f.key), "incident: answers no event; want health: true, guardduty: true or both")
	}
	return in
}
