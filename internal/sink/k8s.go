package sink

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/keywarden/keywarden/internal/sink/kind"
	"github.com/keywarden/keywarden/internal/sink/kube"
)

var _ = builder(kind.K8s, func(rest string, e Env) (Sink, error) {
	kctx, ns, name, deploy, ok := kind.K8sParts(rest)
	if !ok {
		return nil, fmt.Errorf("destination k8s:%s: user %s's name does not make a Kubernetes name (lowercase letters, digits, - and .); name the Secret without {user}", rest, e.User)
	}
	return &K8s{Context: kctx, Namespace: ns, Name: name, Deployment: deploy, User: e.User, Env: e.ExecEnv, Now: e.Now}, nil
})

// K8s writes the key into a Kubernetes Secret, as the environment variables AWS_ACCESS_KEY_ID
// and AWS_SECRET_ACCESS_KEY and as "credentials", the JSON a credential_process prints; with
// Deployment, it then rolls that deployment out as kubectl rollout restart does, so its pods
// read the new key. Every write is conditional on the resourceVersion read just before it.
type K8s struct {
	Context, Namespace, Name string
	Deployment               string // restart=deployment/NAME, "" none
	User                     string
	Env                      []string         // KUBECONFIG, HOME, KUBERNETES_SERVICE_*; what an exec plugin inherits
	Now                      func() time.Time // the rollout's restartedAt
	ServiceAccountDir        string           // "" is a pod's

	c *kube.Client
}

// The Secret's keys: what the AWS SDKs and CLI read from the environment (envFrom), and the
// credential_process JSON for a mounted file.
const (
	K8sKeyIDKey       = "AWS_ACCESS_KEY_ID"
	K8sSecretKey      = "AWS_SECRET_ACCESS_KEY"
	K8sCredentialsKey = "credentials"

	// K8sUserAnnotation names the IAM user whose key a Secret holds, as UserTag on a secret.
	K8sUserAnnotation = "keywarden/user"
	// K8sKeyAnnotation on a deployment's pod template names the key its last restart was
	// for, so a rerun does not roll it out twice for one key.
	K8sKeyAnnotation = "keywarden/access-key-id"
	restartedAt      = "kubectl.kubernetes.io/restartedAt"

	// maxConflicts bounds the updates lost to other writers before keywarden gives up.
	maxConflicts = 5
)

func (d *K8s) String() string {
	s := "k8s:" + d.Namespace + "/" + d.Name
	if d.Context != "" {
		s = "k8s:" + d.Context + "/" + d.Namespace + "/" + d.Name
	}
	if d.Deployment != "" {
		s += ":restart=deployment/" + d.Deployment
	}
	return s
}

func (d *K8s) Stage(context.Context, Secret) (bool, error) { return false, nil }
func (d *K8s) CanRecover() bool                            { return true }
func (d *K8s) Actions() []string                           { return kind.K8s.ActionsFor(false) }

// Check proves before a key is made that keywarden may do every write delivery will do: the
// Secret is read, then written with dryRun=All (the API server checks RBAC, the namespace and
// admission, and keeps nothing), and so is the deployment's restart.
func (d *K8s) Check(ctx context.Context) error {
	obj, err := d.read(ctx)
	if err != nil {
		return err
	}
	if obj == nil {
		obj = d.newSecret(Secret{})
		err = d.do(ctx, http.MethodPost, d.secrets()+"?dryRun=All", obj, nil, "create", "secrets")
	} else {
		if err := d.owned(obj); err != nil {
			return err
		}
		err = d.do(ctx, http.MethodPut, d.secret()+"?dryRun=All", obj, nil, "update", "secrets")
	}
	if err != nil || d.Deployment == "" {
		return err
	}
	if err := d.do(ctx, http.MethodGet, d.deployment(), nil, nil, "get", "deployments"); err != nil {
		return err
	}
	return d.do(ctx, http.MethodPatch, d.deployment()+"?dryRun=All", restartPatch(time.Time{}, ""), nil, "patch", "deployments")
}

func (d *K8s) Deliver(ctx context.Context, s Secret) error {
	if err := d.write(ctx, s); err != nil {
		return err
	}
	obj, err := d.read(ctx)
	if err != nil {
		return err
	}
	if got, ok := d.holds(obj, s.AccessKeyID); !ok || got != s {
		return &Error{d.String(), "verify the Secret", errors.New("reading it back does not give the key just written")}
	}
	if d.Deployment != "" {
		return d.restart(ctx, s.AccessKeyID)
	}
	return nil
}

