package trail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/awsapi/cloudtrail"
	cttypes "github.com/keywarden/keywarden/internal/awsapi/cloudtrail/types"
	"github.com/keywarden/keywarden/internal/awserr"
)

// API is the CloudTrail call Lookup makes.
type API interface {
	LookupEvents(ctx context.Context, in *cloudtrail.LookupEventsInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error)
}

// LastUsedAPI is the IAM call of the fallback.
type LastUsedAPI interface {
	GetAccessKeyLastUsed(ctx context.Context, in *iam.GetAccessKeyLastUsedInput, optFns ...func(*iam.Options)) (*iam.GetAccessKeyLastUsedOutput, error)
}

// Region is one region's event history.
type Region struct {
	Name string
	API  API
}

// Source is where Lookup reads one account: a CloudTrail client per region, and IAM for the
// fallback (nil: no fallback).
type Source struct {
	Regions []Region
	IAM     LastUsedAPI
}

// GlobalRegion holds the events of IAM and of STS's global endpoint.
const GlobalRegion = "us-east-1"

// NewSource builds a Source from cfg over regions, or, when none are given, over cfg's region
// and GlobalRegion.
func NewSource(cfg aws.Config, regions []string, lastUsed LastUsedAPI) Source {
	if len(regions) == 0 {
		regions = []string{cfg.Region, GlobalRegion}
	}
	s := Source{IAM: lastUsed}
	for _, r := range uniq(regions) {
		if r == "" {
			continue
		}
		c := cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) { o.Region = r })
		s.Regions = append(s.Regions, Region{Name: r, API: c})
	}
	return s
}

// MaxEvents bounds one lookup: LookupEvents answers 50 events a page at two requests a
// second, so a key used all day would otherwise hold a run for minutes. Activity.Truncated
// says when it was reached.
const MaxEvents = 2000

// Lookup reads what keyID did between since and until in every region of src. A region that
// cannot be read is named in Activity.Unread; the error is returned only when no region could be
// read at all. When CloudTrail has no event and src.IAM is set, IAM's last use is the answer.
func Lookup(ctx context.Context, src Source, keyID string, since, until time.Time) (Activity, error) {
	a := Activity{AccessKeyID: keyID, Since: since.UTC(), Until: until.UTC()}
	var evs []Event
	var firstErr error
	for _, r := range src.Regions {
		got, truncated, err := lookupRegion(ctx, r, keyID, since, until, MaxEvents-len(evs))
		if err != nil {
			a.Unread = append(a.Unread, r.Name)
			if firstErr == nil {
				firstErr = awserr.Wrap(fmt.Sprintf("look up the events of %s in %s (cloudtrail:LookupEvents)", keyID, r.Name), err)
			}
			continue
		}
		a.Searched = append(a.Searched, r.Name)
		evs = append(evs, got...)
		a.Truncated = a.Truncated || truncated
	}
	if len(a.Searched) == 0 && firstErr != nil {
		return a, firstErr
	}
	a.add(evs)
	if len(evs) > 0 {
		a.From = FromCloudTrail
		return a, nil
	}
	if src.IAM == nil {
		return a, nil
	}
	out, err := src.IAM.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(keyID)})
	if err != nil {
		return a, awserr.Wrap("read the last use of "+keyID+" (iam:GetAccessKeyLastUsed)", err)
	}
	if lu := out.AccessKeyLastUsed; lu != nil && lu.LastUsedDate != nil {
		a.From = FromIAM
		a.LastUsed = &LastUsed{At: lu.LastUsedDate.UTC(), Service: aws.ToString(lu.ServiceName), Region: aws.ToString(lu.Region)}
	}
	return a, nil
}

func lookupRegion(ctx context.Context, r Region, keyID string, since, until time.Time, room int) ([]Event, bool, error) {
	in := &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyAccessKeyId, AttributeValue: aws.String(keyID)}},
		StartTime:        aws.Time(since),
		EndTime:          aws.Time(until),
		MaxResults:       aws.Int32(50),
	}
	var out []Event
	for {
		page, err := r.API.LookupEvents(ctx, in)
		if err != nil {
			return nil, false, err
		}
		for _, e := range page.Events {
			if len(out) >= room {
				return out, true, nil
			}
			ev, err := Parse(e)
			if err != nil {
				return nil, false, err
			}
			if ev.Region == "" {
				ev.Region = r.Name
			}
			out = append(out, ev)
		}
		if aws.ToString(page.NextToken) == "" {
			return out, false, nil
		}
		if len(out) >= room {
			return out, true, nil
		}
		in.NextToken = page.NextToken
	}
}

// Event is one call as CloudTrail recorded it.
type Event struct {
	Time      time.Time
	Source    string // eventSource: iam.amazonaws.com
	Name      string // eventName: ListUsers
	Region    string // awsRegion
	SourceIP  string // sourceIPAddress
	UserAgent string
	ErrorCode string // empty when the call succeeded
}

// record is the part of a CloudTrail record (the event's CloudTrailEvent JSON) Lookup reads.
type record struct {
	EventTime       string `json:"eventTime"`
	EventSource     string `json:"eventSource"`
	EventName       string `json:"eventName"`
	AWSRegion       string `json:"awsRegion"`
	SourceIPAddress string `json:"sourceIPAddress"`
	UserAgent       string `json:"userAgent"`
	ErrorCode       string `json:"errorCode"`
}

// ErrBadRecord is an event whose CloudTrailEvent is not a JSON record.
var ErrBadRecord = errors.New("CloudTrail event record is not JSON")

// Parse reads one LookupEvents event. The record (CloudTrailEvent) is what CloudTrail
// logged; the event's own fields fill what the record lacks.
func Parse(e cttypes.Event) (Event, error) {
	var rec record
	if s := aws.ToString(e.CloudTrailEvent); s != "" {
		if err := json.Unmarshal([]byte(s), &rec); err != nil {
			return Event{}, fmt.Errorf("%w: event %s: %v", ErrBadRecord, aws.ToString(e.EventId), err)
		}
	}
	ev := Event{Source: rec.EventSource, Name: rec.EventName, Region: rec.AWSRegion,
		SourceIP: rec.SourceIPAddress, UserAgent: rec.UserAgent, ErrorCode: rec.ErrorCode}
	if e.EventTime != nil {
		ev.Time = e.EventTime.UTC()
	} else if t, err := time.Parse(time.RFC3339, rec.EventTime); err == nil {
		ev.Time = t.UTC()
	}
	if ev.Source == "" {
		ev.Source = aws.ToString(e.EventSource)
	}
	if ev.Name == "" {
		ev.Name = aws.ToString(e.EventName)
	}
	return ev, nil
}

func uniq(ss []string) []string {
	out := slices.Clone(ss)
	sort.Strings(out)
	return slices.Compact(out)
}
