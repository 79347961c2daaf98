package emu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// CloudTrail's event history, as the proxy saw it. moto does not implement LookupEvents, and
// the proxy already sees every signed request, so it keeps one event per request it answered
// (whoever answered it: moto, a fault, the proxy's paging) and answers LookupEvents from them in
// CloudTrail's documented JSON 1.1 shape. What is real: the access key id (the SigV4
// credential), the source address, the user agent, the action, the region and service of the
// signature, the error code the client was given, and the time on moto's clock (its Date
// header, so a moto under faketime stamps the events, as it stamps everything else).
//
// Not modelled: CloudTrail's delivery delay (an event is there at once), data events (S3
// object calls have no action here and are not kept), LookupEvents' own events, requests whose
// connection a Reset fault dropped, and lookup attributes other than AccessKeyId (refused as
// AWS refuses a bad one).

// TrailEvent is one request the proxy answered, as CloudTrail would record it.
type TrailEvent struct {
	ID          string
	Time        time.Time
	AccessKeyID string
	Source      string // iam.amazonaws.com
	Name        string // the action
	Region      string // the signature's region
	SourceIP    string
	UserAgent   string
	ErrorCode   string
}

// Trail returns the events the proxy recorded, oldest first.
func (p *Proxy) Trail() []TrailEvent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]TrailEvent(nil), p.trail...)
}

var scopeRE = regexp.MustCompile(`Credential=[^/,\s]+/\d{8}/([^/]+)/([^/]+)/aws4_request`)

// recorder keeps what the client was answered, for the event.
type recorder struct {
	http.ResponseWriter
	status int
	head   []byte
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

// Unwrap lets a fault hijack the connection through http.ResponseController.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if len(r.head) < 4096 {
		r.head = append(r.head, b[:min(len(b), 4096-len(r.head))]...)
	}
	return r.ResponseWriter.Write(b)
}

// record keeps one answered request. Only the proxy's own clock is read here; skew is how far
// moto's clock is from it, learned from moto's Date headers.
func (p *Proxy) record(r *http.Request, c Call, rec *recorder, answered time.Time) {
	if c.Action == "" || c.AccessKeyID == "" || c.Action == "LookupEvents" || rec.status == 0 {
		// status 0: the connection was dropped (a Reset fault), so no answer to record.
		return
	}
	region, service := DefaultRegion, ""
	if m := scopeRE.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		region, service = m[1], m[2]
	}
	if service == "iam" {
		// IAM is global: its events are kept in us-east-1 whatever the client's region.
		region = "us-east-1"
	}
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	e := TrailEvent{ID: requestID(), AccessKeyID: c.AccessKeyID, Name: c.Action, Region: region,
		Source: service + ".amazonaws.com", SourceIP: ip, UserAgent: r.Header.Get("User-Agent")}
	if rec.status >= 400 {
		e.ErrorCode = answerCode(rec.head)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if d, err := http.ParseTime(rec.Header().Get("Date")); err == nil {
		p.skew = d.Sub(answered.Truncate(time.Second))
	}
	e.Time = answered.Add(p.skew).UTC().Truncate(time.Second)
	p.trail = append(p.trail, e)
}

var xmlCodeRE = regexp.MustCompile(`<Code>([^<]+)</Code>`)

// answerCode reads the code of an error answer in either protocol's shape.
func answerCode(body []byte) string {
	var js struct {
		Type string `json:"__type"`
	}
	if json.Unmarshal(body, &js) == nil && js.Type != "" {
		_, code, _ := strings.Cut(js.Type, "#")
		if code == "" {
			code = js.Type
		}
		return code
	}
	if m := xmlCodeRE.FindSubmatch(body); m != nil {
		return string(m[1])
	}
	return "UnknownError"
}

type lookupInput struct {
	LookupAttributes []struct{ AttributeKey, AttributeValue string }
	StartTime        *float64
	EndTime          *float64
	MaxResults       *int
	NextToken        string
}

