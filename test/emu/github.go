package emu

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/nacl/box"
)

// GitHub is a stateful stand-in for GitHub's REST API for Actions secrets, as documented at
// docs.github.com/rest/actions/secrets (repository secrets: GET …/actions/secrets/public-key,
// PUT and GET …/actions/secrets/{name}; environment secrets the same under
// …/environments/{env}/secrets; organization secrets at /orgs/{org}/actions/secrets/…, whose
// PUT also carries visibility: all, private or selected). It publishes a Curve25519 public key and opens every sealed
// box with the private key, so what keywarden sent is checked with real cryptography, and it
// answers GitHub's errors (401, 403, 404, rate limits) as GitHub does. Every request and every
// answer is held to GitHub's published OpenAPI description (githubspec.go); a mismatch is
// reported, with StartGitHub as an error of the test. It serves GitHub Enterprise Server's
// layout too (the API under /api/v3, as gh reaches a GHES host).
type GitHub struct {
	URL   string
	Token string // the token it accepts; any other is 401

	mu       sync.Mutex
	keyID    string
	pub      *[32]byte
	priv     *[32]byte
	repos    map[string]bool // "owner/repo", "owner/repo:env", and "org" for an organization
	secrets  map[string]ghSecret
	readOnly bool
	next     []func(http.ResponseWriter) // answers for the next requests instead of serving them
	calls    map[string]int              // "GET public-key", "PUT secret", "GET secret"
	spec     *ghSpec
	report   func(format string, args ...any)
}

type ghSecret struct {
	value      string // opened
	updated    time.Time
	visibility string // an organization's secret's
}

