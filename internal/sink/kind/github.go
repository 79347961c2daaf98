package kind

import "strings"

// GitHub is github:OWNER/REPO[:env=ENVIRONMENT][:names=ID_VAR,SECRET_VAR], the repository's
// (or one environment's) Actions secrets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
// (internal/sink's GitHub delivers). GitHub never gives a secret's value back, so a rerun
// cannot recover from it: like exec:, it wants a readable destination beside it.
var GitHub = add(&Kind{
	Name:    "github",
	Syntax:  "github:OWNER/REPO[:env=ENV]",
	Help:    "github:OWNER/REPO[:env=ENV]" + namesSyntax + " (Actions secrets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)",
	Example: "github:acme/deploy:env={user}",
	Needs: "GH_TOKEN or GITHUB_TOKEN: a fine-grained token or GitHub App with Secrets read and write " +
		"(and Environments read and write for env=), or a classic token with repo; GITHUB_API_URL for GitHub Enterprise Server; or the token kept by reference with :token=ssm:NAME",
	Problem: func(rest string) string {
		if _, ok := GitHubTarget(rest); !ok {
			return "want github:OWNER/REPO, with :env=ENVIRONMENT, " + optionsProblem
		}
		return ""
	},
	Expand:   expandCI,
	WithUser: func(rest string) string { return withOption(rest, "env", "{user}") },
	Local:    "reads its GitHub token from the environment, not by reference (:token=ssm:NAME)",
	TokenRef: ciTokenRef,
})

// GitHubTarget reads github:'s REST: Where is OWNER/REPO, Opts["env"] the environment ("" for
// the repository's own secrets); ok is false when it is not OWNER/REPO with known options.
func GitHubTarget(rest string) (CI, bool) {
	ci, ok := parseCI(rest, map[string]func(string) bool{"env": func(v string) bool { return nameOf(v, "-_.") }})
	owner, repo, _ := strings.Cut(ci.Where, "/")
	return ci, ok && nameOf(owner, "-") && nameOf(repo, "-_.")
}
