// Package types is the part of CloudTrail's LookupEvents that keywarden sends and reads, under
// the SDK's names (service/cloudtrail/types).
package types

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	smithytime "github.com/aws/smithy-go/time"
)

// LookupAttribute selects events by one attribute.
type LookupAttribute struct {
	AttributeKey   LookupAttributeKey `json:"AttributeKey"`
	AttributeValue *string            `json:"AttributeValue"`
}

// LookupAttributeKey names the attribute a lookup selects by.
type LookupAttributeKey string

// LookupAttributeKeyAccessKeyId selects the calls made with one access key.
const LookupAttributeKeyAccessKeyId LookupAttributeKey = "AccessKeyId" //nolint:revive // the SDK's name

// Event is one event of CloudTrail's history.
type Event struct {
	EventId         *string //nolint:revive // the SDK's name
	EventName       *string
	EventSource     *string
	EventTime       *time.Time
	CloudTrailEvent *string // the record as CloudTrail logged it, a JSON document
}

// UnmarshalJSON reads an event as JSON 1.1 writes it: EventTime in epoch seconds, a number.
func (e *Event) UnmarshalJSON(b []byte) error {
	var w struct {
		EventId, EventName, EventSource, CloudTrailEvent *string //nolint:revive // the SDK's name
		EventTime                                        *json.Number
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*e = Event{EventId: w.EventId, EventName: w.EventName, EventSource: w.EventSource, CloudTrailEvent: w.CloudTrailEvent}
	if w.EventTime != nil {
		t, err := ParseEpoch(*w.EventTime)
		if err != nil {
			return fmt.Errorf("EventTime: %w", err)
		}
		e.EventTime = &t
	}
	return nil
}

// ParseEpoch is a JSON 1.1 timestamp: seconds since the epoch, to the millisecond.
func ParseEpoch(n json.Number) (time.Time, error) {
	f, err := n.Float64()
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not epoch seconds", n)
	}
	return smithytime.ParseEpochSeconds(f), nil
}

// Epoch writes t as JSON 1.1 does: epoch seconds, to the millisecond, as a number.
func Epoch(t time.Time) json.Number {
	return json.Number(strconv.FormatFloat(smithytime.FormatEpochSeconds(t), 'f', -1, 64))
}
