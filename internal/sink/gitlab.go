package sink

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/sink/kind"
)

var _ = builder(kind.GitLab, func(rest string, e Env) (Sink, error) {
	t, _ := kind.GitLabTarget(rest)
	d := &GitLab{Path: t.Where, Scope: t.Opts["scope"], Protected: t.Opts["protected"] == "true",
		KeyIDName: t.IDName, SecretName: t.SecretName, User: e.User, URL: "https://gitlab.com", HTTP: e.HTTP}
	var ciServer, gitlabURL string
	for _, kv := range e.ExecEnv {
		switch k, v, _ := strings.Cut(kv, "="); k {
		case "GITLAB_TOKEN":
			d.Token = v
		case "CI_SERVER_URL":
			ciServer = v
		case "GITLAB_URL":
			gitlabURL = v
		}
	}
	// GITLAB_URL is the user's own choice; CI_SERVER_URL is what a GitLab job is given.
	for _, u := range []string{gitlabURL, ciServer} {
		if u != "" {
			d.URL = strings.TrimSuffix(u, "/")
			break
		}
	}
	if t.TokenRef != "" {
		d.Token, d.ref = "", &ciToken{t.TokenRef, e}
	}
	return d, nil
})

// GitLab writes the key as two masked CI/CD variables of a project or a group, in one
// environment scope, through GitLab's REST API (docs.gitlab.com/api/project_level_variables
// and group_level_variables). GitLab gives a variable's value back, so delivery is verified by
// reading it, and a rerun recovers the key from it: the secret's variable is written first and
// its description names the key, so a run cut between the two writes still finds it.
type GitLab struct {
	Path                  string // the project's or group's full path, or its id
	Scope                 string // environment scope, "*" for all
	Protected             bool   // only protected branches and tags see it
	KeyIDName, SecretName string
	User                  string // the IAM user whose key it holds, named in the description
	URL                   string // https://gitlab.com, or GITLAB_URL / CI_SERVER_URL
	Token                 string // GITLAB_TOKEN, or read through ref
	HTTP                  *http.Client

	ref *ciToken // :token=, read when first needed

	base, what string // "/projects/ID" or "/groups/ID", and "project" or "group", once found
}

type glVariable struct {
	Key              string  `json:"key"`
	Value            *string `json:"value"` // null for a hidden variable
	Masked           bool    `json:"masked"`
	Protected        bool    `json:"protected"`
	EnvironmentScope string  `json:"environment_scope"`
	Description      *string `json:"description"`
}

func (d *GitLab) String() string {
	s := "gitlab:" + d.Path
	if d.Scope != "*" {
		s += ":scope=" + d.Scope
	}
	if d.Protected {
		s += ":protected=true"
	}
	s += namesOption(d.KeyIDName, d.SecretName)
	if d.ref != nil {
		s += ":token=" + d.ref.ref
	}
	return s
}

func (d *GitLab) Stage(context.Context, Secret) (bool, error) { return false, nil }
func (d *GitLab) CanRecover() bool                            { return true }
func (d *GitLab) Actions() []string                           { return nil } // none in AWS

// description is what the secret's variable says of itself: whose key, which one.
func (d *GitLab) description(keyID string) string {
	return "secret of access key " + keyID + " of IAM user " + d.User + ", written by keywarden"
}

