// Package types holds the S3 shapes keywarden sends, under the SDK's names (see
// internal/awsapi/s3).
package types

// BucketLocationConstraint is the region a bucket is created in.
type BucketLocationConstraint string

// CreateBucketConfiguration is CreateBucket's body: where the bucket is (us-east-1 has none).
type CreateBucketConfiguration struct {
	LocationConstraint BucketLocationConstraint `xml:"LocationConstraint,omitempty"`
}

// PublicAccessBlockConfiguration is a bucket's four public access guards.
type PublicAccessBlockConfiguration struct {
	BlockPublicAcls       *bool `xml:"BlockPublicAcls,omitempty"`
	BlockPublicPolicy     *bool `xml:"BlockPublicPolicy,omitempty"`
	IgnorePublicAcls      *bool `xml:"IgnorePublicAcls,omitempty"`
	RestrictPublicBuckets *bool `xml:"RestrictPublicBuckets,omitempty"`
}
