package kube

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

func write(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// Two files as KUBECONFIG lists them: the first to name a context, cluster or user wins, and
// paths are relative to the file that holds them.
const first = `
current-context: dev
contexts:
- name: dev
  context: {cluster: dev, user: dev}
- name: prod
  context: {cluster: prod, user: exec}
clusters:
- name: dev
  cluster: {server: "https://dev:6443", certificate-authority: ca.pem}
users:
- name: dev
  user: {tokenFile: tok}
`

const second = `
current-context: prod
clusters:
- name: dev
  cluster: {server: "https://shadowed:6443"}
- name: prod
  cluster: {server: "https://prod:443", certificate-authority-data: ` + "%CA%" + `, tls-server-name: api.prod}
users:
- name: exec
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./bin/get-token
      args: [--cluster, prod]
      env: [{name: CLUSTER, value: prod}]
- name: certs
  user: {client-certificate-data: ` + "%CA%" + `, client-key-data: ` + "%CA%" + `}
`

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	ca64 := base64.StdEncoding.EncodeToString([]byte(pem))
	f1 := write(t, dir, "a/config", first)
	write(t, dir, "a/ca.pem", pem)
	f2 := write(t, dir, "b/config", strings.ReplaceAll(second, "%CA%", ca64))
	home := t.TempDir()
	write(t, home, ".kube/config", "current-context: home\ncontexts: [{name: home, context: {cluster: h}}]\nclusters: [{name: h, cluster: {server: 'https://home'}}]\n")
	sa := t.TempDir()
	write(t, sa, "token", "sa-token\n")
	write(t, sa, "ca.crt", pem)
	list := "KUBECONFIG=" + filepath.Join(dir, "missing") + string(os.PathListSeparator) + f1 + string(os.PathListSeparator) + f2

	for _, tc := range []struct {
		name    string
		env     []string
		context string
		check   func(c *Config) bool
	}{
		{"the first file's current context", []string{list}, "", func(c *Config) bool {
			return c.Source == f1 && c.Context == "dev" && c.Server == "https://dev:6443" && string(c.CAData) == pem &&
				c.TokenFile == filepath.Join(dir, "a/tok") && c.Exec == nil
		}},
		{"a context named in the destination, its user in the second file", []string{list}, "prod", func(c *Config) bool {
			return c.Server == "https://prod:443" && string(c.CAData) == pem && c.TLSServerName == "api.prod" && c.Exec != nil &&
				c.Exec.Command == filepath.Join(dir, "b/bin/get-token") && c.Exec.Env[0].Name == "CLUSTER" && c.Dir == filepath.Join(dir, "b")
		}},
		{"~/.kube/config without KUBECONFIG", []string{"HOME=" + home}, "", func(c *Config) bool {
			return c.Server == "https://home" && c.Context == "home"
		}},
		{"in a pod", []string{"HOME=" + t.TempDir(), "KUBERNETES_SERVICE_HOST=10.0.0.1", "KUBERNETES_SERVICE_PORT=443"}, "", func(c *Config) bool {
			return c.Source == "in-cluster" && c.Server == "https://10.0.0.1:443" && c.TokenFile == filepath.Join(sa, "token") && string(c.CAData) == pem
		}},
		{"a kubeconfig before the pod's account", []string{"HOME=" + home, "KUBERNETES_SERVICE_HOST=10.0.0.1", "KUBERNETES_SERVICE_PORT=443"}, "", func(c *Config) bool {
			return c.Server == "https://home"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(Options{Env: tc.env, Context: tc.context, ServiceAccountDir: sa})
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(c) {
				t.Fatalf("%+v", c)
			}
		})
	}
}

