package kind

import "strings"

// GitLab is gitlab:PROJECT_OR_GROUP[:scope=ENV][:protected=true][:names=ID_VAR,SECRET_VAR],
// a project's or group's CI/CD variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, masked
// (internal/sink's GitLab delivers). GitLab gives a variable's value back, so a rerun can
// recover a delivered key from it.
var GitLab = add(&Kind{
	Name:    "gitlab",
	Syntax:  "gitlab:PROJECT_OR_GROUP[:scope=ENV][:protected=true]",
	Help:    "gitlab:PROJECT_OR_GROUP[:scope=ENV][:protected=true]" + namesSyntax + " (masked CI/CD variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)",
	Example: "gitlab:acme/deploy:scope={user}",
	Needs: "GITLAB_TOKEN: a personal, project or group access token with the api scope, of a Maintainer of the project " +
		"(Owner of a group); CI_SERVER_URL or GITLAB_URL for a self-managed GitLab; or the token kept by reference with :token=ssm:NAME",
	Problem: func(rest string) string {
		if _, ok := GitLabTarget(rest); !ok {
			return "want gitlab:PROJECT_OR_GROUP_PATH, with :scope=ENVIRONMENT, :protected=true, " + optionsProblem
		}
		return ""
	},
	Expand:   expandCI,
	WithUser: func(rest string) string { return withOption(rest, "scope", "{user}") },
	Readable: true,
	Local:    "reads its GitLab token from the environment, not by reference (:token=ssm:NAME)",
	TokenRef: ciTokenRef,
})

// GitLabTarget reads gitlab:'s REST: Where is the project's or group's full path (or its
// numeric id), Opts["scope"] the environment scope ("*" when not given), Opts["protected"]
// "true" or "false".
func GitLabTarget(rest string) (CI, bool) {
	ci, ok := parseCI(rest, map[string]func(string) bool{
		// GitLab's environment names: letters, digits, spaces and -_/.${}; a scope may be a glob.
		"scope":     func(v string) bool { return nameOf(v, "-_/.*{} ") },
		"protected": func(v string) bool { return v == "true" || v == "false" },
	})
	if !ok {
		return CI{}, false
	}
	if ci.Opts["scope"] == "" {
		ci.Opts["scope"] = "*"
	}
	if ci.Opts["protected"] == "" {
		ci.Opts["protected"] = "false"
	}
	for _, seg := range strings.Split(ci.Where, "/") {
		if !nameOf(seg, "-_.") {
			return CI{}, false
		}
	}
	return ci, true
}
