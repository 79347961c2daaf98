package kind

import "strings"

// K8s is k8s:[CONTEXT/]NAMESPACE/NAME[:restart=deployment/NAME], a Kubernetes Secret holding
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and credentials (the credential_process JSON),
// reached through the kubeconfig chain or a pod's service account (internal/sink's K8s
// delivers). It is read back, so a rerun recovers from it.
var K8s = add(&Kind{
	Name:    "k8s",
	Syntax:  "k8s:[CONTEXT/]NAMESPACE/NAME[:restart=deployment/NAME]",
	Help:    "k8s:[CONTEXT/]NAMESPACE/NAME[:restart=deployment/NAME] (a Secret; restart= rolls the deployment out as kubectl rollout restart)",
	Example: "k8s:ci/aws-{user}:restart=deployment/{user}",
	Needs: "a kubeconfig (KUBECONFIG, else ~/.kube/config) or a pod's service account, allowed get, create and update " +
		"on secrets in NAMESPACE (and get and patch on deployments for restart=)",
	Problem: func(rest string) string {
		if _, _, _, _, ok := K8sParts(rest); !ok {
			return "want k8s:[CONTEXT/]NAMESPACE/NAME[:restart=deployment/NAME], the namespace and names lowercase letters, digits and -"
		}
		return ""
	},
	// Kubernetes names are lower case; IAM user names are unique whatever their case, so
	// lowering one never makes two users share a Secret.
	Expand: func(rest, user string) string { return strings.ReplaceAll(rest, "{user}", strings.ToLower(user)) },
	WithUser: func(rest string) string {
		path, opt, hasOpt := strings.Cut(rest, ":restart=")
		if hasOpt {
			opt = ":restart=" + opt
		}
		return path + "-{user}" + opt
	},
	Readable: true,
	Local:    "needs a kubeconfig or a pod's service account",
})

// K8sParts splits k8s:'s REST into the kubeconfig context ("" for the current one), the
// namespace, the Secret's name and the deployment to restart (""); ok is false when it is not
// [CONTEXT/]NAMESPACE/NAME[:restart=deployment/NAME]. The context is everything before the
// last two segments, so an EKS context (an ARN, with : and /) can be named as it is.
func K8sParts(rest string) (context, namespace, name, deployment string, ok bool) {
	path := rest
	if i := strings.LastIndex(rest, ":restart="); i >= 0 {
		var isDeploy bool
		path = rest[:i]
		if deployment, isDeploy = strings.CutPrefix(rest[i+len(":restart="):], "deployment/"); !isDeploy || !k8sName(deployment, 253, ".") {
			return "", "", "", "", false
		}
	}
	i := strings.LastIndex(path, "/")
	if i < 0 {
		return "", "", "", "", false
	}
	name, path = path[i+1:], path[:i]
	if i = strings.LastIndex(path, "/"); i >= 0 {
		context, path = path[:i], path[i+1:]
		if context == "" {
			return "", "", "", "", false
		}
	}
	namespace = path
	return context, namespace, name, deployment, k8sName(namespace, 63, "") && k8sName(name, 253, ".")
}

// k8sName reports whether s ({user} standing in for a name) is a Kubernetes name of up to
// max bytes: lowercase letters, digits, '-' and extra, starting and ending alphanumeric.
func k8sName(s string, max int, extra string) bool {
	s = strings.ReplaceAll(s, "{user}", "u")
	if s == "" || len(s) > max {
		return false
	}
	for i, c := range []byte(s) {
		alnum := 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
		if !alnum && ((i == 0 || i == len(s)-1) || c != '-' && strings.IndexByte(extra, c) < 0) {
			return false
		}
	}
	return true
}