// A kubeconfig keywarden cannot use is one sentence, saying what to do, never the file's
// content.
func TestLoadRefusals(t *testing.T) {
	dir := t.TempDir()
	file := func(text string) string { return "KUBECONFIG=" + write(t, t.TempDir(), "config", text) }
	for _, tc := range []struct {
		name    string
		env     []string
		context string
		want    string
	}{
		{"nothing", []string{"HOME=" + dir}, "", "no kubeconfig: ~/.kube/config does not exist; set KUBECONFIG"},
		{"KUBECONFIG names nothing there", []string{"KUBECONFIG=" + filepath.Join(dir, "x")}, "", "no kubeconfig: no file KUBECONFIG names exists"},
		{"a pod without its account", []string{"HOME=" + dir, "KUBERNETES_SERVICE_HOST=h", "KUBERNETES_SERVICE_PORT=1"}, "", "its service account is not mounted at " + dir},
		{"a context in a pod", []string{"HOME=" + dir, "KUBERNETES_SERVICE_HOST=h", "KUBERNETES_SERVICE_PORT=1"}, "prod", "no kubeconfig at " + filepath.Join(dir, ".kube/config") + " has the context prod"},
		{"no current context", []string{file("clusters: []\n")}, "", "has no current-context; name one in the destination"},
		{"an unknown context", []string{file("current-context: x\n")}, "", "has no context x; pick one"},
		{"a cluster without a server", []string{file("current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n")}, "", `names the cluster "c", which has no server there`},
		{"a missing user", []string{file("current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: 'https://c'}}]\n")}, "", `names the user "u", which is not there`},
		{"an auth provider", []string{file("current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: 'https://c'}}]\nusers: [{name: u, user: {auth-provider: {name: gcp}}}]\n")}, "", "uses an auth-provider, which Kubernetes removed"},
		{"a certificate without its key", []string{file("current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: 'https://c'}}]\nusers: [{name: u, user: {client-certificate-data: " + base64.StdEncoding.EncodeToString([]byte(pem)) + "}}]\n")}, "", "a client certificate without its key"},
		{"a CA file not there", []string{file("current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\nclusters: [{name: c, cluster: {server: 'https://c', certificate-authority: nope.pem}}]\n")}, "", "cannot read its certificate-authority nope.pem"},
		{"not YAML", []string{file("current-context: x\nusers:\n  - token: sekrit\n bad")}, "", "is not valid YAML (line "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(Options{Env: tc.env, Context: tc.context, ServiceAccountDir: dir})
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "sekrit") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("got %v\nwant %s", err, tc.want)
			}
			if _, ok := err.(*ConfigError); !ok {
				t.Fatalf("%T, want a *ConfigError", err)
			}
		})
	}
}

// The exec plugin runs as under kubectl: the kubeconfig's args and variables, the request in
// KUBERNETES_EXEC_INFO, its token used.
func TestExecPlugin(t *testing.T) {
	dir := t.TempDir()
	plugin := write(t, dir, "get-token", `#!/bin/sh
printf '%s' "$KUBERNETES_EXEC_INFO" > info.json
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"tok-%s-%s"}}' "$CLUSTER" "$1"
`)
	c := &Config{Source: "kc", Server: "https://prod", Dir: dir, Exec: &ExecConfig{APIVersion: "client.authentication.k8s.io/v1",
		Command: plugin, Args: []string{"a1"}, Env: []struct{ Name, Value string }{{"CLUSTER", "prod"}}, ProvideClusterInfo: true}}
	cl, err := Connect(context.Background(), c, []string{"PATH=/usr/bin:/bin"})
	if err != nil {
		t.Fatal(err)
	}
	if cl.token != "tok-prod-a1" {
		t.Fatalf("token %q", cl.token)
	}
	info, _ := os.ReadFile(filepath.Join(dir, "info.json"))
	if !strings.Contains(string(info), `"interactive":false`) || !strings.Contains(string(info), `"server":"https://prod"`) {
		t.Fatalf("KUBERNETES_EXEC_INFO %s", info)
	}

	for _, tc := range []struct{ name, script, version, want string }{
		{"not found", "", "client.authentication.k8s.io/v1", "is not found; install it"},
		{"fails", "#!/bin/sh\necho 'error: expired SSO session' >&2\nexit 3\n", "client.authentication.k8s.io/v1", "failed (exit status 3): error: expired SSO session"},
		{"no credential", "#!/bin/sh\necho '{}'\n", "client.authentication.k8s.io/v1", "printed no ExecCredential"},
		{"an old protocol", "#!/bin/sh\n", "client.authentication.k8s.io/v1alpha1", `speaks "client.authentication.k8s.io/v1alpha1"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := filepath.Join(dir, "nope")
			if tc.script != "" {
				cmd = write(t, t.TempDir(), "plugin", tc.script)
			}
			_, err := Connect(context.Background(), &Config{Source: "kc", Server: "https://x", Exec: &ExecConfig{APIVersion: tc.version, Command: cmd}}, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("got %v\nwant %s", err, tc.want)
			}
		})
	}
}
