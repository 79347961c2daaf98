package emu

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// GitLab is a stateful stand-in for GitLab's REST API (v4) for CI/CD variables, built from
// the documented request and response shapes (no OpenAPI description of these endpoints is
// published): docs.gitlab.com/api/project_level_variables and group_level_variables (GET, POST
// …/variables, GET and PUT …/variables/:key with filter[environment_scope]; a variable is
// {variable_type, key, value, protected, masked, hidden, raw, environment_scope, description}),
// docs.gitlab.com/api/projects and groups (GET /projects/:id, /groups/:id, :id the URL-encoded
// full path), docs.gitlab.com/api/personal_access_tokens (GET /personal_access_tokens/self:
// the token's scopes), docs.gitlab.com/api/rest (PRIVATE-TOKEN; 401 {"message":"401
// Unauthorized"}; an access token without the scope an endpoint needs: 403
// {"error":"insufficient_scope",…}) and docs.gitlab.com/security/rate_limits (429 with
// RateLimit-Reset and Retry-After). Masked values are held to GitLab's rule (at least 8
// characters of the Base64 alphabet and @:.~-).
type GitLab struct {
	URL    string
	Token  string   // the token it accepts (PRIVATE-TOKEN); any other is 401
	Scopes []string // the token's scopes: api unless set; writes need api, reads read_api

	mu        sync.Mutex
	owners    map[string]string // "projects/ID" or "groups/ID" by full path
	vars      map[string]GitLabVar
	developer bool                        // the token's user may not manage variables
	next      []func(http.ResponseWriter) // answers for the next requests instead of serving them
	calls     map[string]int              // "GET variable", "POST variable", "PUT variable", …
}

// GitLabVar is a variable as GitLab holds it.
type GitLabVar struct {
	Key              string  `json:"key"`
	Value            string  `json:"value"`
	VariableType     string  `json:"variable_type"`
	Protected        bool    `json:"protected"`
	Masked           bool    `json:"masked"`
	Hidden           bool    `json:"hidden"`
	Raw              bool    `json:"raw"`
	EnvironmentScope string  `json:"environment_scope"`
	Description      *string `json:"description"`
}

