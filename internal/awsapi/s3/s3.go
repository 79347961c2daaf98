// Package s3 is the S3 calls `keywarden deploy` makes (the code bucket and the Lambda's
// package), under the SDK's names, without the SDK's generated client (see internal/awsapi),
// which besides its endpoint table links s3shared, checksums, SigV4a and event streams.
package s3

import (
	"bytes"
	"context"
	"crypto/md5" //nolint:gosec // S3's Content-MD5 is an integrity check, not a signature
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/keywarden/keywarden/internal/awsapi"
	"github.com/keywarden/keywarden/internal/awsapi/s3/types"
)

// Options exists for the SDK's call signature; nothing is configurable per call.
type Options struct{}

// Client calls S3.
type Client struct{ api *awsapi.Client }

// NewFromConfig returns the S3 client of cfg: buckets by path on a configured endpoint (an
// emulator, a VPC endpoint rarely serves bucket subdomains), as subdomains on AWS's.
func NewFromConfig(cfg aws.Config) *Client {
	return &Client{awsapi.New(cfg, awsapi.Service{ID: "S3", Prefix: "s3", SigningName: "s3", SignPathAsSent: true})}
}

// HeadBucketInput is HeadBucket's input.
type HeadBucketInput struct{ Bucket *string }

// HeadBucketOutput is HeadBucket's answer; keywarden reads only whether there is one.
type HeadBucketOutput struct{}

// HeadBucket asks whether the bucket exists and the caller may list it.
func (c *Client) HeadBucket(ctx context.Context, in *HeadBucketInput, _ ...func(*Options)) (*HeadBucketOutput, error) {
	if _, err := c.do(ctx, "HeadBucket", http.MethodHead, in.Bucket, nil, nil, nil, nil); err != nil {
		return nil, err
	}
	return &HeadBucketOutput{}, nil
}

// CreateBucketInput is CreateBucket's input.
type CreateBucketInput struct {
	Bucket                    *string
	CreateBucketConfiguration *types.CreateBucketConfiguration
}

// CreateBucketOutput is CreateBucket's answer; keywarden reads nothing of it.
type CreateBucketOutput struct{}

// CreateBucket creates a bucket.
func (c *Client) CreateBucket(ctx context.Context, in *CreateBucketInput, _ ...func(*Options)) (*CreateBucketOutput, error) {
	var body []byte
	if in.CreateBucketConfiguration != nil {
		var err error
		if body, err = document("CreateBucketConfiguration", in.CreateBucketConfiguration); err != nil {
			return nil, c.api.SerializationError("CreateBucket", err)
		}
	}
	if _, err := c.do(ctx, "CreateBucket", http.MethodPut, in.Bucket, nil, nil, nil, body); err != nil {
		return nil, err
	}
	return &CreateBucketOutput{}, nil
}

// PutPublicAccessBlockInput is PutPublicAccessBlock's input.
type PutPublicAccessBlockInput struct {
	Bucket                         *string
	PublicAccessBlockConfiguration *types.PublicAccessBlockConfiguration
}

// PutPublicAccessBlockOutput is PutPublicAccessBlock's answer.
type PutPublicAccessBlockOutput struct{}

// PutPublicAccessBlock sets the bucket's public access guards.
func (c *Client) PutPublicAccessBlock(ctx context.Context, in *PutPublicAccessBlockInput, _ ...func(*Options)) (*PutPublicAccessBlockOutput, error) {
	body, err := document("PublicAccessBlockConfiguration", in.PublicAccessBlockConfiguration)
	if err != nil {
		return nil, c.api.SerializationError("PutPublicAccessBlock", err)
	}
	// S3 refuses this operation without a checksum of its body (httpChecksumRequired).
	h := http.Header{"Content-Md5": {contentMD5(body)}}
	if _, err := c.do(ctx, "PutPublicAccessBlock", http.MethodPut, in.Bucket, nil, url.Values{"publicAccessBlock": {""}}, h, body); err != nil {
		return nil, err
	}
	return &PutPublicAccessBlockOutput{}, nil
}

