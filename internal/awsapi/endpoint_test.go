package awsapi

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
)

// The endpoint a call goes to, from a config loaded as commands load it: the order is the
// SDK's (a service's own endpoint, then the general one, then AWS's for the region).
func TestEndpointFollowsTheSDKsOrder(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "config")
	if err := os.WriteFile(cfgFile, []byte("[profile svc]\nservices = local\n[services local]\nsns =\n  endpoint_url = http://127.0.0.1:4002\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sns := Service{ID: "SNS", Prefix: "sns", SigningName: "sns"}
	org := Service{ID: "Organizations", Prefix: "organizations", SigningName: "organizations", Global: true}
	for _, tc := range []struct {
		name string
		env  map[string]string
		svc  Service
		want string
	}{
		{"public", map[string]string{"AWS_REGION": "eu-west-1"}, sns, "https://sns.eu-west-1.amazonaws.com"},
		{"china", map[string]string{"AWS_REGION": "cn-north-1"}, sns, "https://sns.cn-north-1.amazonaws.com.cn"},
		{"isob before iso", map[string]string{"AWS_REGION": "us-isob-east-1"}, sns, "https://sns.us-isob-east-1.sc2s.sgov.gov"},
		{"fips", map[string]string{"AWS_REGION": "us-gov-west-1", "AWS_USE_FIPS_ENDPOINT": "true"}, sns, "https://sns-fips.us-gov-west-1.amazonaws.com"},
		{"ses's prefix", map[string]string{"AWS_REGION": "us-east-1"}, Service{ID: "SES", Prefix: "email", SigningName: "ses"}, "https://email.us-east-1.amazonaws.com"},
		{"global", map[string]string{"AWS_REGION": "eu-west-1"}, org, "https://organizations.us-east-1.amazonaws.com"},
		{"global in china", map[string]string{"AWS_REGION": "cn-north-1"}, org, "https://organizations.cn-northwest-1.amazonaws.com.cn"},
		{"global in govcloud", map[string]string{"AWS_REGION": "us-gov-east-1"}, org, "https://organizations.us-gov-west-1.amazonaws.com"},
		{"general", map[string]string{"AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:4000"}, sns, "http://127.0.0.1:4000"},
		{"service's own wins", map[string]string{"AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:4000", "AWS_ENDPOINT_URL_SNS": "http://127.0.0.1:4001"}, sns, "http://127.0.0.1:4001"},
		{"another service's own is not ours", map[string]string{"AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_SQS": "http://127.0.0.1:4001"}, sns, "https://sns.us-east-1.amazonaws.com"},
		{"config file's services section", map[string]string{"AWS_REGION": "us-east-1", "AWS_PROFILE": "svc", "AWS_CONFIG_FILE": cfgFile}, sns, "http://127.0.0.1:4002"},
		{"ignored", map[string]string{"AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_SNS": "http://127.0.0.1:4001", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, sns, "https://sns.us-east-1.amazonaws.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clean(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			cfg, err := config.LoadDefaultConfig(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			u, err := New(cfg, tc.svc).Endpoint()
			if err != nil || u.String() != tc.want {
				t.Fatalf("Endpoint() = %v, %v; want %s", u, err, tc.want)
			}
		})
	}
}

func TestEndpointRefusesWhatIsNotARegionOrAURL(t *testing.T) {
	for _, tc := range []struct{ region, endpoint, want string }{
		{"", "", "no region is set; pass --region or set AWS_REGION"},
		{"us-east-1.evil.example/", "", `"us-east-1.evil.example/" is not a region name (e.g. us-east-1); fix --region or AWS_REGION`},
		{"us-east-1", "ftp://127.0.0.1", `the endpoint "ftp://127.0.0.1" for SNS is not an http(s) URL; fix AWS_ENDPOINT_URL_SNS or AWS_ENDPOINT_URL`},
	} {
		clean(t)
		t.Setenv("AWS_REGION", tc.region)
		t.Setenv("AWS_ENDPOINT_URL", tc.endpoint)
		cfg, err := config.LoadDefaultConfig(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		cfg.Region = tc.region
		_, err = New(cfg, Service{ID: "SNS", Prefix: "sns", SigningName: "sns"}).Endpoint()
		if err == nil || err.Error() != tc.want {
			t.Errorf("region %q endpoint %q: %v; want %q", tc.region, tc.endpoint, err, tc.want)
		}
	}
}

// clean keeps this machine's own AWS settings out of a case.
func clean(t *testing.T) {
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SNS",
		"AWS_ENDPOINT_URL_SES", "AWS_USE_FIPS_ENDPOINT", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_CA_BUNDLE"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}
