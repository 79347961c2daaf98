package sink

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/nacl/box"

	"github.com/keywarden/keywarden/internal/sink/kind"
)

var _ = builder(kind.GitHub, func(rest string, e Env) (Sink, error) {
	t, _ := kind.GitHubTarget(rest)
	owner, repo, _ := strings.Cut(t.Where, "/")
	return newGitHub(&GitHub{Owner: owner, Repo: repo, Environment: t.Opts["env"]}, t, e), nil
})

// newGitHub completes d (github: or github-org:) with the names, the token and the API URL.
func newGitHub(d *GitHub, t kind.CI, e Env) *GitHub {
	d.KeyIDName, d.SecretName = t.IDName, t.SecretName
	d.API, d.HTTP = "https://api.github.com", e.HTTP
	for _, kv := range e.ExecEnv {
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case k == "GITHUB_API_URL" && v != "":
			d.API = strings.TrimSuffix(v, "/")
		case k == "GH_TOKEN" && v != "", k == "GITHUB_TOKEN" && v != "" && d.Token == "":
			d.Token = v
		}
	}
	if t.TokenRef != "" {
		d.Token, d.ref = "", &ciToken{t.TokenRef, e}
	}
	return d
}

// GitHub writes the key as two Actions secrets of a repository, of one of its environments, or
// of an organization (github-org:): each value a libsodium sealed box to the public key GitHub publishes for
// them, as GitHub's REST API asks. GitHub gives back a secret's metadata, never its value, so
// delivery is verified by the update time and nothing can be recovered from it.
type GitHub struct {
	Owner, Repo, Environment string
	Org, Visibility          string // github-org:ORG instead of a repository
	KeyIDName, SecretName    string // the secrets' names: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY unless names=
	API                      string // https://api.github.com, or GITHUB_API_URL (GitHub Enterprise Server)
	Token                    string // GH_TOKEN, else GITHUB_TOKEN, or read through ref
	HTTP                     *http.Client

	ref *ciToken // :token=, read when first needed
	key *ghKey   // the secrets' public key as Check read it, for Deliver
}

// ghKey is the public key GitHub publishes for a scope's secrets, and its id.
type ghKey struct {
	id  string
	pub *[32]byte
}

// The secrets' default names: what the AWS SDKs and CLI read from the environment of a workflow step.
const (
	GitHubKeyIDName  = kind.DefaultIDName
	GitHubSecretName = kind.DefaultSecretName
)

func (d *GitHub) String() string {
	var s string
	switch {
	case d.Org != "":
		s = "github-org:" + d.Org
		if d.Visibility != "private" { // GitHubOrgTarget's default
			s += ":visibility=" + d.Visibility
		}
	case d.Environment != "":
		s = "github:" + d.Owner + "/" + d.Repo + ":env=" + d.Environment
	default:
		s = "github:" + d.Owner + "/" + d.Repo
	}
	s += namesOption(d.KeyIDName, d.SecretName)
	if d.ref != nil {
		s += ":token=" + d.ref.ref
	}
	return s
}

// namesOption is ":names=ID,SECRET" when the names are not the defaults.
func namesOption(id, secret string) string {
	if id == kind.DefaultIDName && secret == kind.DefaultSecretName || id == "" {
		return ""
	}
	return ":names=" + id + "," + secret
}

// where names what the token must reach, for refusals: a repository or an organization.
func (d *GitHub) where() string {
	if d.Org != "" {
		return "organization " + d.Org
	}
	return d.Owner + "/" + d.Repo
}

func (d *GitHub) Stage(context.Context, Secret) (bool, error)           { return false, nil }
func (d *GitHub) CanRecover() bool                                      { return false }
func (d *GitHub) Recover(context.Context, string) (Secret, bool, error) { return Secret{}, false, nil }
func (d *GitHub) Actions() []string                                     { return nil } // none in AWS

// Check reads the secrets' public key before a key is made: a missing token, a bad one, a
// repository or environment the token cannot see, and a spent rate limit are refused then.
func (d *GitHub) Check(ctx context.Context) error {
	if err := d.ref.fill(ctx, &d.Token, d.String()); err != nil {
		return err
	}
	if d.Token == "" {
		return &InvalidError{Msg: fmt.Sprintf("%s: no GitHub token; set GH_TOKEN or GITHUB_TOKEN to a token with Secrets read and write on %s", d, d.where())}
	}
	key, err := d.publicKey(ctx)
	d.key = key
	return err
}

// Deliver seals each value to the public key Check read, so a run reads it once; GitHub may
// replace that key at any time, so a write it refuses as unprocessable (422) with the kept key
// reads the key again and writes once more.
func (d *GitHub) Deliver(ctx context.Context, s Secret) error {
	if err := d.ref.fill(ctx, &d.Token, d.String()); err != nil {
		return err
	}
	fresh := d.key == nil
	if fresh {
		key, err := d.publicKey(ctx)
		if err != nil {
			return err
		}
		d.key = key
	}
	for _, v := range []struct{ name, value string }{{d.KeyIDName, s.AccessKeyID}, {d.SecretName, s.SecretAccessKey}} {
		resp, err := d.put(ctx, v.name, v.value)
		if err != nil && resp.status == http.StatusUnprocessableEntity && !fresh {
			key, kerr := d.publicKey(ctx)
			if kerr != nil {
				return kerr
			}
			d.key, fresh = key, true
			resp, err = d.put(ctx, v.name, v.value)
		}
		if err != nil {
			return err
		}
		// GitHub's clock, not ours, says when the write happened: the metadata must not be older.
		sent, _ := http.ParseTime(resp.Header.Get("Date"))
		var meta struct {
			UpdatedAt time.Time `json:"updated_at"`
		}
		if err := d.get(ctx, d.secretsPath()+"/"+v.name, "read the secret "+v.name+" back", &meta); err != nil {
			return err
		}
		if meta.UpdatedAt.Before(sent.Add(-time.Second)) {
			return &Error{d.String(), "verify the secret " + v.name, fmt.Errorf("GitHub shows it updated at %s, before the write at %s", meta.UpdatedAt.Format(time.RFC3339), sent.Format(time.RFC3339))}
		}
	}
	return nil
}

