package kind

// GitHubOrg is github-org:ORG[:visibility=all|private|selected][:names=ID_VAR,SECRET_VAR], an
// organization's Actions secrets (internal/sink's GitHub delivers, as for github:). Like
// github:, it cannot be read back.
var GitHubOrg = add(&Kind{
	Name:    "github-org",
	Syntax:  "github-org:ORG[:visibility=all|private|selected]",
	Help:    "github-org:ORG[:visibility=all|private|selected]" + namesSyntax + " (organization Actions secrets; visibility private unless given)",
	Example: "github-org:acme:names=AWS_ACCESS_KEY_ID_{user},AWS_SECRET_ACCESS_KEY_{user}",
	Needs: "GH_TOKEN or GITHUB_TOKEN: a fine-grained token or GitHub App with the organization's Secrets read and write, " +
		"or a classic token with admin:org; GITHUB_API_URL for GitHub Enterprise Server; or the token kept by reference with :token=ssm:NAME",
	Problem: func(rest string) string {
		if _, ok := GitHubOrgTarget(rest); !ok {
			return "want github-org:ORG, with :visibility=all, private or selected, " + optionsProblem
		}
		return ""
	},
	Expand:   expandCI,
	WithUser: withUserNames,
	Local:    "reads its GitHub token from the environment, not by reference (:token=ssm:NAME)",
	TokenRef: ciTokenRef,
})

// GitHubOrgTarget reads github-org:'s REST: Where is the organization, Opts["visibility"]
// which repositories see the secrets (private when not given).
func GitHubOrgTarget(rest string) (CI, bool) {
	ci, ok := parseCI(rest, map[string]func(string) bool{"visibility": func(v string) bool {
		return v == "all" || v == "private" || v == "selected"
	}})
	if ci.Opts != nil && ci.Opts["visibility"] == "" {
		ci.Opts["visibility"] = "private"
	}
	return ci, ok && nameOf(ci.Where, "-")
}