// Check refuses, before a key is made, a missing or refused token, a token without the api
// scope, a project or group the token cannot see, a role that may not manage variables, a
// spent rate limit, and variables that hold another IAM user's key.
func (d *GitLab) Check(ctx context.Context) error {
	if err := d.ref.fill(ctx, &d.Token, d.String()); err != nil {
		return err
	}
	if d.Token == "" {
		return &InvalidError{Msg: fmt.Sprintf("%s: no GitLab token; set GITLAB_TOKEN (or :token=ssm:NAME) to an access token with the api scope", d)}
	}
	var self struct {
		Scopes []string `json:"scopes"`
	}
	// Personal, project and group access tokens say their scopes; other tokens (OAuth) do
	// not, and are judged by the calls below.
	if code, err := d.do(ctx, http.MethodGet, "/personal_access_tokens/self", nil, "read the token's scopes", &self); err != nil && (code == http.StatusUnauthorized || code == http.StatusTooManyRequests) {
		return err
	} else if err == nil && !slices.Contains(self.Scopes, "api") {
		return &RefusedError{Msg: fmt.Sprintf("%s: the token's scopes are %s, without api, which writing CI/CD variables needs; give GITLAB_TOKEN the api scope", d, strings.Join(self.Scopes, ", "))}
	}
	if err := d.resolve(ctx); err != nil {
		return err
	}
	v, found, err := d.variable(ctx, d.SecretName)
	if err != nil {
		return err
	}
	if found && v.Description != nil {
		if _, owner, ok := strings.Cut(*v.Description, " of IAM user "); ok {
			if owner, _, _ = strings.Cut(owner, ","); owner != d.User {
				return &RefusedError{Msg: fmt.Sprintf("%s: the variable %s holds the key of IAM user %s, not %s; keywarden does not put one user's key in another user's variable: pick other names or another scope", d, d.SecretName, owner, d.User)}
			}
		}
	}
	return nil
}

// resolve finds whether Path is a project or a group, once (and reads a token kept by
// reference first).
func (d *GitLab) resolve(ctx context.Context) error {
	if err := d.ref.fill(ctx, &d.Token, d.String()); err != nil || d.base != "" {
		return err
	}
	id := url.PathEscape(d.Path)
	for _, w := range []string{"project", "group"} {
		code, err := d.do(ctx, http.MethodGet, "/"+w+"s/"+id, nil, "read the "+w, nil)
		if err == nil {
			d.base, d.what = "/"+w+"s/"+id, w
			return nil
		}
		if code != http.StatusNotFound {
			return err
		}
	}
	return &InvalidError{Msg: fmt.Sprintf("%s: there is no project or group %s, or the token cannot see it (404); check the path and that the token's user is a member", d, d.Path)}
}

// variable reads one variable of the scope; found is false when there is none.
func (d *GitLab) variable(ctx context.Context, name string) (glVariable, bool, error) {
	var v glVariable
	code, err := d.do(ctx, http.MethodGet, d.base+"/variables/"+url.PathEscape(name)+d.filter(), nil, "read the variable "+name, &v)
	if code == http.StatusNotFound {
		return glVariable{}, false, nil
	}
	return v, err == nil, err
}

func (d *GitLab) filter() string {
	return "?" + url.Values{"filter[environment_scope]": {d.Scope}}.Encode()
}

func (d *GitLab) Deliver(ctx context.Context, s Secret) error {
	if err := d.resolve(ctx); err != nil {
		return err
	}
	// The secret first: a variable of the id that names the new key means its secret is there.
	for _, v := range []struct{ name, value, desc string }{
		{d.SecretName, s.SecretAccessKey, d.description(s.AccessKeyID)},
		{d.KeyIDName, s.AccessKeyID, "access key id of IAM user " + d.User + ", written by keywarden"},
	} {
		if err := d.put(ctx, v.name, v.value, v.desc); err != nil {
			return err
		}
	}
	got, ok, err := d.Recover(ctx, s.AccessKeyID)
	switch {
	case err != nil:
		return err
	case !ok || got != s:
		return &Error{d.String(), "verify the variables", fmt.Errorf("reading %s and %s back does not give the key just written", d.KeyIDName, d.SecretName)}
	}
	return nil
}

