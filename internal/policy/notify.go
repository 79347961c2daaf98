package policy

import (
	"fmt"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
)

// Notify is the notify: block: who owns a key and where owners are told. Plain data: the
// channels themselves are internal/notify's.
type Notify struct {
	// OwnerTag is the IAM user tag naming a key's owner (default "owner").
	OwnerTag string
	// Fallback is told about users without an owner tag; "" leaves them untold.
	Fallback string
	// Security is told of every incident (keywarden respond) beside the key's owner; "" is
	// nobody. It is an address or a chat handle, as an owner tag's value is.
	Security string
	// EmailFrom, SNSTopicARN and WebhookURL are the channels; "" is off.
	EmailFrom   string
	SNSTopicARN string
	WebhookURL  string
}

// DefaultOwnerTag is the user tag read when notify.owner_tag is not set.
const DefaultOwnerTag = "owner"

var (
	topicARN = lazyRegexp(`^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$`)
	tagKeyRE = lazyRegexp(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$`)
)

func (l *loader) notify(f field) *Notify {
	fs, ok := l.fields(f.val, "notify", "owner_tag", "fallback", "security", "email", "sns", "webhook")
	if !ok {
		return nil
	}
	n := &Notify{OwnerTag: DefaultOwnerTag}
	if v, ok := fs["owner_tag"]; ok {
		if s, ok := l.str(v, "a tag key"); ok {
			if !tagKeyRE.MatchString(s) {
				l.errf(v.val, "owner_tag %q: want an IAM tag key (1-128 letters, digits, spaces and _.:/=+-@)", s)
			}
			n.OwnerTag = s
		}
	}
	if v, ok := fs["fallback"]; ok {
		n.Fallback, _ = l.str(v, "an email address or a chat handle")
	}
	if v, ok := fs["security"]; ok {
		if s, ok := l.str(v, "an email address or a chat handle"); ok {
			if strings.TrimSpace(s) == "" || strings.ContainsAny(s, " \t\n,;") {
				l.errf(v.val, "notify.security %q: want one email address or chat handle, like security@example.com", s)
			}
			n.Security = s
		}
	}
	n.EmailFrom = l.channel(fs, "email", "from", "an email address",
		"notify.email needs from, like email: {from: keywarden@example.com} (an SES-verified address)",
		func(s string) string {
			if !strings.Contains(s, "@") || strings.HasPrefix(s, "@") {
				return fmt.Sprintf("notify.email.from %q: want an email address SES has verified", s)
			}
			return ""
		})
	n.SNSTopicARN = l.channel(fs, "sns", "topic_arn", "a topic ARN",
		"notify.sns needs topic_arn, like sns: {topic_arn: arn:aws:sns:us-east-1:123456789012:keywarden}",
		func(s string) string {
			if !topicARN.MatchString(s) {
				return fmt.Sprintf("notify.sns.topic_arn %q: want an SNS topic ARN, like arn:aws:sns:us-east-1:123456789012:keywarden", s)
			}
			return ""
		})
	n.WebhookURL = l.channel(fs, "webhook", "url", "a URL",
		"notify.webhook needs url, like webhook: {url: \"ssm:/keywarden/webhook\"}",
		func(s string) string {
			if kind, ok := WebhookRef(s); ok {
				return refProblem(kind, s)
			}
			// The URL is often a secret (Slack's are): never echo it in an error.
			rest, isHTTP := strings.CutPrefix(s, "https://")
			if !isHTTP {
				rest, isHTTP = strings.CutPrefix(s, "http://")
			}
			if host, _, _ := strings.Cut(rest, "/"); !isHTTP || host == "" || strings.ContainsAny(s, " \t\n") {
				return "notify.webhook.url: want an http(s) URL"
			}
			return ""
		})
	return n
}

// channel reads notify.NAME: {KEY: value}, the one-field shape every channel has: missing is
// the error when KEY is absent, check words what is wrong with a value ("" when nothing is).
func (l *loader) channel(fs map[string]field, name, key, what, missing string, check func(string) string) string {
	v, ok := fs[name]
	if !ok {
		return ""
	}
	e, ok := l.fields(v.val, "notify."+name, key)
	if !ok {
		return ""
	}
	f, ok := e[key]
	if !ok {
		l.errf(v.key, "%s", missing)
		return ""
	}
	s, ok := l.str(f, what)
	if !ok {
		return ""
	}
	if msg := check(s); msg != "" {
		l.errf(f.val, "%s", msg)
	}
	return s
}

// Warning says that a rule will act on a key within the rule's warn: time. plan lists warnings
// apart from changes; apply and serve tell the key's owner, once per key and rule.
type Warning struct {
	Kind        Kind      `json:"action"`
	User        string    `json:"user"`
	AccessKeyID string    `json:"access_key_id"`
	Job         string    `json:"job"`
	Rule        string    `json:"rule"`
	Reason      string    `json:"reason"`
	Due         time.Time `json:"due,omitzero"` // zero: not a change to come (a consumer on an old key)
	// Memo is what keys.WarnedTag remembers of it: the action, or for a curfew the action and
	// the run it warns of (WarnedAt).
	Memo string `json:"-"`
}

// warnings are the rules of j with warn: that do not fire on k now but will within their warn:
// time, and whose owner was not told yet (keys.WarnedTag). due is found by bisection on fires
// itself, so it is exact to the minute for every kind of condition without a second copy of each condition's arithmetic.
func warnings(j Job, u keys.User, k keys.Key, now time.Time, acted map[Kind]bool) []Warning {
	var out []Warning
	told := keys.ParseWarned(u.Tags[keys.WarnedTag])
	for _, r := range j.Rules {
		if r.Warn <= 0 || acted[r.Kind] || told.Has(k.AccessKeyID, j.Name, string(r.Kind)) {
			continue
		}
		if _, ok := fires(r, u, k, now); ok {
			continue
		}
		end := now.Add(r.Warn.Std())
		reason, ok := fires(r, u, k, end)
		if !ok {
			continue
		}
		lo, hi := now, end
		for hi.Sub(lo) > time.Minute {
			mid := lo.Add(hi.Sub(lo) / 2)
			if _, ok := fires(r, u, k, mid); ok {
				hi = mid
			} else {
				lo = mid
			}
		}
		out = append(out, Warning{Kind: r.Kind, User: u.Name, AccessKeyID: k.AccessKeyID, Job: j.Name,
			Rule: r.String(), Reason: reason, Due: hi.Truncate(time.Minute).Add(time.Minute), Memo: string(r.Kind)})
		acted[r.Kind] = true
	}
	return out
}

// WebhookRef reports whether a notify.webhook.url names where the URL is kept, "ssm:NAME" (a
// SecureString parameter) or "secretsmanager:ID", instead of being the URL: for Slack the URL is
// the secret, and a reference keeps it out of the file, the template and the function's
// environment. internal/notify reads it when it sends.
func WebhookRef(url string) (kind string, ok bool) {
	kind, _, found := strings.Cut(url, ":")
	if found && (kind == "ssm" || kind == "secretsmanager") {
		return kind, true
	}
	return "", false
}

// WebhookHasToken reports whether a literal webhook URL carries a secret: a path or a query
// past the host, as Slack's, Teams' and most others' do.
func WebhookHasToken(url string) bool {
	if _, ok := WebhookRef(url); ok {
		return false
	}
	_, rest, _ := strings.Cut(url, "://")
	_, tail, _ := strings.Cut(rest, "/")
	return strings.Trim(tail, "/") != "" || strings.Contains(rest, "?")
}

func refProblem(kind, s string) string {
	_, name, _ := strings.Cut(s, ":")
	re := secretName
	if kind == "ssm" {
		re = paramName
	}
	if name == "" || strings.Contains(name, "{user}") || !re.MatchString(name) {
		return "notify.webhook.url " + quote(s) + ": want ssm:NAME, secretsmanager:SECRET_ID or an http(s) URL"
	}
	return ""
}
