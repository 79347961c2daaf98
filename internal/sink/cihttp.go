package sink

import (
	"bytes"
	"context"
	"io"
	"net/http"
)

// ciCall sends one request to a CI system's API (github:, github-org:, gitlab:) with the
// headers given, a JSON body when there is one, and reads at most 1 MiB of the answer; err is
// only the failure to get an answer, each caller words the statuses as its system means them.
func ciCall(ctx context.Context, c *http.Client, method, url string, body []byte, header http.Header) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header = header
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp, b, nil
}
