package emu

import (
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// IAM's page when the caller gives no MaxItems, and the largest it honours.
const (
	iamPageSize = 100
	iamMaxItems = 1000
)

// SetPageSize changes the ListUsers page served when the caller gives no
// MaxItems (IAM: 100).
func (p *Proxy) SetPageSize(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pageSize = n
}

type listUsersXML struct {
	Members   []rawMember `xml:"ListUsersResult>Users>member"`
	RequestID string      `xml:"ResponseMetadata>RequestId"`
}

type rawMember struct {
	Inner string `xml:",innerxml"`
}

// listUsers pages moto's one-page answer as IAM does: MaxItems (default
// 100), IsTruncated and an opaque Marker. The request goes to moto unchanged
// (moto ignores MaxItems and Marker; changing the body would break the
// signature), and the page is cut from its full answer.
func (p *Proxy) listUsers(w http.ResponseWriter, r *http.Request, c Call) {
	status, header, body := p.forward(r)
	if status != http.StatusOK {
		copyResponse(w, status, header, body)
		return
	}
	var all listUsersXML
	if err := xml.Unmarshal(body, &all); err != nil {
		http.Error(w, "emu proxy: parse moto ListUsers: "+err.Error(), http.StatusBadGateway)
		return
	}
	p.mu.Lock()
	limit := p.pageSize
	p.mu.Unlock()
	if s := c.Params.Get("MaxItems"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > iamMaxItems {
			writeError(w, r, c, http.StatusBadRequest, "ValidationError",
				fmt.Sprintf("1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and %d", s, iamMaxItems))
			return
		}
		limit = n
	}
	start := 0
	if m := c.Params.Get("Marker"); m != "" {
		n, ok := decodeMarker(m)
		if !ok || n > len(all.Members) {
			writeError(w, r, c, http.StatusBadRequest, "InvalidInput", "Invalid Marker.")
			return
		}
		start = n
	}
	end := min(start+limit, len(all.Members))

	var b strings.Builder
	b.WriteString(`<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult><Users>`)
	for _, m := range all.Members[start:end] {
		b.WriteString("<member>" + m.Inner + "</member>")
	}
	b.WriteString("</Users>")
	if end < len(all.Members) {
		b.WriteString("<IsTruncated>true</IsTruncated><Marker>" + encodeMarker(end) + "</Marker>")
	} else {
		b.WriteString("<IsTruncated>false</IsTruncated>")
	}
	b.WriteString("</ListUsersResult><ResponseMetadata><RequestId>" + all.RequestID + "</RequestId></ResponseMetadata></ListUsersResponse>")
	header.Del("Content-Length")
	copyResponse(w, status, header, []byte(b.String()))
}

// A marker is the offset of the next user in moto's order, made opaque so
// that no client is tempted to parse it (IAM's markers are opaque too).
func encodeMarker(next int) string {
	return base64.StdEncoding.EncodeToString([]byte("emu-users:" + strconv.Itoa(next)))
}

func decodeMarker(m string) (int, bool) {
	b, err := base64.StdEncoding.DecodeString(m)
	if err != nil {
		return 0, false
	}
	s, ok := strings.CutPrefix(string(b), "emu-users:")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 0
}
