package kind

import (
	"strings"
	"testing"
)

func TestK8sParts(t *testing.T) {
	type parts struct{ context, namespace, name, deployment string }
	for rest, want := range map[string]*parts{
		"ci/aws":                        {"", "ci", "aws", ""},
		"ci/aws-{user}":                 {"", "ci", "aws-{user}", ""},
		"kind-dev/ci/aws.keys":          {"kind-dev", "ci", "aws.keys", ""},
		"ci/aws:restart=deployment/api": {"", "ci", "aws", "api"},
		"arn:aws:eks:eu-west-1:123456789012:cluster/prod/ci/aws:restart=deployment/api-{user}": {
			"arn:aws:eks:eu-west-1:123456789012:cluster/prod", "ci", "aws", "api-{user}"},
		"aws":                            nil, // no namespace
		"/ci/aws":                        nil, // an empty context
		"ci/":                            nil,
		"Ci/aws":                         nil, // upper case
		"ci/aws_keys":                    nil,
		"ci/-aws":                        nil,
		"c.i/aws":                        nil, // a namespace has no dots
		"ci/aws:restart=api":             nil, // restart names a deployment
		"ci/aws:restart=statefulset/api": nil,
		"ci/aws:restart=deployment/":     nil,
		"ci/aws:env=prod":                nil,
		"ci/" + strings.Repeat("a", 254): nil,
		"abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij/a": nil, // a namespace is up to 63
	} {
		c, ns, n, d, ok := K8sParts(rest)
		if want == nil {
			if ok {
				t.Errorf("K8sParts(%q) accepted: %q %q %q %q", rest, c, ns, n, d)
			}
			continue
		}
		if got := (parts{c, ns, n, d}); !ok || got != *want {
			t.Errorf("K8sParts(%q) = %+v, %v; want %+v", rest, got, ok, *want)
		}
	}
}

func TestK8sUser(t *testing.T) {
	for spec, want := range map[string]string{
		"k8s:ci/aws-{user}":                            "k8s:ci/aws-svc-ci",
		"k8s:dev/ci/aws:restart=deployment/{user}-api": "k8s:dev/ci/aws:restart=deployment/svc-ci-api",
	} {
		if got := ExpandUser(spec, "Svc-CI"); got != want {
			t.Errorf("ExpandUser(%q) = %q, want %q", spec, got, want)
		}
	}
	if got := WithUser("k8s:ci/aws:restart=deployment/api"); got != "k8s:ci/aws-{user}:restart=deployment/api" {
		t.Errorf("WithUser = %q", got)
	}
	if p := Problem("k8s:ci/aws_keys", nil); p != `destination "k8s:ci/aws_keys": want k8s:[CONTEXT/]NAMESPACE/NAME[:restart=deployment/NAME], the namespace and names lowercase letters, digits and -` {
		t.Errorf("Problem = %q", p)
	}
}