// put writes one secret sealed to d.key.
func (d *GitHub) put(ctx context.Context, name, value string) (ghResponse, error) {
	sealed, err := box.SealAnonymous(nil, []byte(value), d.key.pub, rand.Reader)
	if err != nil {
		return ghResponse{}, &Error{d.String(), "seal " + name, err}
	}
	in := map[string]string{"encrypted_value": base64.StdEncoding.EncodeToString(sealed), "key_id": d.key.id}
	if d.Org != "" {
		in["visibility"] = d.Visibility // selected keeps the repositories already selected
	}
	body, _ := json.Marshal(in)
	return d.call(ctx, http.MethodPut, d.secretsPath()+"/"+name, body, "write the secret "+name)
}

func (d *GitHub) secretsPath() string {
	if d.Org != "" {
		return "/orgs/" + url.PathEscape(d.Org) + "/actions/secrets"
	}
	p := "/repos/" + url.PathEscape(d.Owner) + "/" + url.PathEscape(d.Repo)
	if d.Environment != "" {
		return p + "/environments/" + url.PathEscape(d.Environment) + "/secrets"
	}
	return p + "/actions/secrets"
}

func (d *GitHub) publicKey(ctx context.Context) (*ghKey, error) {
	path := d.secretsPath() + "/public-key"
	var pk struct {
		KeyID string `json:"key_id"`
		Key   string `json:"key"`
	}
	if err := d.get(ctx, path, "read the secrets' public key", &pk); err != nil {
		return nil, err
	}
	raw, err := base64.StdEncoding.DecodeString(pk.Key)
	if err != nil || len(raw) != 32 || pk.KeyID == "" {
		return nil, &Error{d.String(), "read the secrets' public key", fmt.Errorf("GitHub sent a key that is not 32 bytes of base64")}
	}
	return &ghKey{pk.KeyID, (*[32]byte)(raw)}, nil
}

func (d *GitHub) get(ctx context.Context, path, what string, into any) error {
	resp, err := d.call(ctx, http.MethodGet, path, nil, what)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(resp.body, into); err != nil {
		return &Error{d.String(), what, fmt.Errorf("GitHub's answer is not the JSON documented: %w", err)}
	}
	return nil
}

type ghResponse struct {
	status int // also on a refusal, 0 when no answer came
	Header http.Header
	body   []byte
}

func (d *GitHub) call(ctx context.Context, method, path string, body []byte, what string) (ghResponse, error) {
	resp, b, err := ciCall(ctx, d.HTTP, method, d.API+path, body, http.Header{
		"Accept":               {"application/vnd.github+json"},
		"Authorization":        {"Bearer " + d.Token},
		"X-Github-Api-Version": {"2022-11-28"},
	})
	if err != nil {
		return ghResponse{}, &Error{d.String(), what, err}
	}
	if resp.StatusCode/100 != 2 {
		return ghResponse{status: resp.StatusCode}, d.refusal(resp, what)
	}
	return ghResponse{resp.StatusCode, resp.Header, b}, nil
}

// refusal is GitHub's refusal as one sentence: what is wrong and what to do.
func (d *GitHub) refusal(resp *http.Response, what string) error {
	switch {
	case (resp.StatusCode == 403 || resp.StatusCode == 429) && resp.Header.Get("X-RateLimit-Remaining") == "0":
		until := "its reset"
		if n, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			until = time.Unix(n, 0).UTC().Format("15:04:05 UTC")
		}
		return &Error{d.String(), what, fmt.Errorf("GitHub's API rate limit for this token is spent until %s; run again after it", until)}
	case (resp.StatusCode == 403 || resp.StatusCode == 429) && resp.Header.Get("Retry-After") != "":
		return &Error{d.String(), what, fmt.Errorf("GitHub's secondary rate limit asks to wait %s seconds; run again after that", resp.Header.Get("Retry-After"))}
	case resp.StatusCode == 401:
		return &InvalidError{Msg: fmt.Sprintf("%s: GitHub refused the token (401); set GH_TOKEN or GITHUB_TOKEN to a valid token", d)}
	case resp.StatusCode == 403:
		if d.Org != "" {
			return &RefusedError{Msg: fmt.Sprintf("%s: the token may not %s (403); give it the organization permission Secrets read and write on %s (a classic token: the admin:org scope)", d, what, d.Org)}
		}
		return &RefusedError{Msg: fmt.Sprintf("%s: the token may not %s (403); give it Secrets read and write on %s (a classic token: the repo scope)", d, what, d.where())}
	case resp.StatusCode == 404:
		where := "repository " + d.where()
		switch {
		case d.Org != "":
			where = d.where()
		case d.Environment != "":
			where = "environment " + d.Environment + " of " + where
		}
		return &InvalidError{Msg: fmt.Sprintf("%s: the %s does not exist or the token cannot see it (404); check the name and what the token may reach", d, where)}
	}
	return &Error{d.String(), what, fmt.Errorf("GitHub answered %s", resp.Status)}
}
