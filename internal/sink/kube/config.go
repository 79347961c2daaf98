// Package kube is the small Kubernetes API client the k8s: destination needs: where the
// cluster is and who keywarden is there (the kubeconfig chain as kubectl reads it, or a pod's
// service account), and JSON requests whose refusals come back as the API server's Status.
// It is not client-go: that would add ~20 MB and init work to every command for four calls
// (docs/service-rotation.md has the figure). It imports nothing of keywarden's.
package kube

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Config is where one cluster is and how to authenticate to it.
type Config struct {
	Source  string // the kubeconfig file that named the context, or "in-cluster"
	Context string // the context used ("" in-cluster)

	Server        string
	CAData        []byte // PEM; none is the system's roots
	Insecure      bool   // insecure-skip-tls-verify
	TLSServerName string

	Token              string
	TokenFile          string // read at each connection, as kubelet rotates it
	CertData, KeyData  []byte // PEM client certificate and key
	Username, Password string
	Exec               *ExecConfig
	Dir                string // the kubeconfig's directory, where the exec plugin runs
}

// ExecConfig is a kubeconfig user's credential plugin (client.authentication.k8s.io).
type ExecConfig struct {
	APIVersion         string   `yaml:"apiVersion"`
	Command            string   `yaml:"command"`
	Args               []string `yaml:"args"`
	Env                []struct{ Name, Value string }
	InstallHint        string `yaml:"installHint"`
	ProvideClusterInfo bool   `yaml:"provideClusterInfo"`
	InteractiveMode    string `yaml:"interactiveMode"`
}

// ConfigError is a kubeconfig that cannot be used, said in one sentence.
type ConfigError struct{ Msg string }

func (e *ConfigError) Error() string { return e.Msg }

// ServiceAccountDir is where a pod's service account is mounted.
const ServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"

// Options say where to look: env is the process environment (KUBECONFIG, HOME,
// KUBERNETES_SERVICE_HOST/PORT), Context the context to use ("" the current one).
type Options struct {
	Env               []string
	Context           string
	ServiceAccountDir string // "" is ServiceAccountDir
}

type kubeconfig struct {
	CurrentContext string `yaml:"current-context"`
	Clusters       []struct {
		Name    string
		Cluster struct {
			Server        string `yaml:"server"`
			CA            string `yaml:"certificate-authority"`
			CAData        string `yaml:"certificate-authority-data"`
			Insecure      bool   `yaml:"insecure-skip-tls-verify"`
			TLSServerName string `yaml:"tls-server-name"`
			ProxyURL      string `yaml:"proxy-url"`
		}
	}
	Contexts []struct {
		Name    string
		Context struct{ Cluster, User string }
	}
	Users []struct {
		Name string
		User struct {
			Token        string         `yaml:"token"`
			TokenFile    string         `yaml:"tokenFile"`
			Cert         string         `yaml:"client-certificate"`
			CertData     string         `yaml:"client-certificate-data"`
			Key          string         `yaml:"client-key"`
			KeyData      string         `yaml:"client-key-data"`
			Username     string         `yaml:"username"`
			Password     string         `yaml:"password"`
			Exec         *ExecConfig    `yaml:"exec"`
			AuthProvider map[string]any `yaml:"auth-provider"`
		}
	}
}

// Load finds the cluster as kubectl does: the files in KUBECONFIG (the first to define a
// name or the current context wins; files that do not exist are skipped), else ~/.kube/config,
// else, inside a pod, its service account.
func Load(o Options) (*Config, error) {
	files, named := kubeconfigFiles(o.Env)
	var merged []fileConfig
	for _, f := range files {
		b, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, &ConfigError{fmt.Sprintf("cannot read the kubeconfig %s: %v", f, errors.Unwrap(err))}
		}
		var kc kubeconfig
		if err := yaml.Unmarshal(b, &kc); err != nil {
			return nil, &ConfigError{fmt.Sprintf("the kubeconfig %s is not valid YAML (%s); fix it or point KUBECONFIG elsewhere", f, yamlLine(err))}
		}
		merged = append(merged, fileConfig{f, kc})
	}
	if len(merged) == 0 {
		if host, port := getenv(o.Env, "KUBERNETES_SERVICE_HOST"), getenv(o.Env, "KUBERNETES_SERVICE_PORT"); host != "" && port != "" && o.Context == "" {
			return inCluster(host, port, o.ServiceAccountDir)
		}
		if o.Context != "" && len(files) > 0 {
			return nil, &ConfigError{fmt.Sprintf("no kubeconfig at %s has the context %s; set KUBECONFIG to the file that does", strings.Join(files, ", "), o.Context)}
		}
		where := "~/.kube/config does not exist"
		if named {
			where = "no file KUBECONFIG names exists"
		}
		return nil, &ConfigError{"no kubeconfig: " + where + "; set KUBECONFIG (kubectl's own config works), or run keywarden in a pod with a service account"}
	}
	return resolve(merged, o.Context)
}

type fileConfig struct {
	path string
	kubeconfig
}

func kubeconfigFiles(env []string) (files []string, named bool) {
	if v := getenv(env, "KUBECONFIG"); v != "" {
		for _, f := range filepath.SplitList(v) {
			if f != "" {
				files = append(files, f)
			}
		}
		return files, true
	}
	if home := getenv(env, "HOME"); home != "" {
		return []string{filepath.Join(home, ".kube", "config")}, false
	}
	return nil, false
}