// write creates or updates the Secret: each update names the resourceVersion it read, and one
// that another writer overtook is read and tried again.
func (d *K8s) write(ctx context.Context, s Secret) error {
	for range maxConflicts {
		obj, err := d.read(ctx)
		if err != nil {
			return err
		}
		if obj == nil {
			err = d.do(ctx, http.MethodPost, d.secrets(), d.newSecret(s), nil, "create", "secrets")
		} else if err = d.owned(obj); err == nil {
			if got, ok := d.holds(obj, s.AccessKeyID); ok && got == s {
				return nil
			}
			setData(obj, s, d.User)
			err = d.do(ctx, http.MethodPut, d.secret(), obj, nil, "update", "secrets")
		}
		if kube.Code(err) != http.StatusConflict {
			return err
		}
	}
	return &Error{d.String(), "write the Secret", fmt.Errorf("another writer changed it %d times in a row while keywarden wrote; run again", maxConflicts)}
}

func (d *K8s) Recover(ctx context.Context, keyID string) (Secret, bool, error) {
	obj, err := d.read(ctx)
	if err != nil || obj == nil {
		return Secret{}, false, err
	}
	s, ok := d.holds(obj, keyID)
	return s, ok, nil
}

// holds is the key keyID as the Secret holds it, if it does.
func (d *K8s) holds(obj map[string]any, keyID string) (Secret, bool) {
	data, _ := obj["data"].(map[string]any)
	get := func(k string) []byte {
		v, _ := data[k].(string)
		b, _ := base64.StdEncoding.DecodeString(v)
		return b
	}
	s, ok := parse(get(K8sCredentialsKey), keyID)
	if !ok || string(get(K8sKeyIDKey)) != keyID || string(get(K8sSecretKey)) != s.SecretAccessKey {
		return Secret{}, false
	}
	return s, true
}

// owned refuses a Secret annotated as another user's.
func (d *K8s) owned(obj map[string]any) error {
	if u, _ := annotations(obj)[K8sUserAnnotation].(string); u != "" && u != d.User {
		return &RefusedError{fmt.Sprintf("%s is annotated %s=%s, not %s; keywarden does not put one user's key in another user's Secret: pick another Secret, or fix its annotation", d, K8sUserAnnotation, u, d.User)}
	}
	return nil
}

func (d *K8s) newSecret(s Secret) map[string]any {
	obj := map[string]any{"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
		"metadata": map[string]any{"name": d.Name, "namespace": d.Namespace,
			"labels": map[string]any{"app.kubernetes.io/managed-by": "keywarden"}}}
	if s.AccessKeyID != "" {
		setData(obj, s, d.User)
	}
	return obj
}

// setData puts the key in obj, keeping whatever else the Secret holds.
func setData(obj map[string]any, s Secret, user string) {
	data, _ := obj["data"].(map[string]any)
	if data == nil {
		data = map[string]any{}
		obj["data"] = data
	}
	for k, v := range map[string]string{K8sKeyIDKey: s.AccessKeyID, K8sSecretKey: s.SecretAccessKey, K8sCredentialsKey: string(s.JSON())} {
		data[k] = base64.StdEncoding.EncodeToString([]byte(v))
	}
	annotations(obj)[K8sUserAnnotation] = user
}

func annotations(obj map[string]any) map[string]any {
	m, _ := obj["metadata"].(map[string]any)
	if m == nil {
		m = map[string]any{}
		obj["metadata"] = m
	}
	a, _ := m["annotations"].(map[string]any)
	if a == nil {
		a = map[string]any{}
		m["annotations"] = a
	}
	return a
}

// restart rolls the deployment out for keyID unless its pod template already was: the
// annotation kubectl rollout restart sets, stamped with the clock, and the key it was for.
func (d *K8s) restart(ctx context.Context, keyID string) error {
	var dep struct {
		Spec struct {
			Template struct {
				Metadata struct {
					Annotations map[string]string `json:"annotations"`
				} `json:"metadata"`
			} `json:"template"`
		} `json:"spec"`
	}
	if err := d.do(ctx, http.MethodGet, d.deployment(), nil, &dep, "get", "deployments"); err != nil {
		return err
	}
	if dep.Spec.Template.Metadata.Annotations[K8sKeyAnnotation] == keyID {
		return nil
	}
	if d.Now == nil {
		return &Error{d.String(), "restart the deployment", errors.New("no clock to stamp the restart with")}
	}
	return d.do(ctx, http.MethodPatch, d.deployment(), restartPatch(d.Now(), keyID), nil, "patch", "deployments")
}

