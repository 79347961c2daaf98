package emu

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Kube is a stateful stand-in for the parts of a Kubernetes API server the k8s: destination
// uses, over real HTTPS: Secrets (GET, POST, PUT in /api/v1/namespaces/NS/secrets) and
// Deployments (GET, strategic-merge PATCH in /apis/apps/v1/namespaces/NS/deployments), with
// the server's own semantics: a resourceVersion that grows with every write, 409 Conflict for
// an update from a stale resourceVersion, 409 AlreadyExists for a create of what exists, 404
// for a create in a namespace that does not exist, dryRun=All checked but not kept, bearer
// tokens (401 for another) and per-verb RBAC (403), every refusal a metav1.Status. It is
// stricter than the API server in one way: an update without a resourceVersion is refused,
// since keywarden must always send one.
type Kube struct {
	URL    string
	CAData []byte // the cluster's CA, PEM, as a kubeconfig's certificate-authority-data
	Token  string // the bearer token it accepts

	mu          sync.Mutex
	rv          int
	namespaces  map[string]bool
	objects     map[string]map[string]any // "secrets/NS/NAME", "deployments/NS/NAME"
	deny        map[string]bool           // "get secrets", "patch deployments", …
	racers      int                       // PUTs of a secret preceded by another writer's update
	calls       map[string]int            // "GET secrets", "PUT secrets", …
	contentType map[string]string         // the last Content-Type sent per "VERB resource"
	clientCA    *clientCA
}

// StartKube serves the API for the namespaces named, stopped at cleanup.
func StartKube(t testing.TB, namespaces ...string) *Kube {
	k := &Kube{Token: "kube-token-test", namespaces: map[string]bool{}, objects: map[string]map[string]any{},
		deny: map[string]bool{}, calls: map[string]int{}, contentType: map[string]string{}}
	for _, ns := range namespaces {
		k.namespaces[ns] = true
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(k.serve))
	k.clientCA = newClientCA(t)
	pool := x509.NewCertPool()
	pool.AddCert(k.clientCA.cert)
	srv.TLS = &tls.Config{ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: pool, Certificates: []tls.Certificate{k.clientCA.serving(t)}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	k.URL = srv.URL
	k.CAData = k.clientCA.pem()
	return k
}

// ClientCert is a client certificate and key (PEM) the server accepts instead of the token.
func (k *Kube) ClientCert(t testing.TB) (certPEM, keyPEM []byte) {
	return k.clientCA.issue(t, "keywarden")
}

// Kubeconfig writes a kubeconfig whose context (its current one) reaches this server with the
// token, and returns its path.
func (k *Kube) Kubeconfig(t testing.TB, context string) string {
	t.Helper()
	ca, _ := json.Marshal(k.CAData) // JSON is YAML; []byte marshals as base64
	text := fmt.Sprintf(`apiVersion: v1
kind: Config
current-context: %[1]s
contexts:
- name: %[1]s
  context: {cluster: emu, user: keywarden, namespace: default}
clusters:
- name: emu
  cluster: {server: %[2]q, certificate-authority-data: %[3]s}
users:
- name: keywarden
  user: {token: %[4]q}
`, context, k.URL, ca, k.Token)
	p := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Deny makes the token's requests of verb on resource ("update", "secrets") forbidden.
func (k *Kube) Deny(verb, resource string) {
	k.mu.Lock()
	k.deny[verb+" "+resource] = true
	k.mu.Unlock()
}

// Race makes another writer update the secret before each of the next n updates of a
// secret, so each of them comes with a resourceVersion that is no longer current.
func (k *Kube) Race(n int) { k.mu.Lock(); k.racers = n; k.mu.Unlock() }

// Calls counts the requests served by "VERB resource" ("PUT secrets"; dry runs as "dry PUT secrets").
func (k *Kube) Calls(what string) int { k.mu.Lock(); defer k.mu.Unlock(); return k.calls[what] }

// ContentType is the Content-Type of the last "VERB resource" request.
func (k *Kube) ContentType(what string) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.contentType[what]
}

// AddDeployment creates a deployment with an empty pod template.
func (k *Kube) AddDeployment(ns, name string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.rv++
	k.objects["deployments/"+ns+"/"+name] = map[string]any{"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": name, "namespace": ns, "resourceVersion": strconv.Itoa(k.rv), "generation": 1.0},
		"spec":     map[string]any{"replicas": 1.0, "template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": name}}}}}
}

