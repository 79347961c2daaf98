package test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/keywarden/keywarden/internal/awsapi/s3"
	"github.com/keywarden/keywarden/internal/deploy"
)

// Outside us-east-1 CreateBucket names its region in a body; the bucket ends up there, private,
// holding the package, and a second deploy neither creates nor uploads again.
func TestDeployBucketOutsideUSEast1(t *testing.T) {
	fresh(t)
	ctx := context.Background()
	cfg := admin(t)
	cfg.Region = "eu-west-1"
	c := s3.NewFromConfig(cfg)
	bucket, key := deploy.DefaultBucket("123456789012", cfg.Region), "keywarden/keywarden/amd64-0123abcd.zip"
	zipped := bytes.Repeat([]byte("PK"), 3000)
	for i, want := range []bool{true, false} {
		created, err := deploy.EnsureBucket(ctx, c, bucket, cfg.Region)
		if err != nil || created != want {
			t.Fatalf("EnsureBucket #%d = %v, %v; want %v", i+1, created, err, want)
		}
		uploaded, err := deploy.Upload(ctx, c, bucket, key, zipped)
		if err != nil || uploaded != want {
			t.Fatalf("Upload #%d = %v, %v; want %v", i+1, uploaded, err, want)
		}
	}
	var loc struct{ LocationConstraint string }
	mustJSON(t, string(awsCLI(t, "s3api", "get-bucket-location", "--bucket", bucket)), &loc)
	if loc.LocationConstraint != "eu-west-1" {
		t.Errorf("bucket %s is in %q", bucket, loc.LocationConstraint)
	}
	var pab struct{ PublicAccessBlockConfiguration map[string]bool }
	mustJSON(t, string(awsCLI(t, "s3api", "get-public-access-block", "--bucket", bucket)), &pab)
	for _, k := range []string{"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"} {
		if !pab.PublicAccessBlockConfiguration[k] {
			t.Errorf("bucket %s: %s is off: %v", bucket, k, pab.PublicAccessBlockConfiguration)
		}
	}
	var obj struct {
		ContentLength int
		ContentType   string
	}
	if err := json.Unmarshal(awsCLI(t, "s3api", "head-object", "--bucket", bucket, "--key", key), &obj); err != nil {
		t.Fatal(err)
	}
	if obj.ContentLength != len(zipped) || obj.ContentType != "application/zip" {
		t.Errorf("s3://%s/%s is %+v", bucket, key, obj)
	}
}
