package s3

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/keywarden/keywarden/internal/awsapi/s3/types"
)

func TestAddress(t *testing.T) {
	for _, tc := range []struct {
		bucket, key string
		pathStyle   bool
		want        string
	}{
		{"kw-deploy", "", false, "https://kw-deploy.s3.eu-west-1.amazonaws.com/"},
		{"kw-deploy", "keywarden/x/amd64-1.zip", false, "https://kw-deploy.s3.eu-west-1.amazonaws.com/keywarden/x/amd64-1.zip"},
		{"kw-deploy", "k", true, "https://s3.eu-west-1.amazonaws.com/kw-deploy/k"},
		{"kw.deploy", "k", false, "https://s3.eu-west-1.amazonaws.com/kw.deploy/k"},
		{"KW", "", false, "https://s3.eu-west-1.amazonaws.com/KW"},
	} {
		path, host := address(tc.bucket, tc.key, tc.pathStyle)
		u := &url.URL{Scheme: "https", Host: "s3.eu-west-1.amazonaws.com", Path: path}
		if host != nil {
			host(u)
		}
		if u.String() != tc.want {
			t.Errorf("address(%q, %q, %v) = %s, want %s", tc.bucket, tc.key, tc.pathStyle, u, tc.want)
		}
	}
}

// The bodies as the SDK's serializers write them (S3's namespace, the SDK's element names).
func TestDocument(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    any
		want string
	}{
		{"CreateBucketConfiguration", &types.CreateBucketConfiguration{LocationConstraint: "eu-west-1"},
			`<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`},
		{"PublicAccessBlockConfiguration", &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true),
			BlockPublicPolicy: aws.Bool(true), IgnorePublicAcls: aws.Bool(false), RestrictPublicBuckets: aws.Bool(true)},
			`<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><BlockPublicAcls>true</BlockPublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><IgnorePublicAcls>false</IgnorePublicAcls><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>`},
		{"PublicAccessBlockConfiguration", &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true)},
			`<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><BlockPublicAcls>true</BlockPublicAcls></PublicAccessBlockConfiguration>`},
	} {
		got, err := document(tc.name, tc.v)
		if err != nil || string(got) != tc.want {
			t.Errorf("document(%s) = %s, %v\nwant %s", tc.name, got, err, tc.want)
		}
	}
}

func TestContentMD5AndLength(t *testing.T) {
	// RFC 1864: the base64 of the MD5 digest (hex d41d8cd9…, 5d41402a…), not of its hex.
	for body, want := range map[string]string{"": "1B2M2Y8AsgTpgAmY7PhCfg==", "hello": "XUFAKrxLKna5cZ2REBfFkg=="} {
		if got := contentMD5([]byte(body)); got != want {
			t.Errorf("contentMD5(%q) = %s, want %s", body, got, want)
		}
	}
	if n := contentLength(http.Header{"Content-Length": {"4096"}}); n == nil || *n != 4096 {
		t.Errorf("contentLength = %v", n)
	}
	if n := contentLength(http.Header{}); n != nil {
		t.Errorf("contentLength without the header = %d, want nil", *n)
	}
}
