package sink

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/test/emu"
)

var key2 = Secret{AccessKeyID: "AKIAEXAMPLEEXAMPLE02", SecretAccessKey: "an0ther/secret+y"}

func k8s(t *testing.T, spec string, env ...string) *K8s {
	t.Helper()
	now := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC) // any time: only echoed back
	d, err := Parse(spec, Env{User: "svc-ci", ExecEnv: env, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return d.(*K8s)
}

// The Secret is created, then updated from the resourceVersion read, holding the two variables
// and the credential_process JSON; what else it holds is kept; a rerun writes nothing; the key
// is read back for recovery.
func TestK8sDeliversAndReadsBack(t *testing.T) {
	kube := emu.StartKube(t, "ci")
	ctx := context.Background()
	d := k8s(t, "k8s:ci/aws-{user}", "KUBECONFIG="+kube.Kubeconfig(t, "dev"))
	if d.String() != "k8s:ci/aws-svc-ci" || !d.CanRecover() {
		t.Fatalf("built %s", d)
	}
	if err := d.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, exists := kube.Secret("ci", "aws-svc-ci"); exists || kube.Calls("dry POST secrets") != 1 {
		t.Fatalf("check: created %v, dry-run creates %d", exists, kube.Calls("dry POST secrets"))
	}
	if _, ok, err := d.Recover(ctx, key.AccessKeyID); ok || err != nil {
		t.Fatalf("recovered from nothing: %v %v", ok, err)
	}
	for range 2 {
		if err := d.Deliver(ctx, key); err != nil {
			t.Fatal(err)
		}
	}
	data, rv, _ := kube.Secret("ci", "aws-svc-ci")
	var cred payload
	json.Unmarshal([]byte(data[K8sCredentialsKey]), &cred)
	if data[K8sKeyIDKey] != key.AccessKeyID || data[K8sSecretKey] != key.SecretAccessKey || cred != (payload{1, key.AccessKeyID, key.SecretAccessKey}) {
		t.Fatalf("the Secret holds %v", data)
	}
	if kube.Calls("POST secrets") != 1 || kube.Calls("PUT secrets") != 0 {
		t.Fatalf("a rerun wrote again: %d creates, %d updates", kube.Calls("POST secrets"), kube.Calls("PUT secrets"))
	}

	kube.PutSecret("ci", "aws-svc-ci", map[string]string{K8sUserAnnotation: "svc-ci", "team": "ci"},
		map[string]string{K8sKeyIDKey: key.AccessKeyID, K8sSecretKey: key.SecretAccessKey, K8sCredentialsKey: string(key.JSON()), "region": "eu-west-1"})
	if err := d.Check(ctx); err != nil || kube.Calls("dry PUT secrets") != 1 {
		t.Fatalf("check of an existing Secret: %v, %d dry-run updates", err, kube.Calls("dry PUT secrets"))
	}
	if err := d.Deliver(ctx, key2); err != nil {
		t.Fatal(err)
	}
	data, rv2, _ := kube.Secret("ci", "aws-svc-ci")
	obj := kube.Object("secrets/ci/aws-svc-ci")
	if data[K8sKeyIDKey] != key2.AccessKeyID || data["region"] != "eu-west-1" || rv2 == rv ||
		obj["metadata"].(map[string]any)["annotations"].(map[string]any)["team"] != "ci" {
		t.Fatalf("after the update: %v %v", data, obj["metadata"])
	}
	got, ok, err := d.Recover(ctx, key2.AccessKeyID)
	if err != nil || !ok || got != key2 {
		t.Fatalf("recover: %v %v %v", got, ok, err)
	}
	if _, ok, _ := d.Recover(ctx, key.AccessKeyID); ok {
		t.Fatal("recovered a key the Secret no longer holds")
	}
}

// An update overtaken by another writer (409 Conflict) is read again and retried, keeping that
// writer's change; one overtaken every time is given up after a bound, in one sentence.
func TestK8sRetriesAConflictingUpdate(t *testing.T) {
	kube := emu.StartKube(t, "ci")
	ctx := context.Background()
	d := k8s(t, "k8s:ci/aws", "KUBECONFIG="+kube.Kubeconfig(t, "dev"))
	kube.PutSecret("ci", "aws", nil, map[string]string{"x": "y"})
	kube.Race(2)
	if err := d.Deliver(ctx, key); err != nil {
		t.Fatal(err)
	}
	data, _, _ := kube.Secret("ci", "aws")
	ann := kube.Object("secrets/ci/aws")["metadata"].(map[string]any)["annotations"].(map[string]any)
	if data[K8sKeyIDKey] != key.AccessKeyID || ann["other-writer"] == nil || kube.Calls("PUT secrets") != 3 {
		t.Fatalf("%d updates; data %v, annotations %v", kube.Calls("PUT secrets"), data, ann)
	}

	kube.Race(100)
	err := d.Deliver(ctx, key2)
	if err == nil || !strings.Contains(err.Error(), "another writer changed it 5 times in a row while keywarden wrote; run again") {
		t.Fatalf("got %v", err)
	}
	if data, _, _ := kube.Secret("ci", "aws"); data[K8sKeyIDKey] != key.AccessKeyID {
		t.Fatal("a write went through")
	}
}

// restart= rolls the deployment out as kubectl rollout restart does (a strategic merge patch
// of the pod template's restartedAt, from the clock given), once per key.
func TestK8sRestartsTheDeploymentOncePerKey(t *testing.T) {
	kube := emu.StartKube(t, "ci")
	kube.AddDeployment("ci", "api")
	ctx := context.Background()
	d := k8s(t, "k8s:dev/ci/aws:restart=deployment/api", "KUBECONFIG="+kube.Kubeconfig(t, "dev"))
	if err := d.Check(ctx); err != nil {
		t.Fatal(err)
	}
	for _, k := range []Secret{key, key, key2} {
		if err := d.Deliver(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	dep := kube.Object("deployments/ci/api")
	tmpl := dep["spec"].(map[string]any)["template"].(map[string]any)["metadata"].(map[string]any)
	ann := tmpl["annotations"].(map[string]any)
	if ann["kubectl.kubernetes.io/restartedAt"] != "2031-05-06T07:08:09Z" || ann[K8sKeyAnnotation] != key2.AccessKeyID ||
		tmpl["labels"].(map[string]any)["app"] != "api" {
		t.Fatalf("pod template %v", tmpl)
	}
	if kube.Calls("PATCH deployments") != 2 || kube.Calls("dry PATCH deployments") != 1 ||
		kube.ContentType("PATCH deployments") != "application/strategic-merge-patch+json" {
		t.Fatalf("%d restarts (want one per key), %d dry runs", kube.Calls("PATCH deployments"), kube.Calls("dry PATCH deployments"))
	}
}

// In a pod, the service account's token and CA are used.
func TestK8sInAPod(t *testing.T) {
	kube := emu.StartKube(t, "ci")
	sa := t.TempDir()
	os.WriteFile(filepath.Join(sa, "token"), []byte(kube.Token+"\n"), 0o600)
	os.WriteFile(filepath.Join(sa, "ca.crt"), kube.CAData, 0o600)
	u, _ := url.Parse(kube.URL)
	d := k8s(t, "k8s:ci/aws", "HOME="+t.TempDir(), "KUBERNETES_SERVICE_HOST="+u.Hostname(), "KUBERNETES_SERVICE_PORT="+u.Port())
	d.ServiceAccountDir = sa
	if err := d.Deliver(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	if data, _, _ := kube.Secret("ci", "aws"); data[K8sKeyIDKey] != key.AccessKeyID {
		t.Fatalf("holds %v", data)
	}
}

// What the cluster refuses is one sentence each, saying what to do, and Check sees it before
// any key is made: no kubeconfig, credentials refused, each RBAC verb missing, a namespace or
// deployment that does not exist, another user's Secret.
func TestK8sRefusalsAreOneSentence(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, spec string
		set        func(*emu.Kube)
		noConfig   bool
		invalid    bool // bad input (exit 2), else refused
		want       string
	}{
		{"no kubeconfig", "k8s:ci/aws", nil, true, true, "k8s:ci/aws: no kubeconfig: ~/.kube/config does not exist; set KUBECONFIG"},
		{"credentials refused", "k8s:ci/aws", func(k *emu.Kube) { k.Token = "expired" }, false, true, "the cluster refused the credentials of "},
		{"may not read", "k8s:ci/aws", func(k *emu.Kube) { k.Deny("get", "secrets") }, false, false,
			"the cluster forbids keywarden to get secrets in namespace ci (403); bind it to a Role with get, create and update on secrets in ci"},
		{"may not create", "k8s:ci/aws", func(k *emu.Kube) { k.Deny("create", "secrets") }, false, false, "forbids keywarden to create secrets in namespace ci (403)"},
		{"may not update", "k8s:ci/aws", func(k *emu.Kube) { k.PutSecret("ci", "aws", nil, nil); k.Deny("update", "secrets") }, false, false, "forbids keywarden to update secrets"},
		{"may not restart", "k8s:ci/aws:restart=deployment/api", func(k *emu.Kube) { k.AddDeployment("ci", "api"); k.Deny("patch", "deployments") }, false, false,
			"forbids keywarden to patch deployments in namespace ci (403); bind it to a Role with get, create and update on secrets, and get and patch on deployments in ci"},
		{"no namespace", "k8s:nope/aws", nil, false, true, "k8s:nope/aws: the namespace nope does not exist (404); create it or fix the destination"},
		{"no deployment", "k8s:ci/aws:restart=deployment/api", nil, false, true, "the deployment api does not exist in namespace ci (404); create it or fix restart="},
		{"another user's Secret", "k8s:ci/aws", func(k *emu.Kube) { k.PutSecret("ci", "aws", map[string]string{K8sUserAnnotation: "svc-web"}, nil) }, false, false,
			"k8s:ci/aws is annotated keywarden/user=svc-web, not svc-ci; keywarden does not put one user's key in another user's Secret"},
		{"an unknown context", "k8s:prod/ci/aws", nil, false, true, "has no context prod; pick one kubectl config get-contexts lists"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kube := emu.StartKube(t, "ci")
			env := []string{"HOME=" + t.TempDir(), "KUBECONFIG=" + kube.Kubeconfig(t, "dev")}
			if tc.noConfig {
				env = env[:1]
			}
			d := k8s(t, tc.spec, env...)
			if tc.set != nil {
				tc.set(kube)
			}
			err := d.Check(ctx)
			var ie *InvalidError
			var re *RefusedError
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Count(err.Error(), "; ") > 1 || strings.Contains(err.Error(), "\n") ||
				tc.invalid != errors.As(err, &ie) || !tc.invalid && !errors.As(err, &re) {
				t.Fatalf("got %T %v\nwant %s", err, err, tc.want)
			}
			if kube.Calls("POST secrets")+kube.Calls("PUT secrets")+kube.Calls("PATCH deployments") != 0 {
				t.Fatal("something was written")
			}
		})
	}
}

func TestK8sUserNameThatIsNoKubernetesName(t *testing.T) {
	_, err := Parse("k8s:ci/aws-{user}", Env{User: "svc_ci"})
	if err == nil || !strings.Contains(err.Error(), "user svc_ci's name does not make a Kubernetes name") {
		t.Fatalf("got %v", err)
	}
}

// A kubeconfig user with a client certificate and key (files beside the kubeconfig, as kind
// and kubeadm write them) and no token is authenticated in the TLS handshake.
func TestK8sWithAClientCertificate(t *testing.T) {
	kube := emu.StartKube(t, "ci")
	dir := t.TempDir()
	cert, keyPEM := kube.ClientCert(t)
	os.WriteFile(filepath.Join(dir, "user.crt"), cert, 0o600)
	os.WriteFile(filepath.Join(dir, "user.key"), keyPEM, 0o600)
	text, _ := os.ReadFile(kube.Kubeconfig(t, "dev"))
	cfg := strings.Replace(string(text), `user: {token: "`+kube.Token+`"}`, "user: {client-certificate: user.crt, client-key: user.key}", 1)
	os.WriteFile(filepath.Join(dir, "config"), []byte(cfg), 0o600)
	d := k8s(t, "k8s:ci/aws", "KUBECONFIG="+filepath.Join(dir, "config"))
	if err := d.Deliver(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	if data, _, _ := kube.Secret("ci", "aws"); data[K8sKeyIDKey] != key.AccessKeyID {
		t.Fatalf("holds %v", data)
	}
}

// A token from the kubeconfig's exec plugin that the cluster refuses (expired during the run)
// is renewed by running the plugin once more, as kubectl does.
func TestK8sRenewsAnExecTokenOnce(t *testing.T) {
	kube := emu.StartKube(t, "ci")
	dir := t.TempDir()
	// Each run prints the token of the next line of tokens: an expired one, then the good one.
	os.WriteFile(filepath.Join(dir, "tokens"), []byte("expired\n"+kube.Token+"\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "get-token"), []byte(`#!/bin/sh
tok=$(head -n 1 tokens); tail -n +2 tokens > tokens.next; mv tokens.next tokens
printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"%s"}}' "$tok"
`), 0o755)
	text, _ := os.ReadFile(kube.Kubeconfig(t, "dev"))
	cfg := strings.Replace(string(text), `user: {token: "`+kube.Token+`"}`, "user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: ./get-token}}", 1)
	os.WriteFile(filepath.Join(dir, "config"), []byte(cfg), 0o600)
	d := k8s(t, "k8s:ci/aws", "KUBECONFIG="+filepath.Join(dir, "config"), "PATH=/usr/bin:/bin")
	if err := d.Deliver(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	if data, _, _ := kube.Secret("ci", "aws"); data[K8sKeyIDKey] != key.AccessKeyID {
		t.Fatalf("holds %v", data)
	}
}

// A kubeconfig whose certificate authority does not vouch for the server, or whose server
// cannot be reached, is one sentence naming the server; insecure-skip-tls-verify is obeyed.
func TestK8sTLSAndNetwork(t *testing.T) {
	kube := emu.StartKube(t, "ci")
	other := emu.StartKube(t, "ci")
	text, _ := os.ReadFile(kube.Kubeconfig(t, "dev"))
	ca, _ := json.Marshal(kube.CAData)
	otherCA, _ := json.Marshal(other.CAData)
	dir := t.TempDir()
	for _, tc := range []struct{ name, from, to, want string }{
		{"another CA", string(ca), string(otherCA), "the API server at " + kube.URL + " shows a certificate the kubeconfig's certificate authority does not vouch for; fix"},
		{"no server there", kube.URL, "https://127.0.0.1:1", "cannot reach the API server at https://127.0.0.1:1 ("},
		{"insecure", "certificate-authority-data: " + string(ca), "insecure-skip-tls-verify: true", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name)
			os.WriteFile(p, []byte(strings.Replace(string(text), tc.from, tc.to, 1)), 0o600)
			err := k8s(t, "k8s:ci/aws", "KUBECONFIG="+p).Check(context.Background())
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || strings.Count(err.Error(), "; ") > 1) {
				t.Fatalf("got %v\nwant %q", err, tc.want)
			}
		})
	}
}
