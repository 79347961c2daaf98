package deploy

import (
	"bytes"
	"context"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/keywarden/keywarden/internal/awsapi/s3"
	s3types "github.com/keywarden/keywarden/internal/awsapi/s3/types"
	"github.com/keywarden/keywarden/internal/awserr"
)

// S3 is the part of the S3 API deploy uses.
type S3 interface {
	HeadBucket(context.Context, *s3.HeadBucketInput, ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
	CreateBucket(context.Context, *s3.CreateBucketInput, ...func(*s3.Options)) (*s3.CreateBucketOutput, error)
	PutPublicAccessBlock(context.Context, *s3.PutPublicAccessBlockInput, ...func(*s3.Options)) (*s3.PutPublicAccessBlockOutput, error)
	HeadObject(context.Context, *s3.HeadObjectInput, ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// DefaultBucket is where deploy keeps packages unless told otherwise: one per account and region,
// since Lambda reads code only from a bucket in the function's region.
func DefaultBucket(account, region string) string {
	return fmt.Sprintf("keywarden-deploy-%s-%s", account, region)
}

// EnsureBucket creates the bucket, private, if it does not exist. It reports whether it did.
func EnsureBucket(ctx context.Context, c S3, bucket, region string) (bool, error) {
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err == nil {
		return false, nil
	} else if forbidden(err) {
		// HeadBucket's 403 has no body to say why; it needs s3:ListBucket, or the bucket
		// belongs to another account (bucket names are global).
		return false, fmt.Errorf("check bucket %s: %w", bucket, &smithy.GenericAPIError{Code: "AccessDenied",
			Message: fmt.Sprintf("not authorized to perform: s3:ListBucket on resource: arn:aws:s3:::%s (or the bucket belongs to another account; pass --bucket)", bucket)})
	} else if !notFound(err) {
		return false, fmt.Errorf("check bucket %s: %w", bucket, err)
	}
	in := &s3.CreateBucketInput{Bucket: aws.String(bucket)}
	if region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
	}
	if _, err := c.CreateBucket(ctx, in); err != nil {
		return false, fmt.Errorf("create bucket %s: %w", bucket, err)
	}
	if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(bucket),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
			BlockPublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true),
			IgnorePublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true),
		}}); err != nil {
		return true, fmt.Errorf("block public access to bucket %s: %w", bucket, err)
	}
	return true, nil
}

// Upload puts the package at key unless an object of the same size is there already (keys are
// named by content, so it is the same package).
func Upload(ctx context.Context, c S3, bucket, key string, zipped []byte) (bool, error) {
	if o, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err == nil && aws.ToInt64(o.ContentLength) == int64(len(zipped)) {
		return false, nil
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		Body: bytes.NewReader(zipped), ContentType: aws.String("application/zip")}); err != nil {
		return false, fmt.Errorf("upload s3://%s/%s: %w", bucket, key, err)
	}
	return true, nil
}

// forbidden is HeadBucket's 403, which comes without a body and so without a code.
func forbidden(err error) bool { return awserr.Status(err) == http.StatusForbidden }

// notFound is HeadBucket's 404 (code NotFound, no body) or NoSuchBucket.
func notFound(err error) bool { return awserr.Classify(err) == awserr.NotFound }
