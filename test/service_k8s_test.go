package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/test/emu"
)

// k8sExecKubeconfig is a kubeconfig whose user gets its token from an exec credential plugin
// (client.authentication.k8s.io/v1), as EKS's and GKE's do.
func k8sExecKubeconfig(t *testing.T, kube *emu.Kube) string {
	dir := t.TempDir()
	plugin := filepath.Join(dir, "get-token")
	script := "#!/bin/sh\nprintf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%s\"}}' \"$TOKEN\"\n"
	if err := os.WriteFile(plugin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	text, _ := os.ReadFile(kube.Kubeconfig(t, "dev"))
	cfg := strings.Replace(string(text), "user: {token: \""+kube.Token+"\"}",
		"user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: ./get-token, env: [{name: TOKEN, value: \""+kube.Token+"\"}]}}", 1)
	p := filepath.Join(dir, "config")
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// k8sCred is the credential_process JSON a k8s: Secret holds, as a pod would read it.
func k8sCred(t *testing.T, kube *emu.Kube, ns, name string) credJSON {
	t.Helper()
	data, _, ok := kube.Secret(ns, name)
	var c credJSON
	if !ok || json.Unmarshal([]byte(data["credentials"]), &c) != nil || data["AWS_ACCESS_KEY_ID"] != c.AccessKeyId || data["AWS_SECRET_ACCESS_KEY"] != c.SecretAccessKey {
		t.Fatalf("the Secret %s/%s holds %d keys, not the key three ways", ns, name, len(data))
	}
	return c
}

// A service key rotated into a Kubernetes Secret and Secrets Manager: both hold the same
// working key, the deployment is rolled out, and the kubeconfig's exec plugin gave the token.
// What the cluster refuses, and a kubeconfig that is not there, are one sentence each before
// any key is made.
func TestServiceRotateIntoK8sAndSecretsManager(t *testing.T) {
	parallel(t)
	takeLease(t)
	kube := emu.StartKube(t, "ci")
	kube.AddDeployment("ci", "api")
	_, oldID, oldSecret := svcSetup(t)
	env := []string{"KUBECONFIG=" + k8sExecKubeconfig(t, kube)}

	for _, bad := range []struct {
		name string
		env  []string
		to   string
		set  func()
		code int
		want string
	}{
		{"no kubeconfig", []string{"KUBECONFIG=" + filepath.Join(t.TempDir(), "none")}, "k8s:ci/aws", nil, 2,
			"keywarden: k8s:ci/aws: no kubeconfig: no file KUBECONFIG names exists; set KUBECONFIG"},
		{"a name that is no Kubernetes name", env, "k8s:ci/AWS", nil, 2, `destination "k8s:ci/AWS": want k8s:[CONTEXT/]NAMESPACE/NAME`},
		{"no namespace", env, "k8s:prod/aws", nil, 2, "k8s:prod/aws: the namespace prod does not exist (404); create it or fix the destination"},
		{"no deployment", env, "k8s:ci/aws:restart=deployment/web", nil, 2, "the deployment web does not exist in namespace ci (404)"},
		{"may not update", env, "k8s:ci/aws", func() { kube.PutSecret("ci", "aws", nil, nil); kube.Deny("update", "secrets") }, 4,
			"k8s:ci/aws: the cluster forbids keywarden to update secrets in namespace ci (403); bind it to a Role with get, create and update on secrets in ci"},
	} {
		if bad.set != nil {
			bad.set()
		}
		r := svcBin(t, bad.env, "--to", bad.to, "--to", "secretsmanager:ci/svc-ci")
		if r.code != bad.code || !strings.Contains(r.stderr, bad.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Fatalf("%s: exit %d, want %d and %q\n%s", bad.name, r.code, bad.code, bad.want, r.stderr)
		}
		if k := userKeys(t, svcUser); len(k) != 1 || k[oldID] != "Active" {
			t.Fatalf("%s: keys changed before the destination was checked: %v", bad.name, k)
		}
	}

	to := []string{"--to", "k8s:ci/aws-{user}:restart=deployment/api", "--to", "secretsmanager:ci/svc-ci"}
	r := svcBin(t, env, to...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	sec := secretByCLI(t, "ci/svc-ci", "AWSCURRENT")
	c := k8sCred(t, kube, "ci", "aws-"+svcUser)
	if c != sec || c.AccessKeyId == oldID {
		t.Fatalf("the Secret holds %s, AWSCURRENT %s (old %s)", c.AccessKeyId, sec.AccessKeyId, oldID)
	}
	signsAsUser(t, c)
	tmpl := kube.Object("deployments/ci/api")["spec"].(map[string]any)["template"].(map[string]any)["metadata"].(map[string]any)
	if ann, _ := tmpl["annotations"].(map[string]any); ann["keywarden/access-key-id"] != c.AccessKeyId || ann["kubectl.kubernetes.io/restartedAt"] == nil {
		t.Fatalf("the deployment was not rolled out for the new key: %v", tmpl)
	}
	noSecretIn(t, []string{c.SecretAccessKey, oldSecret}, r.stdout, r.stderr)
}

// Killed at a step of a rotation into k8s: and secretsmanager:, the same command finishes it:
// the Secret and AWSCURRENT hold the same working key, the old one is retired, and nothing
// else is left.
func TestServiceRotateIntoK8sCrashAndRerun(t *testing.T) {
	parallel(t)
	for _, point := range []string{"after-create", "mid-deliver", "after-deliver"} {
		t.Run(point, func(t *testing.T) {
			ownMoto(t)
			kube := emu.StartKube(t, "ci")
			env := []string{"KUBECONFIG=" + kube.Kubeconfig(t, "dev")}
			_, oldID, oldSecret := svcSetup(t)
			to := []string{"--to", "k8s:ci/aws", "--to", "secretsmanager:ci/svc"}
			r := svcBin(t, append([]string{"KEYWARDEN_FAILPOINT=" + point}, env...), to...)
			if r.code != 97 || !strings.Contains(r.stderr, "failpoint "+point) {
				t.Fatalf("first run: exit %d, want the failpoint's 97\n%s", r.code, r.stderr)
			}
			r = rerunPastHold(t, svcUser, func() result { return svcBin(t, env, to...) })
			if r.code != 0 {
				t.Fatalf("rerun: exit %d\n%s", r.code, r.stderr)
			}
			sec := secretByCLI(t, "ci/svc", "AWSCURRENT")
			c := k8sCred(t, kube, "ci", "aws")
			if c != sec {
				t.Fatalf("the Secret holds %s, AWSCURRENT %s", c.AccessKeyId, sec.AccessKeyId)
			}
			signsAsUser(t, c)
			if k := userKeys(t, svcUser); len(k) != 2 || k[oldID] != "Inactive" || k[c.AccessKeyId] != "Active" {
				t.Fatalf("keys %v: want the delivered key active and the old one inactive, nothing else", k)
			}
			noSecretIn(t, []string{c.SecretAccessKey, oldSecret}, r.stdout, r.stderr)
		})
	}
}

// A rotate rule of keywarden.yaml delivers to k8s: through plan and apply as rotate --user
// does, and the deployment's restartedAt is the run's clock (here moto's stamp of the old key
// plus 81 days), not the machine's. Not parallel: apply reads KUBECONFIG from its process.
func TestRotateRuleIntoK8s(t *testing.T) {
	takeLease(t)
	kube := emu.StartKube(t, "ci")
	kube.AddDeployment("ci", "api")
	t.Setenv("KUBECONFIG", kube.Kubeconfig(t, "dev"))
	c, oldID, oldSecret := svcSetup(t)
	rotateAt := createdAt(t, c, svcUser, oldID).Add(81 * 24 * time.Hour)
	cfg := rotateRule(t, `{older_than: 80d, to: ["k8s:ci/aws-{user}:restart=deployment/api", "secretsmanager:ci/{user}"], grace: 24h}`)

	r := kwAt(t, rotateAt, admin(t), "plan", "-c", cfg)
	if r.code != 0 || !strings.Contains(r.stdout, "rotate into k8s:ci/aws-{user}:restart=deployment/api, secretsmanager:ci/{user}") {
		t.Fatalf("plan: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = kwAt(t, rotateAt, admin(t), "apply", "-c", cfg, "--yes")
	if r.code != 0 || !strings.Contains(r.stdout, "in k8s:ci/aws-"+svcUser+":restart=deployment/api") {
		t.Fatalf("apply: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	cred := k8sCred(t, kube, "ci", "aws-"+svcUser)
	if sec := secretByCLI(t, "ci/"+svcUser, "AWSCURRENT"); cred != sec || cred.AccessKeyId == oldID {
		t.Fatalf("the Secret holds %s, AWSCURRENT %s (old %s)", cred.AccessKeyId, sec.AccessKeyId, oldID)
	}
	signsAsUser(t, cred)
	tmpl := kube.Object("deployments/ci/api")["spec"].(map[string]any)["template"].(map[string]any)["metadata"].(map[string]any)
	if ann, _ := tmpl["annotations"].(map[string]any); ann["kubectl.kubernetes.io/restartedAt"] != rotateAt.UTC().Format(time.RFC3339) {
		t.Fatalf("restartedAt %v, want the run's clock %s", ann["kubectl.kubernetes.io/restartedAt"], rotateAt.UTC().Format(time.RFC3339))
	}
	noSecretIn(t, []string{cred.SecretAccessKey, oldSecret}, r.stdout, r.stderr)
}