// HeadObjectInput is HeadObject's input.
type HeadObjectInput struct {
	Bucket *string
	Key    *string
}

// HeadObjectOutput is HeadObject's answer: what keywarden reads of the object's metadata.
type HeadObjectOutput struct{ ContentLength *int64 }

// HeadObject reads an object's metadata.
func (c *Client) HeadObject(ctx context.Context, in *HeadObjectInput, _ ...func(*Options)) (*HeadObjectOutput, error) {
	resp, err := c.do(ctx, "HeadObject", http.MethodHead, in.Bucket, in.Key, nil, nil, nil)
	if err != nil {
		return nil, err
	}
	return &HeadObjectOutput{ContentLength: contentLength(resp.Header)}, nil
}

// PutObjectInput is PutObject's input.
type PutObjectInput struct {
	Bucket      *string
	Key         *string
	Body        io.Reader
	ContentType *string
}

// PutObjectOutput is PutObject's answer; keywarden reads nothing of it.
type PutObjectOutput struct{}

// PutObject stores an object; S3 checks it against the Content-MD5 it is sent with.
func (c *Client) PutObject(ctx context.Context, in *PutObjectInput, _ ...func(*Options)) (*PutObjectOutput, error) {
	body := []byte{}
	if in.Body != nil {
		var err error
		if body, err = io.ReadAll(in.Body); err != nil {
			return nil, c.api.SerializationError("PutObject", err)
		}
	}
	h := http.Header{"Content-Md5": {contentMD5(body)}}
	if in.ContentType != nil {
		h.Set("Content-Type", *in.ContentType)
	}
	if _, err := c.do(ctx, "PutObject", http.MethodPut, in.Bucket, in.Key, nil, h, body); err != nil {
		return nil, err
	}
	return &PutObjectOutput{}, nil
}

func (c *Client) do(ctx context.Context, op, method string, bucket, key *string, q url.Values, h http.Header, body []byte) (*awsapi.Response, error) {
	if aws.ToString(bucket) == "" || key != nil && *key == "" {
		return nil, c.api.SerializationError(op, errors.New("no bucket or key is given"))
	}
	// A config whose endpoint cannot be read fails the call at resolving it, with the reason.
	custom, _ := c.api.Configured()
	path, host := address(*bucket, aws.ToString(key), custom)
	return c.api.Do(ctx, awsapi.Call{Op: op, Method: method, Path: path, URL: host, Query: q, Header: h,
		Body: body, ContentSHA256: true, DecodeError: awsapi.XMLError})
}

// address is the request's path and, for a virtual-hosted bucket, the rewrite of the resolved
// URL that moves the bucket from the path to the host. AWS's endpoints serve a bucket as a
// subdomain; one whose name has a dot (no TLS certificate matches it) or is not a DNS label
// is addressed by path, as the SDK does.
func address(bucket, key string, pathStyle bool) (string, func(*url.URL)) {
	path := "/" + bucket
	if key != "" {
		path += "/" + key
	}
	if pathStyle || !dnsLabel(bucket) {
		return path, nil
	}
	return path, func(u *url.URL) {
		u.Host = bucket + "." + u.Host
		u.Path = strings.TrimPrefix(u.Path, "/"+bucket)
		if u.Path == "" {
			u.Path = "/"
		}
	}
}

func dnsLabel(s string) bool {
	if len(s) < 3 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// document is an S3 request body: v under the root element name in S3's namespace.
func document(name string, v any) ([]byte, error) {
	var b bytes.Buffer
	enc := xml.NewEncoder(&b)
	err := enc.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: name},
		Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: "http://s3.amazonaws.com/doc/2006-03-01/"}}})
	return b.Bytes(), err
}

func contentMD5(body []byte) string {
	sum := md5.Sum(body) //nolint:gosec // see the import
	return base64.StdEncoding.EncodeToString(sum[:])
}

// contentLength is the object's size from a HEAD answer, nil if it has none.
func contentLength(h http.Header) *int64 {
	n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
	if err != nil {
		return nil
	}
	return &n
}
