package emu

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
)

// The proxy's LookupEvents honours what CloudTrail's does: the AccessKeyId attribute, the time
// bounds, MaxResults with NextToken, the most recent first; and refuses what it does not model.
func TestProxyLookupEventsPagesAndBounds(t *testing.T) {
	srv.Reset(t)
	p := srv.Proxy(t)
	ctx := context.Background()
	a := iam.NewFromConfig(p.Config("AKIAAAAAAAAAAAAAAAAA", "a"))
	b := iam.NewFromConfig(p.Config("AKIABBBBBBBBBBBBBBBB", "b"))
	for range 5 {
		if _, err := a.ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")}); err == nil {
		t.Fatal("GetUser of nobody succeeded")
	}
	evs := p.Trail()
	if len(evs) != 6 || evs[5].ErrorCode != "NoSuchEntity" || evs[0].Source != "iam.amazonaws.com" || evs[0].Region != "us-east-1" {
		t.Fatalf("trail %+v", evs)
	}

	ct := cloudtrail.NewFromConfig(p.Config("AKIAADMIN", "x"))
	lookup := func(in *cloudtrail.LookupEventsInput) []cttypes.Event {
		t.Helper()
		var all []cttypes.Event
		for {
			out, err := ct.LookupEvents(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, out.Events...)
			if out.NextToken == nil {
				return all
			}
			in.NextToken = out.NextToken
		}
	}
	byKey := func(id string) []cttypes.LookupAttribute {
		return []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyAccessKeyId, AttributeValue: aws.String(id)}}
	}
	got := lookup(&cloudtrail.LookupEventsInput{LookupAttributes: byKey("AKIAAAAAAAAAAAAAAAAA"), MaxResults: aws.Int32(2)})
	// A floor: the SDK may retry a page (see TestTrailFindsWhatAKeyDidThroughTheSDKAndTheCLI).
	if len(got) != 5 || p.Count("LookupEvents") < 3 {
		t.Fatalf("%d events in %d calls, want 5 in 3 pages of 2", len(got), p.Count("LookupEvents"))
	}
	for i := 1; i < len(got); i++ {
		if got[i].EventTime.After(*got[i-1].EventTime) {
			t.Fatalf("event %d is later than event %d: want the most recent first", i, i-1)
		}
	}
	if aws.ToString(got[0].EventName) != "ListUsers" || aws.ToString(got[0].AccessKeyId) != "AKIAAAAAAAAAAAAAAAAA" {
		t.Fatalf("event %+v", got[0])
	}
	after := evs[5].Time.Add(time.Second)
	if got := lookup(&cloudtrail.LookupEventsInput{LookupAttributes: byKey("AKIAAAAAAAAAAAAAAAAA"), StartTime: &after}); len(got) != 0 {
		t.Fatalf("%d events after the last one", len(got))
	}
	before := evs[0].Time.Add(-time.Second)
	if got := lookup(&cloudtrail.LookupEventsInput{LookupAttributes: byKey("AKIABBBBBBBBBBBBBBBB"), EndTime: &before}); len(got) != 0 {
		t.Fatalf("%d events before the first one", len(got))
	}

	_, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("ListUsers")}}})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidLookupAttributesException" {
		t.Fatalf("lookup by EventName: %v", err)
	}
}
