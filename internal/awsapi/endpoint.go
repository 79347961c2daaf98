package awsapi

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Endpoint is where the service is reached, as the SDK's generated clients choose it: the
// service's own configured endpoint (AWS_ENDPOINT_URL_<ID>, or endpoint_url in the profile's
// services section) first, then the general one (AWS_ENDPOINT_URL, endpoint_url), then AWS's
// public endpoint for the region, FIPS if the config asks for it. It is resolved once per
// client, as the config it reads does not change.
func (c *Client) Endpoint() (*url.URL, error) {
	e, err := c.endpoint()
	if err != nil {
		return nil, err
	}
	u := *e.url
	return &u, nil
}

// Configured reports whether the endpoint is one the config names rather than AWS's public
// one: S3 addresses buckets by path there, since an emulator or a VPC endpoint rarely serves
// bucket subdomains.
func (c *Client) Configured() (bool, error) {
	e, err := c.endpoint()
	return e.configured, err
}

type endpoint struct {
	url        *url.URL
	configured bool
}

func (c *Client) resolve() (endpoint, error) {
	raw, err := c.configured()
	if err != nil {
		return endpoint{}, err
	}
	e := endpoint{configured: raw != ""}
	if raw == "" {
		if raw, err = public(c.svc.Prefix, c.Region(), c.fips()); err != nil {
			return endpoint{}, err
		}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return endpoint{}, fmt.Errorf("the endpoint %q for %s is not an http(s) URL; fix AWS_ENDPOINT_URL_%s or AWS_ENDPOINT_URL", raw, c.svc.ID, envName(c.svc.ID))
	}
	e.url = u
	return e, nil
}

// The interfaces the config's sources implement (config.EnvConfig, config.SharedConfig); the
// SDK's own copy of them is internal to it.
type (
	serviceEndpoints interface {
		GetServiceBaseEndpoint(ctx context.Context, sdkID string) (string, bool, error)
	}
	ignoreEndpoints interface {
		GetIgnoreConfiguredEndpoints(ctx context.Context) (bool, bool, error)
	}
	fipsSource interface {
		GetUseFIPSEndpoint(ctx context.Context) (aws.FIPSEndpointState, bool, error)
	}
)

func (c *Client) configured() (string, error) {
	for _, s := range c.cfg.ConfigSources {
		if p, ok := s.(ignoreEndpoints); ok {
			if ignore, found, _ := p.GetIgnoreConfiguredEndpoints(context.Background()); found {
				if ignore {
					return "", nil
				}
				break
			}
		}
	}
	for _, s := range c.cfg.ConfigSources {
		if p, ok := s.(serviceEndpoints); ok {
			v, found, err := p.GetServiceBaseEndpoint(context.Background(), c.svc.ID)
			if err != nil {
				return "", fmt.Errorf("read the configured endpoint of %s: %w", c.svc.ID, err)
			}
			if found && v != "" {
				return v, nil
			}
		}
	}
	return aws.ToString(c.cfg.BaseEndpoint), nil
}

func (c *Client) fips() bool {
	for _, s := range c.cfg.ConfigSources {
		if p, ok := s.(fipsSource); ok {
			if v, found, _ := p.GetUseFIPSEndpoint(context.Background()); found {
				return v == aws.FIPSEndpointStateEnabled
			}
		}
	}
	return false
}

// regionRE compiles on first use: nothing of this package runs at start-up.
var regionRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)+$`) })

// public is AWS's endpoint of a service in region: the DNS suffix is the region's partition's.
func public(prefix, region string, fips bool) (string, error) {
	if region == "" {
		return "", fmt.Errorf("no region is set; pass --region or set AWS_REGION")
	}
	if !regionRE().MatchString(region) {
		return "", fmt.Errorf("%q is not a region name (e.g. us-east-1); fix --region or AWS_REGION", region)
	}
	if fips {
		prefix += "-fips"
	}
	return "https://" + prefix + "." + region + "." + dnsSuffix(region), nil
}

// dnsSuffix is the domain of region's partition (the SDK's partitions.json).
func dnsSuffix(region string) string {
	for _, p := range []struct{ prefix, suffix string }{
		{"cn-", "amazonaws.com.cn"},
		{"us-isob-", "sc2s.sgov.gov"},
		{"us-isof-", "csp.hci.ic.gov"},
		{"us-iso-", "c2s.ic.gov"},
		{"eu-isoe-", "cloud.adc-e.uk"},
		{"eusc-", "amazonaws.eu"},
	} {
		if strings.HasPrefix(region, p.prefix) {
			return p.suffix
		}
	}
	return "amazonaws.com"
}

// envName is the suffix of a service's AWS_ENDPOINT_URL_ variable.
func envName(id string) string { return strings.ToUpper(strings.ReplaceAll(id, " ", "_")) }

// maxBody bounds an answer read into memory; keywarden's largest (a stack's events, a page of
// findings) are well under it.
const maxBody = 64 << 20

func readBody(resp *smithyhttp.Response) ([]byte, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxBody {
		return nil, fmt.Errorf("the answer is larger than %d MB", maxBody>>20)
	}
	return b, nil
}
