package keys

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestStateRoundTripsWithinIAMTagLimits(t *testing.T) {
	at := time.Date(2026, 11, 23, 15, 4, 5, 0, time.UTC)
	long := strings.Repeat("A", 20)
	for name, s := range map[string]Rotation{
		"creating, no old key": {Phase: PhaseCreating, Started: at, Grace: 24 * time.Hour, Dests: Digest([]string{"ssm:/x"})},
		"delivered, two keys before": {Phase: PhaseDelivered, OldKeyID: "AKIA" + long[4:], NewKeyID: "AKIB" + long[4:],
			Before: []string{"AKIA" + long[4:], "AKIC" + long[4:]}, Started: at, Delivered: at.Add(time.Minute), Dests: "0badf00d", Run: "0123abcd", Token: TokenDigest("job:rotate-ci@2026-11-23T15:00:00Z"), Retiring: true},
	} {
		t.Run(name, func(t *testing.T) {
			v := s.String()
			if len(v) > MaxTagValueLen {
				t.Fatalf("%d characters, IAM allows %d", len(v), MaxTagValueLen)
			}
			for _, c := range v {
				if !ValidTagChar(c) {
					t.Fatalf("%q has %q, which IAM refuses", v, c)
				}
			}
			got, err := ParseRotation(v)
			if err != nil || !reflect.DeepEqual(got, s) {
				t.Fatalf("ParseRotation(%q) = %+v, %v; want %+v", v, got, err, s)
			}
		})
	}
	if _, err := ParseRotation("created 2026-11-23T15:00:00Z by=rotate"); err == nil {
		t.Fatal("a provenance record was taken for a rotation state")
	}
	if Digest([]string{"a", "b"}) != Digest([]string{"b", "a"}) || Digest([]string{"a"}) == Digest([]string{"b"}) {
		t.Fatal("digest depends on order, or ignores content")
	}
}