func resolve(files []fileConfig, context string) (*Config, error) {
	sources := make([]string, len(files))
	for i, f := range files {
		sources[i] = f.path
		if context == "" {
			context = f.CurrentContext
		}
	}
	if context == "" {
		return nil, &ConfigError{fmt.Sprintf("the kubeconfig %s has no current-context; name one in the destination (k8s:CONTEXT/NAMESPACE/NAME) or run kubectl config use-context", strings.Join(sources, ", "))}
	}
	c := &Config{Context: context}
	var clusterName, userName string
	for _, f := range files {
		for _, x := range f.Contexts {
			if x.Name == context && c.Source == "" {
				c.Source, clusterName, userName = f.path, x.Context.Cluster, x.Context.User
			}
		}
	}
	if c.Source == "" {
		return nil, &ConfigError{fmt.Sprintf("the kubeconfig %s has no context %s; pick one kubectl config get-contexts lists", strings.Join(sources, ", "), context)}
	}
	found := false
	for _, f := range files {
		for _, x := range f.Clusters {
			if x.Name != clusterName || found {
				continue
			}
			found, c.Server, c.Insecure, c.TLSServerName = true, x.Cluster.Server, x.Cluster.Insecure, x.Cluster.TLSServerName
			var err error
			if c.CAData, err = dataOrFile(x.Cluster.CAData, x.Cluster.CA, f.path, "certificate-authority"); err != nil {
				return nil, err
			}
			if x.Cluster.ProxyURL != "" {
				return nil, &ConfigError{fmt.Sprintf("the kubeconfig %s: cluster %s has a proxy-url, which keywarden does not use; set HTTPS_PROXY instead", f.path, clusterName)}
			}
		}
	}
	if !found || c.Server == "" {
		return nil, &ConfigError{fmt.Sprintf("the kubeconfig %s: context %s names the cluster %q, which has no server there; fix the kubeconfig", c.Source, context, clusterName)}
	}
	found = false
	for _, f := range files {
		for _, x := range f.Users {
			if x.Name != userName || found {
				continue
			}
			found = true
			u, dir := x.User, filepath.Dir(f.path)
			if len(u.AuthProvider) > 0 {
				return nil, &ConfigError{fmt.Sprintf("the kubeconfig %s: user %s uses an auth-provider, which Kubernetes removed; switch it to an exec plugin (kubelogin, gke-gcloud-auth-plugin)", f.path, userName)}
			}
			c.Token, c.TokenFile, c.Username, c.Password, c.Exec, c.Dir = u.Token, abs(dir, u.TokenFile), u.Username, u.Password, u.Exec, dir
			var err error
			if c.CertData, err = dataOrFile(u.CertData, u.Cert, f.path, "client-certificate"); err != nil {
				return nil, err
			}
			if c.KeyData, err = dataOrFile(u.KeyData, u.Key, f.path, "client-key"); err != nil {
				return nil, err
			}
			if (c.CertData == nil) != (c.KeyData == nil) {
				return nil, &ConfigError{fmt.Sprintf("the kubeconfig %s: user %s has a client certificate without its key or a key without its certificate; give both", f.path, userName)}
			}
			if c.Exec != nil && strings.ContainsRune(c.Exec.Command, filepath.Separator) {
				c.Exec.Command = abs(dir, c.Exec.Command)
			}
		}
	}
	if !found && userName != "" {
		return nil, &ConfigError{fmt.Sprintf("the kubeconfig %s: context %s names the user %q, which is not there; fix the kubeconfig", c.Source, context, userName)}
	}
	return c, nil
}

// dataOrFile is the PEM a kubeconfig gives inline (base64) or as a file relative to it.
func dataOrFile(data, file, kubeconfigPath, field string) ([]byte, error) {
	if data != "" {
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(data))
		if err != nil {
			return nil, &ConfigError{fmt.Sprintf("the kubeconfig %s: %s-data is not base64; fix it", kubeconfigPath, field)}
		}
		return b, nil
	}
	if file == "" {
		return nil, nil
	}
	b, err := os.ReadFile(abs(filepath.Dir(kubeconfigPath), file))
	if err != nil {
		return nil, &ConfigError{fmt.Sprintf("the kubeconfig %s: cannot read its %s %s: %v", kubeconfigPath, field, file, errors.Unwrap(err))}
	}
	return b, nil
}

func inCluster(host, port, dir string) (*Config, error) {
	if dir == "" {
		dir = ServiceAccountDir
	}
	c := &Config{Source: "in-cluster", Server: "https://" + joinHostPort(host, port), TokenFile: filepath.Join(dir, "token")}
	var err error
	if c.CAData, err = os.ReadFile(filepath.Join(dir, "ca.crt")); err != nil {
		return nil, &ConfigError{fmt.Sprintf("in a pod (KUBERNETES_SERVICE_HOST is set) but its service account is not mounted at %s; set automountServiceAccountToken, or give a kubeconfig", dir)}
	}
	return c, nil
}

func joinHostPort(host, port string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port
	}
	return host + ":" + port
}

// abs is p relative to dir, as kubectl resolves a kubeconfig's paths.
func abs(dir, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// getenv is the last value of name in env, as the process would see it.
func getenv(env []string, name string) string {
	v := ""
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == name {
			v = val
		}
	}
	return v
}

// yamlLine is a YAML error without the content of the file (a kubeconfig holds secrets).
func yamlLine(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "line "); i >= 0 {
		if j := strings.IndexByte(msg[i:], ':'); j >= 0 {
			return msg[i : i+j]
		}
	}
	return "it does not parse"
}