// lookupEvents answers CloudTrail's LookupEvents from the recorded events of the request's
// region, the most recent first, as CloudTrail does.
func (p *Proxy) lookupEvents(w http.ResponseWriter, r *http.Request, c Call) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, r, c, http.StatusBadRequest, "InvalidParameterException", err.Error())
		return
	}
	var in lookupInput
	if err := json.Unmarshal(body, &in); err != nil {
		writeError(w, r, c, http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	key := ""
	for _, a := range in.LookupAttributes {
		if a.AttributeKey != "AccessKeyId" || key != "" {
			writeError(w, r, c, http.StatusBadRequest, "InvalidLookupAttributesException", "the emulated CloudTrail looks up by one AccessKeyId only")
			return
		}
		key = a.AttributeValue
	}
	limit := 50
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 50 {
			writeError(w, r, c, http.StatusBadRequest, "InvalidMaxResultsException", fmt.Sprintf("A max results value of %d is invalid. Specify max results between 1 and 50.", *in.MaxResults))
			return
		}
		limit = *in.MaxResults
	}
	if in.StartTime != nil && in.EndTime != nil && *in.StartTime > *in.EndTime {
		writeError(w, r, c, http.StatusBadRequest, "InvalidTimeRangeException", "Start time must be before end time.")
		return
	}
	region := DefaultRegion
	if m := scopeRE.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		region = m[1]
	}
	var match []TrailEvent
	for _, e := range p.Trail() {
		if e.Region != region || key != "" && e.AccessKeyID != key {
			continue
		}
		t := float64(e.Time.Unix())
		if in.StartTime != nil && t < math.Floor(*in.StartTime) || in.EndTime != nil && t > *in.EndTime {
			continue
		}
		match = append(match, e)
	}
	sort.SliceStable(match, func(i, j int) bool { return match[i].Time.After(match[j].Time) })
	from := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(in.NextToken, "emu-"))
		if err != nil || n < 0 || n > len(match) {
			writeError(w, r, c, http.StatusBadRequest, "InvalidNextTokenException", "Invalid NextToken.")
			return
		}
		from = n
	}
	to := min(from+limit, len(match))
	type event struct {
		AccessKeyId, CloudTrailEvent, EventId, EventName, EventSource string
		EventTime                                                     float64
		ReadOnly                                                      string
		Resources                                                     []any
	}
	out := struct {
		Events    []event
		NextToken string `json:",omitempty"`
	}{Events: []event{}}
	for _, e := range match[from:to] {
		out.Events = append(out.Events, event{AccessKeyId: e.AccessKeyID, CloudTrailEvent: cloudTrailRecord(e), EventId: e.ID,
			EventName: e.Name, EventSource: e.Source, EventTime: float64(e.Time.Unix()), ReadOnly: readOnly(e.Name), Resources: []any{}})
	}
	if to < len(match) {
		out.NextToken = "emu-" + strconv.Itoa(to)
	}
	var b bytes.Buffer
	json.NewEncoder(&b).Encode(out)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", requestID())
	w.Write(b.Bytes())
}

// cloudTrailRecord is the event's CloudTrailEvent: a record with the fields CloudTrail's
// record contents define, as far as the proxy knows them.
func cloudTrailRecord(e TrailEvent) string {
	rec := map[string]any{
		"eventVersion": "1.09",
		"userIdentity": map[string]any{"type": "IAMUser", "accountId": DefaultAccountID, "accessKeyId": e.AccessKeyID},
		"eventTime":    e.Time.Format(time.RFC3339), "eventSource": e.Source, "eventName": e.Name,
		"awsRegion": e.Region, "sourceIPAddress": e.SourceIP, "userAgent": e.UserAgent,
		"requestID": e.ID, "eventID": e.ID, "readOnly": readOnly(e.Name) == "true",
		"eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": DefaultAccountID,
		"eventCategory": "Management",
	}
	if e.ErrorCode != "" {
		rec["errorCode"] = e.ErrorCode
	}
	b, _ := json.Marshal(rec)
	return string(b)
}

func readOnly(action string) string {
	for _, p := range []string{"Get", "List", "Describe", "Lookup"} {
		if strings.HasPrefix(action, p) {
			return "true"
		}
	}
	return "false"
}
