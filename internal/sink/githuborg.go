package sink

import "github.com/keywarden/keywarden/internal/sink/kind"

// github-org: is GitHub's delivery to an organization's secrets (/orgs/ORG/actions/secrets),
// with the visibility written on every PUT, as GitHub requires.
var _ = builder(kind.GitHubOrg, func(rest string, e Env) (Sink, error) {
	t, _ := kind.GitHubOrgTarget(rest)
	return newGitHub(&GitHub{Org: t.Where, Visibility: t.Opts["visibility"]}, t, e), nil
})