// PutSecret stores a secret as another writer would (string data, base64-encoded as stored).
func (k *Kube) PutSecret(ns, name string, annotations, data map[string]string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.rv++
	enc := map[string]any{}
	for key, v := range data {
		enc[key] = b64(v)
	}
	ann := map[string]any{}
	for key, v := range annotations {
		ann[key] = v
	}
	k.objects["secrets/"+ns+"/"+name] = map[string]any{"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "data": enc,
		"metadata": map[string]any{"name": name, "namespace": ns, "resourceVersion": strconv.Itoa(k.rv), "annotations": ann}}
}

// Secret is a secret's decoded data and its resourceVersion, if it exists.
func (k *Kube) Secret(ns, name string) (data map[string]string, rv string, ok bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	o, ok := k.objects["secrets/"+ns+"/"+name]
	if !ok {
		return nil, "", false
	}
	data = map[string]string{}
	d, _ := o["data"].(map[string]any)
	for key, v := range d {
		s, _ := v.(string)
		data[key] = unb64(s)
	}
	return data, meta(o)["resourceVersion"].(string), true
}

// Object is a copy of a stored object ("deployments/NS/NAME"), as JSON would carry it.
func (k *Kube) Object(key string) map[string]any {
	k.mu.Lock()
	defer k.mu.Unlock()
	o, ok := k.objects[key]
	if !ok {
		return nil
	}
	var c map[string]any
	b, _ := json.Marshal(o)
	json.Unmarshal(b, &c)
	return c
}