func restartPatch(at time.Time, keyID string) map[string]any {
	return map[string]any{"spec": map[string]any{"template": map[string]any{"metadata": map[string]any{
		"annotations": map[string]any{restartedAt: at.UTC().Format(time.RFC3339), K8sKeyAnnotation: keyID}}}}}
}

func (d *K8s) secrets() string {
	return "/api/v1/namespaces/" + url.PathEscape(d.Namespace) + "/secrets"
}
func (d *K8s) secret() string { return d.secrets() + "/" + url.PathEscape(d.Name) }
func (d *K8s) deployment() string {
	return "/apis/apps/v1/namespaces/" + url.PathEscape(d.Namespace) + "/deployments/" + url.PathEscape(d.Deployment)
}

// read is the Secret as the API server has it now, nil when there is none.
func (d *K8s) read(ctx context.Context) (map[string]any, error) {
	var obj map[string]any
	err := d.do(ctx, http.MethodGet, d.secret(), nil, &obj, "get", "secrets")
	if kube.Code(err) == http.StatusNotFound {
		return nil, nil
	}
	return obj, err
}

func (d *K8s) do(ctx context.Context, method, path string, body, out any, verb, resource string) error {
	c, err := d.connect(ctx)
	if err != nil {
		return err
	}
	ct := "application/json"
	if method == http.MethodPatch {
		ct = "application/strategic-merge-patch+json"
	}
	if err := c.Do(ctx, method, path, ct, body, out); err != nil {
		return d.refusal(err, verb, resource)
	}
	return nil
}

// connect finds the cluster (kubeconfig or the pod's account) once per destination.
func (d *K8s) connect(ctx context.Context) (*kube.Client, error) {
	if d.c != nil {
		return d.c, nil
	}
	cfg, err := kube.Load(kube.Options{Env: d.Env, Context: d.Context, ServiceAccountDir: d.ServiceAccountDir})
	if err == nil {
		d.c, err = kube.Connect(ctx, cfg, d.Env)
	}
	var ce *kube.ConfigError
	if errors.As(err, &ce) {
		return nil, &InvalidError{Msg: d.String() + ": " + ce.Msg}
	}
	return d.c, err
}

// refusal is the API server's refusal as one sentence: what is wrong and what to do.
func (d *K8s) refusal(err error, verb, resource string) error {
	var se *kube.StatusError
	if !errors.As(err, &se) {
		var ce *kube.ConfigError
		if errors.As(err, &ce) {
			return &InvalidError{Msg: d.String() + ": " + ce.Msg}
		}
		var unknownCA x509.UnknownAuthorityError
		var badCert *tls.CertificateVerificationError
		if errors.As(err, &unknownCA) || errors.As(err, &badCert) {
			return &InvalidError{Msg: fmt.Sprintf("%s: the API server at %s shows a certificate the kubeconfig's certificate authority does not vouch for; fix the cluster's certificate-authority(-data) or its server", d, d.c.Config.Server)}
		}
		var netErr *net.OpError
		if errors.As(err, &netErr) && netErr.Op == "dial" {
			return &Error{d.String(), verb + " " + resource, fmt.Errorf("cannot reach the API server at %s (%v); check the cluster's server and the network", d.c.Config.Server, netErr.Err)}
		}
		return &Error{d.String(), verb + " " + resource, err}
	}
	deploy := ""
	if d.Deployment != "" {
		deploy = ", and get and patch on deployments"
	}
	switch {
	case se.Code == http.StatusUnauthorized:
		return &InvalidError{Msg: fmt.Sprintf("%s: the cluster refused the credentials of %s (401); renew them, as kubectl with the same kubeconfig would need", d, d.c.Config.Source)}
	case se.Code == http.StatusForbidden:
		return &RefusedError{Msg: fmt.Sprintf("%s: the cluster forbids keywarden to %s %s in namespace %s (403); bind it to a Role with get, create and update on secrets%s in %s", d, verb, resource, d.Namespace, deploy, d.Namespace)}
	case se.Code == http.StatusNotFound && se.Details.Kind == "namespaces":
		return &InvalidError{Msg: fmt.Sprintf("%s: the namespace %s does not exist (404); create it or fix the destination", d, d.Namespace)}
	case se.Code == http.StatusNotFound && resource == "deployments":
		return &InvalidError{Msg: fmt.Sprintf("%s: the deployment %s does not exist in namespace %s (404); create it or fix restart=", d, d.Deployment, d.Namespace)}
	}
	return &Error{d.String(), verb + " " + resource, se}
}
