package permissions

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
)

// Statement ids of a jobs policy; tests drop statements by these names.
const (
	SidListUsers  = "ListUsers"
	SidGetUsers   = "GetSelectedUsers"
	SidRead       = "ReadKeysAndTags"
	SidDeactivate = "DeactivateKeys"
	SidDelete     = "DeleteKeys"
	SidProvenance = "RecordProvenance"
	SidWebhookURL = "ReadWebhookURL"
	// SidWhoUses lets a rotate rule's "still in use" warning name the consumer on the old key
	// (internal/trail); LookupEvents takes no resource.
	SidWhoUses = "NameWhoStillUsesAKey"
)

// Compiled on first use: every command links this package, few ask it for a policy.
var accountRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\*|[0-9]{12})$`) })

// ForJobs returns the least-privilege policy that lets the named jobs of cfg (every job when
// names is empty) run through plan, apply, the daemon or the Lambda, each job alone or all
// together. account is a 12-digit id, or "*" for any account.
//
// It follows what keywarden actually calls (apply.ReadFor, apply.Apply):
//   - a job that names its users exactly reads them with iam:GetUser; any other job lists every
//     user (iam:ListUsers, which takes no resource, so "*");
//   - keys, last use and tags are read for every user the run reads, which is every user in
//     the account as soon as one job selects by glob, path or not at all;
//   - iam:UpdateAccessKey (deactivate), iam:DeleteAccessKey (delete) and iam:TagUser /
//     iam:UntagUser (the provenance record, written before each change and removed if the
//     change fails) only on the users the acting jobs select, as far as an ARN can say it;
//   - a rotate rule adds what a service rotation calls (see rotationGrants): on its users,
//     and on the secrets, parameters and KMS key its destinations name; with a grace and a
//     notify: section, cloudtrail:LookupEvents, to name who is still on an old key.
//
// IAM user ARNs carry the user's path (arn:aws:iam::123456789012:user/team/alice), and
// policy.Selector leaves the path open, so an exact name becomes two resources, user/NAME and
// user/*/NAME ("*" spans path segments; names contain no "/", so both end at exactly NAME).
// Globs map the same way when they use only * and ?; exclude_users and exclude_tags cannot
// be said in a Resource and are not narrowed.
func ForJobs(cfg *policy.Config, names []string, account string) (Document, error) {
	if !accountRE().MatchString(account) {
		return Document{}, fmt.Errorf("account %q: want a 12-digit account id or *", account)
	}
	jobs, err := pick(cfg, names)
	if err != nil {
		return Document{}, err
	}
	all := userARN(account, "/*")
	var exactNames []string
	broad := false
	var deact, del []string
	var rot rotationGrants
	whoUses := false
	for _, j := range jobs {
		if isExact(j.Select) {
			exactNames = append(exactNames, j.Select.Users...)
		} else {
			broad = true
		}
		for _, r := range j.Rules {
			switch r.Kind {
			case policy.Deactivate:
				deact = append(deact, scope(j.Select, account)...)
			case policy.Delete:
				del = append(del, scope(j.Select, account)...)
			case policy.Rotate:
				rot.add(j, r, account)
				// Only a rule with a grace keeps an old key a consumer is still on, and only a
				// notify: section turns that into a warning naming who (jobs.nameWhoUses).
				whoUses = whoUses || r.Grace > 0 && cfg.Notify != nil
			}
		}
	}
	var ss []Statement
	if broad {
		ss = append(ss, allow(SidListUsers, []string{"*"}, "iam:ListUsers"))
	}
	if len(exactNames) > 0 {
		ss = append(ss, allow(SidGetUsers, exactARNs(account, exactNames), "iam:GetUser"))
	}
	read := exactARNs(account, exactNames)
	if broad {
		read = []string{all}
	}
	ss = append(ss, allow(SidRead, read, "iam:GetAccessKeyLastUsed", "iam:ListAccessKeys", "iam:ListUserTags"))
	if len(deact) > 0 {
		ss = append(ss, allow(SidDeactivate, deact, "iam:UpdateAccessKey"))
	}
	if len(del) > 0 {
		ss = append(ss, allow(SidDelete, del, "iam:DeleteAccessKey"))
	}
	ss = append(ss, rot.statements()...)
	if whoUses {
		ss = append(ss, allow(SidWhoUses, []string{"*"}, "cloudtrail:LookupEvents"))
	}
	if s, ok := webhookURL(cfg, account); ok {
		ss = append(ss, s)
	}
	if changed := append(append(slices.Clone(deact), del...), rot.users...); len(changed) > 0 {
		ss = append(ss, allow(SidProvenance, changed, "iam:TagUser", "iam:UntagUser"))
	}
	return Document{Version: "2012-10-17", Statement: ss}, nil
}

func pick(cfg *policy.Config, names []string) ([]policy.Job, error) {
	if len(names) == 0 {
		return cfg.Jobs, nil
	}
	var out []policy.Job
	for _, n := range names {
		j, ok := cfg.Job(n)
		if !ok {
			return nil, fmt.Errorf("no job %q; the config has %s", n, strings.Join(cfg.JobNames(), ", "))
		}
		out = append(out, j)
	}
	return out, nil
}

// isExact mirrors jobs.ReadFor: only literal names (keys.IsGlob, the one matcher's test) and
// no paths are read with GetUser.
func isExact(s policy.Selector) bool {
	if len(s.Users) == 0 || len(s.Paths) > 0 {
		return false
	}
	return !slices.ContainsFunc(s.Users, keys.IsGlob)
}

// scope is the user ARNs a selector can reach.
func scope(s policy.Selector, account string) []string {
	if len(s.Paths) > 0 {
		var out []string
		for _, p := range s.Paths {
			out = append(out, userARN(account, p+"*"))
		}
		return out
	}
	if len(s.Users) == 0 {
		return []string{userARN(account, "/*")}
	}
	for _, u := range s.Users {
		// [ and \ have no IAM wildcard equivalent.
		if strings.ContainsAny(u, `[\`) {
			return []string{userARN(account, "/*")}
		}
	}
	return exactARNs(account, s.Users)
}

// exactARNs gives each name (or */? glob) at the root path and under any path.
func exactARNs(account string, names []string) []string {
	var out []string
	for _, n := range names {
		out = append(out, userARN(account, "/"+n), userARN(account, "/*/"+n))
	}
	return out
}

func userARN(account, pathAndName string) string {
	return "arn:aws:iam::" + account + ":user" + pathAndName
}

// allow builds a statement with sorted, de-duplicated resources; user/* makes the others
// redundant.
func allow(sid string, resources []string, actions ...string) Statement {
	rs := slices.Clone(resources)
	slices.Sort(rs)
	rs = slices.Compact(rs)
	for _, r := range rs {
		if strings.HasSuffix(r, ":user/*") || r == "*" {
			rs = []string{r}
			break
		}
	}
	a := slices.Clone(actions)
	slices.Sort(a)
	return Statement{Sid: sid, Effect: "Allow", Action: a, Resource: rs}
}

// webhookURL grants reading the webhook URL that notify.webhook.url keeps by reference, and
// nothing when the file holds the URL itself.
func webhookURL(cfg *policy.Config, account string) (Statement, bool) {
	if cfg.Notify == nil {
		return Statement{}, false
	}
	kind, ok := policy.WebhookRef(cfg.Notify.WebhookURL)
	if !ok {
		return Statement{}, false
	}
	_, name, _ := strings.Cut(cfg.Notify.WebhookURL, ":")
	if kind == "ssm" {
		return allow(SidWebhookURL, []string{"arn:aws:ssm:*:" + account + ":parameter/" + strings.TrimPrefix(name, "/")}, "ssm:GetParameter"), true
	}
	// Secrets Manager appends "-" and six random characters to a secret's ARN.
	return allow(SidWebhookURL, []string{"arn:aws:secretsmanager:*:" + account + ":secret:" + name + "-??????"}, "secretsmanager:GetSecretValue"), true
}
