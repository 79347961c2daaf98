package kube

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"strings"
)

// execCredential is client.authentication.k8s.io's ExecCredential, v1 or v1beta1 (the same
// fields).
type execCredential struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Spec       struct {
		Interactive bool         `json:"interactive"`
		Cluster     *execCluster `json:"cluster,omitempty"`
	} `json:"spec"`
	Status *execCredentialStatus `json:"status,omitempty"`
}

type execCluster struct {
	Server                   string `json:"server"`
	TLSServerName            string `json:"tls-server-name,omitempty"`
	CertificateAuthorityData string `json:"certificate-authority-data,omitempty"`
	InsecureSkipTLSVerify    bool   `json:"insecure-skip-tls-verify,omitempty"`
}

var execVersions = []string{"client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"}

// runExec runs the user's credential plugin as kubectl does: its args, env plus the
// kubeconfig's variables, KUBERNETES_EXEC_INFO describing the request, no terminal. env is
// keywarden's own environment: a plugin such as aws eks get-token needs the caller's
// credentials, as it does under kubectl.
func runExec(ctx context.Context, c *Config, env []string) (execCredentialStatus, error) {
	x := c.Exec
	name := fmt.Sprintf("%s: the exec plugin %s", c.Source, x.Command)
	known := false
	for _, v := range execVersions {
		known = known || x.APIVersion == v
	}
	if !known {
		return execCredentialStatus{}, &ConfigError{fmt.Sprintf("%s speaks %q; keywarden speaks %s", name, x.APIVersion, strings.Join(execVersions, " and "))}
	}
	if x.InteractiveMode == "Always" {
		return execCredentialStatus{}, &ConfigError{name + " wants a terminal (interactiveMode: Always), which keywarden never gives it; use a plugin that can run unattended"}
	}
	in := execCredential{APIVersion: x.APIVersion, Kind: "ExecCredential"}
	if x.ProvideClusterInfo {
		in.Spec.Cluster = &execCluster{Server: c.Server, TLSServerName: c.TLSServerName, InsecureSkipTLSVerify: c.Insecure}
		if len(c.CAData) > 0 {
			in.Spec.Cluster.CertificateAuthorityData = base64.StdEncoding.EncodeToString(c.CAData)
		}
	}
	info, _ := json.Marshal(in)
	cmd := exec.CommandContext(ctx, x.Command, x.Args...)
	cmd.Dir = c.Dir
	cmd.Env = append(append([]string{}, env...), "KUBERNETES_EXEC_INFO="+string(info))
	for _, e := range x.Env {
		cmd.Env = append(cmd.Env, e.Name+"="+e.Value)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, exec.ErrDot) || errors.Is(err, fs.ErrNotExist) {
			hint := "install it or fix the kubeconfig's command"
			if x.InstallHint != "" {
				hint = strings.Join(strings.Fields(x.InstallHint), " ")
			}
			return execCredentialStatus{}, &ConfigError{fmt.Sprintf("%s is not found; %s", name, hint)}
		}
		return execCredentialStatus{}, &ConfigError{fmt.Sprintf("%s failed (%v): %s", name, err, firstLine(stderr.String()))}
	}
	var out execCredential
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil || out.Kind != "ExecCredential" || out.Status == nil {
		return execCredentialStatus{}, &ConfigError{name + " printed no ExecCredential with a status; check the plugin by running kubectl with this kubeconfig"}
	}
	if out.APIVersion != x.APIVersion {
		return execCredentialStatus{}, &ConfigError{fmt.Sprintf("%s answered in %s, not the %s the kubeconfig asks for; fix its apiVersion", name, out.APIVersion, x.APIVersion)}
	}
	s := *out.Status
	if s.Token == "" && (s.ClientCertificateData == "" || s.ClientKeyData == "") {
		return execCredentialStatus{}, &ConfigError{name + " gave neither a token nor a client certificate and key; check the plugin"}
	}
	return s, nil
}

type execCredentialStatus struct {
	Token                 string `json:"token"`
	ClientCertificateData string `json:"clientCertificateData"`
	ClientKeyData         string `json:"clientKeyData"`
}

// firstLine is the first line of a plugin's stderr, cut short: enough to say why, never
// its whole output.
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	if s == "" {
		return "it printed nothing on stderr"
	}
	return s
}