// StartGitHub serves GitHub's secrets API for the repositories named ("owner/repo", or
// "owner/repo:env" for an environment, or "org" for an organization), stopped at cleanup. A
// request or answer that GitHub's OpenAPI description does not allow fails t.
func StartGitHub(t testing.TB, repos ...string) *GitHub {
	g, err := NewGitHub(t.Errorf, repos...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	g.URL = srv.URL
	return g
}

// NewGitHub is StartGitHub's stand-in without a server, for a program that serves it itself:
// each mismatch with GitHub's OpenAPI description is given to report as one line.
func NewGitHub(report func(format string, args ...any), repos ...string) (*GitHub, error) {
	spec, err := loadGHSpec()
	if err != nil {
		return nil, err
	}
	pub, priv, err := box.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	g := &GitHub{Token: "ghp_test", keyID: "568250167242549743", pub: pub, priv: priv, repos: map[string]bool{}, secrets: map[string]ghSecret{},
		calls: map[string]int{}, spec: spec, report: report}
	for _, r := range repos {
		g.repos[r] = true
	}
	return g, nil
}

// ServeHTTP serves one request, then holds it and the answer to GitHub's description before the
// answer leaves, so a mismatch is reported while the test that caused it still runs.
func (g *GitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p, ok := strings.CutPrefix(r.URL.Path, "/api/v3/"); ok {
		r.URL.Path, r.URL.RawPath = "/"+p, ""
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		ghError(w, http.StatusBadRequest, "Problems parsing JSON")
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	g.serve(rec, r)
	for _, p := range g.spec.check(&ghExchange{req: r, reqBody: body, status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}) {
		g.report("%s", p)
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// Secret is the opened value of a secret ("" env for the repository's own), if it was set.
func (g *GitHub) Secret(repo, env, name string) (string, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	s, ok := g.secrets[ghScope(repo, env)+"/"+name]
	return s.value, ok
}

// Visibility is an organization secret's visibility, "" when it was not set.
func (g *GitHub) Visibility(org, name string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.secrets[org+"/"+name].visibility
}

// Calls counts the requests served by kind ("GET public-key", "PUT secret", "GET secret").
func (g *GitHub) Calls(kind string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.calls[kind]
}

// RotateKey replaces the published public key, as GitHub may at any time: a value sealed to the
// old one is refused (422) from then on.
func (g *GitHub) RotateKey(t testing.TB) {
	pub, priv, err := box.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.keyID += "1"
	g.pub, g.priv = pub, priv
}

// ReadOnly makes writes refused with 403, as for a token without Secrets write.
func (g *GitHub) ReadOnly() { g.mu.Lock(); g.readOnly = true; g.mu.Unlock() }

// RateLimited makes the next request answered as GitHub does when the token's primary rate
// limit is spent until reset.
func (g *GitHub) RateLimited(reset time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.next = append(g.next, func(w http.ResponseWriter) {
		w.Header().Set("X-RateLimit-Limit", "5000")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		ghError(w, http.StatusForbidden, "API rate limit exceeded for user ID 1.")
	})
}

func ghScope(repo, env string) string {
	if env == "" {
		return repo
	}
	return repo + ":" + env
}

func ghError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"message": msg, "documentation_url": "https://docs.github.com/rest"})
}

func (g *GitHub) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.next) > 0 {
		answer := g.next[0]
		g.next = g.next[1:]
		answer(w)
		return
	}
	// GitHub takes a token under either scheme: keywarden sends Bearer, gh sends token.
	if auth := r.Header.Get("Authorization"); auth != "Bearer "+g.Token && auth != "token "+g.Token {
		ghError(w, http.StatusUnauthorized, "Bad credentials")
		return
	}
	// /repos/OWNER/REPO/actions/secrets/…, /repos/OWNER/REPO/environments/ENV/secrets/… or
	// /orgs/ORG/actions/secrets/…
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/repos/"), "/")
	org := strings.HasPrefix(r.URL.Path, "/orgs/")
	var scope, name string
	switch {
	case org:
		if parts = strings.Split(strings.TrimPrefix(r.URL.Path, "/orgs/"), "/"); len(parts) == 4 && parts[1] == "actions" && parts[2] == "secrets" && !strings.Contains(parts[0], "/") {
			scope, name = parts[0], parts[3]
		}
	case len(parts) == 5 && parts[2] == "actions" && parts[3] == "secrets":
		scope, name = parts[0]+"/"+parts[1], parts[4]
	case len(parts) == 6 && parts[2] == "environments" && parts[4] == "secrets":
		scope, name = parts[0]+"/"+parts[1]+":"+parts[3], parts[5]
	default:
		ghError(w, http.StatusNotFound, "Not Found")
		return
	}
	if !g.repos[scope] || org && strings.Contains(scope, "/") {
		ghError(w, http.StatusNotFound, "Not Found")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	switch {
	case r.Method == http.MethodGet && name == "public-key":
		g.calls["GET public-key"]++
		json.NewEncoder(w).Encode(map[string]string{"key_id": g.keyID, "key": base64.StdEncoding.EncodeToString(g.pub[:])})
	case r.Method == http.MethodGet:
		g.calls["GET secret"]++
		s, ok := g.secrets[scope+"/"+name]
		if !ok {
			ghError(w, http.StatusNotFound, "Not Found")
			return
		}
		stamp := s.updated.UTC().Format(time.RFC3339)
		meta := map[string]string{"name": name, "created_at": stamp, "updated_at": stamp}
		if org {
			meta["visibility"] = s.visibility
		}
		json.NewEncoder(w).Encode(meta)
	case r.Method == http.MethodPut:
		g.calls["PUT secret"]++
		if g.readOnly {
			ghError(w, http.StatusForbidden, "Resource not accessible by personal access token")
			return
		}
		var in struct {
			EncryptedValue string `json:"encrypted_value"`
			KeyID          string `json:"key_id"`
			Visibility     string `json:"visibility"`
		}
		sealed, err := []byte(nil), json.NewDecoder(r.Body).Decode(&in)
		if err == nil {
			sealed, err = base64.StdEncoding.DecodeString(in.EncryptedValue)
		}
		opened, ok := box.OpenAnonymous(nil, sealed, g.pub, g.priv)
		if err != nil || !ok || in.KeyID != g.keyID {
			ghError(w, http.StatusUnprocessableEntity, "Invalid request: the value is not a sealed box to the published key.")
			return
		}
		if org && in.Visibility != "all" && in.Visibility != "private" && in.Visibility != "selected" {
			ghError(w, http.StatusUnprocessableEntity, "Invalid request: visibility is required, one of all, private, selected.")
			return
		}
		_, existed := g.secrets[scope+"/"+name]
		g.secrets[scope+"/"+name] = ghSecret{string(opened), time.Now(), in.Visibility}
		if existed {
			w.WriteHeader(http.StatusNoContent)
		} else {
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, "{}") // GitHub's empty-object: the description has a body for 201
		}
	default:
		ghError(w, http.StatusNotFound, "Not Found")
	}
}
