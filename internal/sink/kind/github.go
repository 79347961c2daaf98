package kind

import "strings"

// GitHub is github:OWNER/REPO[:env=ENVIRONMENT], the repository's (or one environment's)
// Actions secrets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (internal/sink's GitHub
// delivers). GitHub never gives a secret's value back, so a rerun cannot recover from it: like
// exec:, it wants a readable destination beside it.
var GitHub = add(&Kind{
	Name:    "github",
	Syntax:  "github:OWNER/REPO[:env=ENV]",
	Help:    "github:OWNER/REPO[:env=ENV] (Actions secrets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)",
	Example: "github:acme/deploy:env={user}",
	Needs: "GH_TOKEN or GITHUB_TOKEN: a fine-grained token or GitHub App with Secrets read and write " +
		"(and Environments read and write for env=), or a classic token with repo; GITHUB_API_URL for GitHub Enterprise Server",
	Problem: func(rest string) string {
		if _, _, _, ok := GitHubParts(rest); !ok {
			return "want github:OWNER/REPO or github:OWNER/REPO:env=ENVIRONMENT"
		}
		return ""
	},
	WithUser: func(rest string) string {
		repo, _, _ := strings.Cut(rest, ":")
		return repo + ":env={user}"
	},
	Local: "needs a GitHub token from keywarden's environment",
})

// GitHubParts splits github:'s REST into owner, repository and environment ("" for the
// repository's own secrets); ok is false when it is not OWNER/REPO[:env=ENV].
func GitHubParts(rest string) (owner, repo, env string, ok bool) {
	path, opt, hasOpt := strings.Cut(rest, ":")
	owner, repo, _ = strings.Cut(path, "/")
	if hasOpt {
		var isEnv bool
		if env, isEnv = strings.CutPrefix(opt, "env="); !isEnv || !nameOf(env, "-_.") {
			return "", "", "", false
		}
	}
	return owner, repo, env, nameOf(owner, "-") && nameOf(repo, "-_.")
}