// put creates or updates one variable; one that already holds it as wanted is left alone.
func (d *GitLab) put(ctx context.Context, name, value, desc string) error {
	cur, found, err := d.variable(ctx, name)
	if err != nil {
		return err
	}
	if found && cur.Value != nil && *cur.Value == value && cur.Masked && cur.Protected == d.Protected && cur.Description != nil && *cur.Description == desc {
		return nil
	}
	body := map[string]any{"value": value, "masked": true, "protected": d.Protected, "description": desc}
	if found {
		_, err = d.do(ctx, http.MethodPut, d.base+"/variables/"+url.PathEscape(name)+d.filter(), body, "update the variable "+name, nil)
		return err
	}
	body["key"], body["environment_scope"], body["variable_type"] = name, d.Scope, "env_var"
	_, err = d.do(ctx, http.MethodPost, d.base+"/variables", body, "create the variable "+name, nil)
	return err
}

// Recover reads the secret's variable: it holds keyID's secret when its description names
// the key, or when the id's variable holds keyID (written after the secret).
func (d *GitLab) Recover(ctx context.Context, keyID string) (Secret, bool, error) {
	if err := d.resolve(ctx); err != nil {
		return Secret{}, false, err
	}
	sec, found, err := d.variable(ctx, d.SecretName)
	if err != nil || !found || sec.Value == nil || *sec.Value == "" {
		return Secret{}, false, err
	}
	if sec.Description == nil || *sec.Description != d.description(keyID) {
		id, found, err := d.variable(ctx, d.KeyIDName)
		if err != nil || !found || id.Value == nil || *id.Value != keyID {
			return Secret{}, false, err
		}
	}
	return Secret{AccessKeyID: keyID, SecretAccessKey: *sec.Value}, true, nil
}

// do calls GitLab's API; code is the HTTP status (0 when none came), err its refusal as one
// sentence.
func (d *GitLab) do(ctx context.Context, method, path string, in any, what string, out any) (int, error) {
	var body []byte
	if in != nil {
		body, _ = json.Marshal(in)
	}
	resp, b, err := ciCall(ctx, d.HTTP, method, d.URL+"/api/v4"+path, body, http.Header{"Private-Token": {d.Token}})
	if err != nil {
		return 0, &Error{d.String(), what, err}
	}
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, d.refusal(resp, b, what)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, &Error{d.String(), what, fmt.Errorf("GitLab's answer is not the JSON documented: %w", err)}
		}
	}
	return resp.StatusCode, nil
}

// refusal is GitLab's refusal as one sentence: what is wrong and what to do.
func (d *GitLab) refusal(resp *http.Response, body []byte, what string) error {
	var e struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(body, &e)
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		until := "after " + resp.Header.Get("Retry-After") + " seconds"
		if n, err := strconv.ParseInt(resp.Header.Get("RateLimit-Reset"), 10, 64); err == nil {
			until = "after " + time.Unix(n, 0).UTC().Format("15:04:05 UTC")
		} else if resp.Header.Get("Retry-After") == "" {
			until = "later"
		}
		return &Error{d.String(), what, fmt.Errorf("GitLab's rate limit is spent (429); run again %s", until)}
	case http.StatusUnauthorized:
		return &InvalidError{Msg: fmt.Sprintf("%s: GitLab refused the token (401); set GITLAB_TOKEN to a valid, unexpired access token", d)}
	case http.StatusForbidden:
		if e.Error == "insufficient_scope" {
			return &RefusedError{Msg: fmt.Sprintf("%s: the token may not %s without the api scope (403); give GITLAB_TOKEN the api scope", d, what)}
		}
		role := "the Maintainer role on the project"
		if d.what == "group" {
			role = "the Owner role on the group"
		}
		return &RefusedError{Msg: fmt.Sprintf("%s: the token may not %s (403); its user needs %s %s", d, what, role, d.Path)}
	case http.StatusNotFound:
		return &InvalidError{Msg: fmt.Sprintf("%s: GitLab found nothing to %s (404); check the path and the token's access", d, what)}
	case http.StatusBadRequest:
		// Not GitLab's message: it may quote the value.
		return &InvalidError{Msg: fmt.Sprintf("%s: GitLab refused to %s as invalid (400); check the variables' names and that the instance allows masked variables", d, what)}
	}
	return &Error{d.String(), what, fmt.Errorf("GitLab answered %s", resp.Status)}
}
