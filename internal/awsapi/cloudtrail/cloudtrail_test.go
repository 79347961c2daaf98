package cloudtrail

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/keywarden/keywarden/internal/awsapi/cloudtrail/types"
)

// JSON 1.1's timestamps are epoch seconds written as plain numbers, to the millisecond, as
// the SDK's serializer writes them; unset members are left out.
func TestLookupEventsInputEncoding(t *testing.T) {
	at := time.Date(2017, 1, 1, 0, 0, 0, 123_456_789, time.UTC)
	for _, c := range []struct {
		name string
		in   *LookupEventsInput
		want string
	}{
		{"bounds to the millisecond", &LookupEventsInput{StartTime: aws.Time(at), EndTime: aws.Time(at.Add(time.Hour).Truncate(time.Second))},
			`{"StartTime":1483228800.123,"EndTime":1483232400}`},
		{"by key, a page", &LookupEventsInput{
			LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyAccessKeyId, AttributeValue: aws.String("AKIAEXAMPLE")}},
			MaxResults:       aws.Int32(50), NextToken: aws.String("t2"),
		}, `{"LookupAttributes":[{"AttributeKey":"AccessKeyId","AttributeValue":"AKIAEXAMPLE"}],"MaxResults":50,"NextToken":"t2"}`},
		{"nothing set", &LookupEventsInput{}, `{}`},
	} {
		b, err := json.Marshal(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, b, c.want)
		}
	}
}

func TestEventDecoding(t *testing.T) {
	for _, c := range []struct {
		name, body string
		want       time.Time // zero: no EventTime
		bad        bool
	}{
		{"whole seconds", `{"EventId":"e1","EventTime":1511995183}`, time.Date(2017, 11, 29, 22, 39, 43, 0, time.UTC), false},
		{"milliseconds", `{"EventId":"e1","EventTime":1511995183.25}`, time.Date(2017, 11, 29, 22, 39, 43, 250_000_000, time.UTC), false},
		{"exponent", `{"EventId":"e1","EventTime":1.511995183E9}`, time.Date(2017, 11, 29, 22, 39, 43, 0, time.UTC), false},
		{"absent", `{"EventId":"e1"}`, time.Time{}, false},
		{"a string is not the wire's", `{"EventId":"e1","EventTime":"2017-11-29T22:39:43Z"}`, time.Time{}, true},
	} {
		var e types.Event
		err := json.Unmarshal([]byte(c.body), &e)
		if c.bad {
			if err == nil {
				t.Errorf("%s: decoded %v, want an error", c.name, e.EventTime)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if aws.ToString(e.EventId) != "e1" || (e.EventTime == nil) != c.want.IsZero() || e.EventTime != nil && !e.EventTime.Equal(c.want) {
			t.Errorf("%s: %+v, want time %s", c.name, e, c.want)
		}
	}
}
