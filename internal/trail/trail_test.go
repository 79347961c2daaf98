package trail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/keywarden/keywarden/internal/awsapi/cloudtrail"
	cttypes "github.com/keywarden/keywarden/internal/awsapi/cloudtrail/types"
)

// The AWS CLI's documented lookup-events output: the record's fields are read from the
// CloudTrailEvent JSON.
func TestParseReadsTheDocumentedRecord(t *testing.T) {
	var doc struct {
		Events []struct {
			EventId, EventName, EventTime, CloudTrailEvent string
		}
	}
	b, err := os.ReadFile("testdata/cli-lookup-events.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	e := doc.Events[0]
	at, err := time.Parse(time.RFC3339, e.EventTime)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(cttypes.Event{EventId: &e.EventId, EventName: &e.EventName, EventTime: &at, CloudTrailEvent: &e.CloudTrailEvent})
	if err != nil {
		t.Fatal(err)
	}
	want := Event{Time: at.UTC(), Source: "signin.amazonaws.com", Name: "ConsoleLogin", Region: "us-east-1", SourceIP: "72.21.198.70",
		UserAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/47.0.2526.111 Safari/537.36"}
	if got != want {
		t.Fatalf("Parse =\n%+v\nwant\n%+v", got, want)
	}
}

func TestParseRefusesARecordThatIsNotJSON(t *testing.T) {
	_, err := Parse(cttypes.Event{EventId: aws.String("e1"), CloudTrailEvent: aws.String("{not json")})
	if !errors.Is(err, ErrBadRecord) {
		t.Fatalf("err = %v, want ErrBadRecord", err)
	}
}

// cloudTrail answers LookupEvents with the recorded pages, in order, through the client
// keywarden calls CloudTrail with, and keeps what it was asked.
type cloudTrail struct {
	pages [][]byte
	asked []map[string]any
}

func (c *cloudTrail) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var in map[string]any
	json.Unmarshal(body, &in)
	c.asked = append(c.asked, in)
	if !strings.HasSuffix(r.Header.Get("X-Amz-Target"), "CloudTrail_20131101.LookupEvents") {
		http.Error(w, "unexpected target "+r.Header.Get("X-Amz-Target"), 400)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Write(c.pages[len(c.asked)-1])
}

func ctClient(url string) *cloudtrail.Client {
	return cloudtrail.NewFromConfig(aws.Config{Region: "us-east-2", BaseEndpoint: aws.String(url),
		Credentials: aws.AnonymousCredentials{}, Retryer: func() aws.Retryer { return aws.NopRetryer{} }})
}

func TestLookupPagesAndSumsUpTheDocumentedResponses(t *testing.T) {
	ct := &cloudTrail{}
	for _, f := range []string{"testdata/lookupevents-page1.json", "testdata/lookupevents-page2.json"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ct.pages = append(ct.pages, b)
	}
	srv := httptest.NewServer(ct)
	defer srv.Close()
	since := time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)
	until := time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)
	src := Source{Regions: []Region{{Name: "us-east-2", API: ctClient(srv.URL)}}}

	a, err := Lookup(context.Background(), src, "AKIAIIJM2K4example", since, until)
	if err != nil {
		t.Fatal(err)
	}
	if len(ct.asked) != 2 || ct.asked[1]["NextToken"] != "page-2" {
		t.Fatalf("asked %v, want two pages, the second with NextToken", ct.asked)
	}
	attrs, _ := ct.asked[0]["LookupAttributes"].([]any)
	if len(attrs) != 1 || attrs[0].(map[string]any)["AttributeKey"] != "AccessKeyId" || attrs[0].(map[string]any)["AttributeValue"] != "AKIAIIJM2K4example" {
		t.Fatalf("LookupAttributes = %v", ct.asked[0]["LookupAttributes"])
	}
	if ct.asked[0]["StartTime"] != float64(since.Unix()) || ct.asked[0]["EndTime"] != float64(until.Unix()) {
		t.Fatalf("bounds = %v..%v, want %d..%d", ct.asked[0]["StartTime"], ct.asked[0]["EndTime"], since.Unix(), until.Unix())
	}
	if a.From != FromCloudTrail || a.Events != 2 || len(a.Searched) != 1 {
		t.Fatalf("activity = %+v", a)
	}
	if want := time.Date(2016, 7, 14, 19, 15, 45, 0, time.UTC); !a.First.Equal(want) {
		t.Fatalf("first = %s, want %s", a.First, want)
	}
	if want := time.Date(2017, 11, 29, 22, 39, 43, 0, time.UTC); !a.Last.Equal(want) {
		t.Fatalf("last = %s, want %s", a.Last, want)
	}
	var failed *Call
	for i := range a.Calls {
		if a.Calls[i].Name == "UpdateTrail" {
			failed = &a.Calls[i]
		}
	}
	if failed == nil || failed.Source != "cloudtrail.amazonaws.com" || failed.Errors != 1 || failed.ErrorCodes[0] != "TrailNotFoundException" {
		t.Fatalf("calls = %+v, want UpdateTrail refused with TrailNotFoundException", a.Calls)
	}
	if len(a.Consumers) != 2 || a.Consumers[0].SourceIP != "203.0.113.0" || a.Consumers[1].UserAgent != "aws-cli/1.10.32 Python/2.7.9 Windows/7 botocore/1.4.22" {
		t.Fatalf("consumers = %+v, want the latest first", a.Consumers)
	}
	if strings.Join(a.Regions, ",") != "us-east-1,us-east-2" {
		t.Fatalf("regions = %v", a.Regions)
	}

	var table, js bytes.Buffer
	if err := Render(&table, a, "table"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"made 2 calls", "205.251.233.182", "TrailNotFoundException", "DescribePermissionsPolicies"} {
		if !strings.Contains(table.String(), s) {
			t.Errorf("table lacks %q:\n%s", s, table.String())
		}
	}
	if err := Render(&js, a, "json"); err != nil {
		t.Fatal(err)
	}
	var back Activity
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.Events != 2 || back.Consumers[0].UserAgent == "" {
		t.Fatalf("JSON does not read back (%v):\n%s", err, js.String())
	}
	if w := Who(a, 1); !strings.Contains(w, "203.0.113.0 with") || !strings.Contains(w, "and 1 more") {
		t.Fatalf("Who = %q", w)
	}
}