// StartGitLab serves GitLab's variables API for the projects and groups named by full path
// ("group/project"; a group as "group:group"), stopped at cleanup.
func StartGitLab(t testing.TB, owners ...string) *GitLab {
	g := &GitLab{Token: "glpat-test", Scopes: []string{"api"}, owners: map[string]string{}, vars: map[string]GitLabVar{}, calls: map[string]int{}}
	for i, o := range owners {
		if path, isGroup := strings.CutSuffix(o, ":group"); isGroup {
			g.owners[path] = "groups/" + strconv.Itoa(100+i)
		} else {
			g.owners[o] = "projects/" + strconv.Itoa(100+i)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(srv.Close)
	g.URL = srv.URL
	return g
}

// Var is the variable key of the project or group path in an environment scope.
func (g *GitLab) Var(path, scope, key string) (GitLabVar, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	v, ok := g.vars[g.owners[path]+"\x00"+scope+"\x00"+key]
	return v, ok
}

// Calls counts the requests served by kind ("GET variable", "PUT variable", "POST variable").
func (g *GitLab) Calls(kind string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.calls[kind]
}

// Developer makes the token's user a Developer, who may not read or write variables (403).
func (g *GitLab) Developer() { g.mu.Lock(); g.developer = true; g.mu.Unlock() }

// RateLimited makes the next request answered as GitLab does when a rate limit is hit.
func (g *GitLab) RateLimited(reset time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.next = append(g.next, func(w http.ResponseWriter) {
		w.Header().Set("RateLimit-Limit", "2000")
		w.Header().Set("RateLimit-Remaining", "0")
		w.Header().Set("RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		w.Header().Set("Retry-After", "60")
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte("Retry later\n"))
	})
}

var (
	glKey    = regexp.MustCompile(`^[A-Za-z0-9_]{1,255}$`)
	glMasked = regexp.MustCompile(`^[A-Za-z0-9+/=@:.~-]{8,}$`)
)

func glJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (g *GitLab) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.next) > 0 {
		answer := g.next[0]
		g.next = g.next[1:]
		answer(w)
		return
	}
	if r.Header.Get("PRIVATE-TOKEN") != g.Token && r.Header.Get("Authorization") != "Bearer "+g.Token {
		glJSON(w, http.StatusUnauthorized, map[string]string{"message": "401 Unauthorized"})
		return
	}
	write := r.Method != http.MethodGet
	if !slices.Contains(g.Scopes, "api") && (write || !slices.Contains(g.Scopes, "read_api")) {
		glJSON(w, http.StatusForbidden, map[string]string{"error": "insufficient_scope",
			"error_description": "The request requires higher privileges than provided by the access token.", "scope": "api"})
		return
	}
	// Segments are unescaped one by one: an id is a full path with its / as %2F.
	var seg []string
	for _, s := range strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/api/v4/"), "/") {
		u, _ := url.PathUnescape(s)
		seg = append(seg, u)
	}
	if len(seg) == 2 && seg[0] == "personal_access_tokens" && seg[1] == "self" && !write {
		glJSON(w, http.StatusOK, map[string]any{"id": 1, "name": "keywarden", "scopes": g.Scopes, "active": true, "revoked": false})
		return
	}
	if len(seg) < 2 || seg[0] != "projects" && seg[0] != "groups" {
		glJSON(w, http.StatusNotFound, map[string]string{"error": "404 Not Found"})
		return
	}
	owner, ok := g.owners[seg[1]]
	if !ok || !strings.HasPrefix(owner, seg[0]+"/") {
		what := map[string]string{"projects": "Project", "groups": "Group"}[seg[0]]
		glJSON(w, http.StatusNotFound, map[string]string{"message": "404 " + what + " Not Found"})
		return
	}
	id, _ := strconv.Atoi(strings.TrimPrefix(owner, seg[0]+"/"))
	switch {
	case len(seg) == 2 && !write:
		field := map[string]string{"projects": "path_with_namespace", "groups": "full_path"}[seg[0]]
		glJSON(w, http.StatusOK, map[string]any{"id": id, field: seg[1]})
		return
	case len(seg) < 3 || seg[2] != "variables" || len(seg) > 4:
		glJSON(w, http.StatusNotFound, map[string]string{"error": "404 Not Found"})
		return
	case g.developer:
		glJSON(w, http.StatusForbidden, map[string]string{"message": "403 Forbidden"})
		return
	}
	scope := r.URL.Query().Get("filter[environment_scope]")
	switch {
	case len(seg) == 4 && r.Method == http.MethodGet:
		g.calls["GET variable"]++
		if v, ok := g.find(owner, scope, seg[3]); ok {
			glJSON(w, http.StatusOK, v)
			return
		}
		glJSON(w, http.StatusNotFound, map[string]string{"message": "404 Variable Not Found"})
	case len(seg) == 3 && r.Method == http.MethodGet:
		g.calls["GET variables"]++
		list := []GitLabVar{}
		for k, v := range g.vars {
			if strings.HasPrefix(k, owner+"\x00") {
				list = append(list, v)
			}
		}
		glJSON(w, http.StatusOK, list)
	case len(seg) == 3 && r.Method == http.MethodPost:
		g.calls["POST variable"]++
		v := GitLabVar{VariableType: "env_var", EnvironmentScope: "*"}
		if !g.decode(w, r, &v) {
			return
		}
		if _, taken := g.vars[owner+"\x00"+v.EnvironmentScope+"\x00"+v.Key]; taken {
			glJSON(w, http.StatusBadRequest, map[string]any{"message": map[string][]string{"key": {"(" + v.Key + ") has already been taken"}}})
			return
		}
		g.store(w, owner, v, http.StatusCreated)
	case len(seg) == 4 && r.Method == http.MethodPut:
		g.calls["PUT variable"]++
		v, ok := g.find(owner, scope, seg[3])
		if !ok {
			glJSON(w, http.StatusNotFound, map[string]string{"message": "404 Variable Not Found"})
			return
		}
		if g.decode(w, r, &v) {
			g.store(w, owner, v, http.StatusOK)
		}
	default:
		glJSON(w, http.StatusNotFound, map[string]string{"error": "404 Not Found"})
	}
}

// find is a variable by key, in scope when a filter names one; without one GitLab takes the
// first it has (and 409 with several: not modelled).
func (g *GitLab) find(owner, scope, key string) (GitLabVar, bool) {
	if scope != "" {
		v, ok := g.vars[owner+"\x00"+scope+"\x00"+key]
		return v, ok
	}
	for k, v := range g.vars {
		if strings.HasPrefix(k, owner+"\x00") && v.Key == key {
			return v, true
		}
	}
	return GitLabVar{}, false
}

// decode reads a JSON body over v, as GitLab's documented attributes (key, value,
// variable_type, protected, masked, raw, environment_scope, description).
func (g *GitLab) decode(w http.ResponseWriter, r *http.Request, v *GitLabVar) bool {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || json.NewDecoder(r.Body).Decode(v) != nil {
		glJSON(w, http.StatusBadRequest, map[string]string{"error": "the body is not JSON"})
		return false
	}
	bad := map[string][]string{}
	if !glKey.MatchString(v.Key) {
		bad["key"] = []string{"can contain only letters, digits and '_'."}
	}
	if v.Masked && !glMasked.MatchString(v.Value) {
		bad["value"] = []string{"is invalid"}
	}
	if len(bad) > 0 {
		glJSON(w, http.StatusBadRequest, map[string]any{"message": bad})
		return false
	}
	return true
}

func (g *GitLab) store(w http.ResponseWriter, owner string, v GitLabVar, status int) {
	g.vars[owner+"\x00"+v.EnvironmentScope+"\x00"+v.Key] = v
	glJSON(w, status, v)
}