func (k *Kube) serve(w http.ResponseWriter, r *http.Request) {
	k.mu.Lock()
	defer k.mu.Unlock()
	// A client certificate the server's CA signed authenticates as well as the token.
	if r.Header.Get("Authorization") != "Bearer "+k.Token && (r.TLS == nil || len(r.TLS.VerifiedChains) == 0) {
		status(w, 401, "Unauthorized", "Unauthorized", "", "")
		return
	}
	// /api/v1/namespaces/NS/secrets[/NAME] or /apis/apps/v1/namespaces/NS/deployments/NAME
	path := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/api/v1/"), "/apis/apps/v1/")
	parts := strings.Split(path, "/")
	if len(parts) < 3 || parts[0] != "namespaces" || (parts[2] != "secrets" && parts[2] != "deployments") || len(parts) > 4 {
		status(w, 404, "NotFound", "the server could not find the requested resource", "", "")
		return
	}
	ns, resource, name := parts[1], parts[2], ""
	if len(parts) == 4 {
		name = parts[3]
	}
	dry := r.URL.Query().Get("dryRun") == "All"
	verb := map[string]string{"GET": "get", "POST": "create", "PUT": "update", "PATCH": "patch"}[r.Method]
	what := r.Method + " " + resource
	k.contentType[what] = r.Header.Get("Content-Type")
	if dry {
		what = "dry " + what
	}
	k.calls[what]++
	served := map[string]bool{"get secrets": name != "", "create secrets": name == "", "update secrets": name != "",
		"get deployments": name != "", "patch deployments": name != ""}
	if !served[verb+" "+resource] {
		status(w, 405, "MethodNotAllowed", "the server does not allow this method on the requested resource", "", "")
		return
	}
	if k.deny[verb+" "+resource] {
		group := `""`
		if resource == "deployments" {
			group = `"apps"`
		}
		status(w, 403, "Forbidden", fmt.Sprintf(`%s %q is forbidden: User "system:serviceaccount:kw:keywarden" cannot %s resource %q in API group %s in the namespace %q`,
			resource, name, verb, resource, group, ns), resource, name)
		return
	}
	var body map[string]any
	if r.Body != nil && verb != "get" {
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &body); err != nil {
			status(w, 400, "BadRequest", "the body is not a JSON object", "", "")
			return
		}
	}
	key := resource + "/" + ns + "/" + name
	switch verb {
	case "get":
		o, ok := k.objects[key]
		if !ok {
			status(w, 404, "NotFound", fmt.Sprintf("%s %q not found", resource, name), resource, name)
			return
		}
		answer(w, 200, o)
	case "create":
		name, _ = meta(body)["name"].(string)
		key += name
		switch {
		case !k.namespaces[ns]:
			status(w, 404, "NotFound", fmt.Sprintf("namespaces %q not found", ns), "namespaces", ns)
		case k.objects[key] != nil:
			status(w, 409, "AlreadyExists", fmt.Sprintf("%s %q already exists", resource, name), resource, name)
		case name == "":
			status(w, 422, "Invalid", "metadata.name: Required value", resource, "")
		default:
			k.store(w, key, body, ns, dry, 201)
		}
	case "update":
		if k.racers > 0 && k.objects[key] != nil {
			k.racers--
			k.rv++
			other := k.objects[key]
			meta(other)["resourceVersion"] = strconv.Itoa(k.rv)
			ann, _ := meta(other)["annotations"].(map[string]any)
			if ann == nil {
				ann = map[string]any{}
				meta(other)["annotations"] = ann
			}
			ann["other-writer"] = strconv.Itoa(k.rv)
		}
		o := k.objects[key]
		got, _ := meta(body)["resourceVersion"].(string)
		switch {
		case o == nil:
			status(w, 404, "NotFound", fmt.Sprintf("%s %q not found", resource, name), resource, name)
		case meta(body)["name"] != name:
			status(w, 400, "BadRequest", "the name of the object does not match the name on the URL", resource, name)
		case got == "":
			status(w, 422, "Invalid", "metadata.resourceVersion: Required value: keywarden must update conditionally", resource, name)
		case got != meta(o)["resourceVersion"]:
			status(w, 409, "Conflict", fmt.Sprintf("Operation cannot be fulfilled on %s %q: the object has been modified; please apply your changes to the latest version and try again", resource, name), resource, name)
		default:
			k.store(w, key, body, ns, dry, 200)
		}
	case "patch":
		o := k.objects[key]
		switch {
		case r.Header.Get("Content-Type") != "application/strategic-merge-patch+json":
			status(w, 415, "UnsupportedMediaType", "the body of the request was in an unknown format", resource, name)
		case o == nil:
			status(w, 404, "NotFound", fmt.Sprintf("%s.apps %q not found", resource, name), resource, name)
		default:
			var c map[string]any
			b, _ := json.Marshal(o)
			json.Unmarshal(b, &c)
			merge(c, body)
			meta(c)["generation"] = meta(c)["generation"].(float64) + 1
			k.store(w, key, c, ns, dry, 200)
		}
	}
}

func (k *Kube) store(w http.ResponseWriter, key string, o map[string]any, ns string, dry bool, code int) {
	if !dry {
		k.rv++
		meta(o)["resourceVersion"] = strconv.Itoa(k.rv)
		meta(o)["namespace"] = ns
		k.objects[key] = o
	}
	answer(w, code, o)
}

// merge applies a strategic merge patch made only of maps: keys set, null removes.
func merge(dst, patch map[string]any) {
	for key, v := range patch {
		switch pv := v.(type) {
		case nil:
			delete(dst, key)
		case map[string]any:
			d, ok := dst[key].(map[string]any)
			if !ok {
				d = map[string]any{}
				dst[key] = d
			}
			merge(d, pv)
		default:
			dst[key] = v
		}
	}
}

func meta(o map[string]any) map[string]any {
	m, ok := o["metadata"].(map[string]any)
	if !ok {
		m = map[string]any{}
		if o != nil {
			o["metadata"] = m
		}
	}
	return m
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func unb64(s string) string {
	b, _ := base64.StdEncoding.DecodeString(s)
	return string(b)
}

func answer(w http.ResponseWriter, code int, o any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(o)
}

// status answers a metav1.Status, as the API server refuses.
func status(w http.ResponseWriter, code int, reason, msg, kind, name string) {
	s := map[string]any{"kind": "Status", "apiVersion": "v1", "metadata": map[string]any{}, "status": "Failure",
		"message": msg, "reason": reason, "code": code}
	if kind != "" {
		s["details"] = map[string]any{"name": name, "kind": kind}
	}
	answer(w, code, s)
}