type lastUsed struct{ out iamtypes.AccessKeyLastUsed }

func (l lastUsed) GetAccessKeyLastUsed(context.Context, *iam.GetAccessKeyLastUsedInput, ...func(*iam.Options)) (*iam.GetAccessKeyLastUsedOutput, error) {
	return &iam.GetAccessKeyLastUsedOutput{AccessKeyLastUsed: &l.out}, nil
}

type pages []*cloudtrail.LookupEventsOutput

func (p *pages) LookupEvents(context.Context, *cloudtrail.LookupEventsInput, ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error) {
	out := (*p)[0]
	*p = (*p)[1:]
	return out, nil
}

type denied struct{}

func (denied) LookupEvents(context.Context, *cloudtrail.LookupEventsInput, ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error) {
	return nil, errors.New("AccessDenied")
}

func TestLookupFallsBackToIAMAndSaysSo(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	empty := &pages{{}}
	src := Source{Regions: []Region{{Name: "eu-west-1", API: empty}, {Name: "us-east-1", API: denied{}}},
		IAM: lastUsed{iamtypes.AccessKeyLastUsed{LastUsedDate: &at, ServiceName: aws.String("s3"), Region: aws.String("eu-west-1")}}}
	a, err := Lookup(context.Background(), src, "AKIAEXAMPLE", at.Add(-time.Hour), at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if a.From != FromIAM || a.LastUsed == nil || a.LastUsed.Service != "s3" || len(a.Unread) != 1 || a.Unread[0] != "us-east-1" {
		t.Fatalf("activity = %+v", a)
	}
	s := Summary(a)
	for _, want := range []string{"has no call of AKIAEXAMPLE", "IAM says it was last used 2026-03-01T12:00:00Z (s3 in eu-west-1)", "us-east-1 could not be read"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary %q lacks %q", s, want)
		}
	}
	if Who(a, 3) != "" {
		t.Fatalf("Who named someone IAM cannot know")
	}
}

func TestLookupFailsWhenNoRegionCanBeRead(t *testing.T) {
	src := Source{Regions: []Region{{Name: "us-east-1", API: denied{}}}}
	if _, err := Lookup(context.Background(), src, "AKIAEXAMPLE", time.Time{}, time.Time{}); err == nil {
		t.Fatal("Lookup read nothing and reported no error")
	}
}

func TestLookupStopsAtMaxEvents(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	page := &cloudtrail.LookupEventsOutput{NextToken: aws.String("more")}
	for range 50 {
		page.Events = append(page.Events, cttypes.Event{EventName: aws.String("GetCallerIdentity"), EventSource: aws.String("sts.amazonaws.com"), EventTime: &at})
	}
	var p pages
	for range MaxEvents/50 + 5 {
		p = append(p, page)
	}
	a, err := Lookup(context.Background(), Source{Regions: []Region{{Name: "us-east-1", API: &p}}}, "AKIAEXAMPLE", at, at)
	if err != nil {
		t.Fatal(err)
	}
	if a.Events != MaxEvents || !a.Truncated || len(p) != 5 { // 40 pages read, not one more
		t.Fatalf("events %d, truncated %v, %d pages left", a.Events, a.Truncated, len(p))
	}
}

func TestRenderRefusesAnUnknownFormat(t *testing.T) {
	if err := Render(io.Discard, Activity{AccessKeyID: "AKIAEXAMPLE"}, "yaml"); err == nil || !strings.Contains(err.Error(), "use table or json") {
		t.Fatalf("Render yaml: %v", err)
	}
}
