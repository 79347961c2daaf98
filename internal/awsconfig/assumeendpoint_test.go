package awsconfig

import "testing"

// AWS_ENDPOINT_URL is taken for the AssumeRole client unless the user told the SDK and the
// CLI to ignore configured endpoints.
func TestAssumeThroughEndpointFollowsTheVariables(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{}, false},
		{map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:5000"}, true},
		{map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "TRUE"}, false},
	} {
		if _, ok := assumeThroughEndpoint(func(k string) string { return c.env[k] }); ok != c.want {
			t.Errorf("env %v: ok = %v, want %v", c.env, ok, c.want)
		}
	}
}
