package emu

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// reportTB is the test StartGitHub is given: what it reports is kept instead of failing the
// test, so a test can see the mismatches the stand-in finds.
type reportTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *reportTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// A request or an answer that GitHub's OpenAPI description does not allow is reported as one
// line naming the operation and what is wrong; what GitHub allows is not.
func TestGitHubChecksAgainstItsOpenAPIDescription(t *testing.T) {
	const pk = "/repos/acme/deploy/actions/secrets/public-key"
	const secret = "/repos/acme/deploy/actions/secrets/AWS_ACCESS_KEY_ID"
	for _, tc := range []struct {
		name         string
		method, path string
		body         string
		auth         string                    // the Authorization header: "Bearer TOKEN" unless set
		answer       func(http.ResponseWriter) // the stand-in made to answer this instead
		status       int
		want         string // "" for no mismatch
	}{
		{name: "public key", method: "GET", path: pk, status: 200},
		{name: "GitHub Enterprise Server's layout", method: "GET", path: "/api/v3" + pk, status: 200},
		{name: "the token scheme, as gh sends it", method: "GET", path: pk, auth: "token ghp_test", status: 200},
		{name: "a token it does not know is GitHub's 401", method: "GET", path: pk, auth: "token other", status: 401},
		{name: "a secret not set is GitHub's 404", method: "GET", path: secret, status: 404},
		{name: "a PUT without key_id", method: "PUT", path: secret, body: `{"encrypted_value":"c2VjcmV0"}`, status: 422,
			want: `PUT ` + secret + ` (actions/create-or-update-repo-secret): request: at /key_id: property "key_id" is missing`},
		{name: "a value that is not base64", method: "PUT", path: secret, body: `{"encrypted_value":"not base64!","key_id":"1"}`, status: 422,
			want: `(actions/create-or-update-repo-secret): request: at /encrypted_value: string doesn't match the regular expression`},
		{name: "an organization secret without visibility", method: "PUT", path: "/orgs/acme/actions/secrets/X", body: `{"encrypted_value":"c2VjcmV0","key_id":"1"}`, status: 404,
			want: `(actions/create-or-update-org-secret): request: at /visibility: property "visibility" is missing`},
		{name: "an operation GitHub does not have", method: "GET", path: "/repos/acme/deploy/actions/variables/X", status: 404,
			want: `GET /repos/acme/deploy/actions/variables/X: no such operation in GitHub's description`},
		{name: "a public key without key_id", method: "GET", path: pk, status: 200,
			answer: func(w http.ResponseWriter) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"key":"hBT5WZEj8ZoOv6TYJsfWq7MxTEQopZO5/IT3ZCVQPzs="}`)
			},
			want: `GET ` + pk + ` (actions/get-repo-public-key): 200 answer: at /key_id: property "key_id" is missing`},
		{name: "metadata with a time that is not RFC 3339", method: "GET", path: secret, status: 200,
			answer: func(w http.ResponseWriter) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"name":"AWS_ACCESS_KEY_ID","created_at":"yesterday","updated_at":"2026-01-02T03:04:05Z"}`)
			},
			want: `(actions/get-repo-secret): 200 answer: at /created_at: string doesn't match the format "date-time"`},
		{name: "an error that is not GitHub's JSON", method: "GET", path: pk, status: 403,
			answer: func(w http.ResponseWriter) { http.Error(w, "forbidden", http.StatusForbidden) },
			want:   `(actions/get-repo-public-key): 403 answer: Content-Type "text/plain; charset=utf-8", not GitHub's application/json`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &reportTB{TB: t}
			gh := StartGitHub(rec, "acme/deploy")
			if tc.answer != nil {
				gh.mu.Lock()
				gh.next = append(gh.next, tc.answer)
				gh.mu.Unlock()
			}
			req, _ := http.NewRequest(tc.method, gh.URL+tc.path, strings.NewReader(tc.body))
			req.Header.Set("Authorization", "Bearer "+gh.Token)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("answered %d, want %d", resp.StatusCode, tc.status)
			}
			rec.mu.Lock()
			defer rec.mu.Unlock()
			switch {
			case tc.want == "" && len(rec.errs) != 0:
				t.Fatalf("reported %q", rec.errs)
			case tc.want != "" && (len(rec.errs) != 1 || !strings.Contains(rec.errs[0], tc.want) || strings.Contains(rec.errs[0], "\n")):
				t.Fatalf("reported %q\nwant one line with %s", rec.errs, tc.want)
			}
		})
	}
}
