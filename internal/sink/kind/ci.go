package kind

import "strings"

// CI is the REST of a CI system's destination (github:, github-org:, gitlab:): where, then
// options as :NAME=VALUE, each at most once, among them names=ID_VAR,SECRET_VAR for the two
// variables the key is written to.
type CI struct {
	Where      string            // OWNER/REPO, ORG, or a GitLab project or group path
	Opts       map[string]string // the options but names=
	IDName     string            // AWS_ACCESS_KEY_ID unless names= says otherwise
	SecretName string            // AWS_SECRET_ACCESS_KEY unless names= says otherwise
	// TokenRef is where the token is kept, from :token=ssm:NAME or :token=secretsmanager:ID
	// (always the last option: the rest is its value); "" reads it from the environment.
	TokenRef string
}

// The variables' default names: what the AWS SDKs and CLI read from a CI job's environment.
const (
	DefaultIDName     = "AWS_ACCESS_KEY_ID"
	DefaultSecretName = "AWS_SECRET_ACCESS_KEY"
)

// parseCI splits REST; ok is false for an option not in valid, one given twice, a value
// valid refuses, or names= that is not two distinct variable names.
func parseCI(rest string, valid map[string]func(string) bool) (ci CI, ok bool) {
	parts := strings.Split(rest, ":")
	ci = CI{Where: parts[0], Opts: map[string]string{}, IDName: DefaultIDName, SecretName: DefaultSecretName}
	seen := map[string]bool{}
	for i, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		if k == "token" {
			ci.TokenRef = strings.Join(append([]string{v}, parts[i+2:]...), ":")
			if !tokenRef(ci.TokenRef) {
				return CI{}, false
			}
			break
		}
		if seen[k] {
			return CI{}, false
		}
		seen[k] = true
		if k == "names" {
			id, secret, two := strings.Cut(v, ",")
			if !two || id == secret || !varName(id) || !varName(secret) {
				return CI{}, false
			}
			ci.IDName, ci.SecretName = id, secret
			continue
		}
		check := valid[k]
		if check == nil || !check(v) {
			return CI{}, false
		}
		ci.Opts[k] = v
	}
	return ci, true
}

// varName is a name GitHub (a secret) and GitLab (a variable) both take: letters, digits and
// _, not starting with a digit, and not GitHub's reserved GITHUB_ prefix.
func varName(s string) bool {
	return len(s) <= 255 && nameOf(s, "_") && !('0' <= s[0] && s[0] <= '9') && !strings.HasPrefix(strings.ToUpper(s), "GITHUB_")
}

// tokenRef is ssm:NAME (a SecureString parameter) or secretsmanager:ID, as notify.webhook.url
// keeps a URL: the token stays out of the config, the template and the function's environment.
func tokenRef(ref string) bool {
	k, name, _ := strings.Cut(ref, ":")
	return (k == "ssm" || k == "secretsmanager") && len(name) <= 512 && nameOf(name, "/_+=.@-")
}

// ciTokenRef is a CI kind's TokenRef (internal/sink/kind.Kind's).
func ciTokenRef(rest string) string {
	if _, ref, found := strings.Cut(rest, ":token="); found && tokenRef(ref) {
		return ref
	}
	return ""
}

// namesSyntax is how every CI kind's help shows the options they all take.
const namesSyntax = "[:names=ID_VAR,SECRET_VAR][:token=ssm:NAME|secretsmanager:ID]"

// optionsProblem ends each CI kind's refusal: the options every CI kind takes.
const optionsProblem = ":names=ID_VAR,SECRET_VAR optional, and :token=ssm:NAME or :token=secretsmanager:ID last"

// expandCI puts the user's name in a CI kind's REST: as it is, but in names= as a variable
// name can hold it (svc-ci: SVC_CI), so AWS_ACCESS_KEY_ID_{user} names one user's secret.
func expandCI(rest, user string) string {
	parts := strings.Split(rest, ":")
	for i, p := range parts {
		if v, isNames := strings.CutPrefix(p, "names="); isNames && i > 0 {
			parts[i] = "names=" + strings.ReplaceAll(v, "{user}", varCase(user))
		} else {
			parts[i] = strings.ReplaceAll(p, "{user}", user)
		}
	}
	return strings.Join(parts, ":")
}

func varCase(user string) string {
	b := []byte(strings.ToUpper(user))
	for i, c := range b {
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			b[i] = '_'
		}
	}
	return string(b)
}

// withUserNames is REST with {user} at the end of both variables' names.
func withUserNames(rest string) string {
	id, secret := DefaultIDName, DefaultSecretName
	var keep []string
	for i, p := range strings.Split(rest, ":") {
		if v, isNames := strings.CutPrefix(p, "names="); isNames && i > 0 {
			id, secret, _ = strings.Cut(v, ",")
			continue
		}
		keep = append(keep, p)
	}
	return strings.Join(keep, ":") + ":names=" + id + "_{user}," + secret + "_{user}"
}

// withOption is REST with the option name set to value, the others kept.
func withOption(rest, name, value string) string {
	parts := strings.Split(rest, ":")
	for i, p := range parts[1:] {
		if strings.HasPrefix(p, name+"=") {
			parts[i+1] = name + "=" + value
			return strings.Join(parts, ":")
		}
	}
	return parts[0] + ":" + name + "=" + value + strings.TrimPrefix(rest, parts[0])
}
