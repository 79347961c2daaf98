package keys

import (
	"strings"
	"testing"
	"time"
)

func TestRecordRoundTripWithinIAMLimits(t *testing.T) {
	at := time.Date(2026, 11, 23, 15, 0, 0, 0, time.FixedZone("JST", 9*3600))
	cases := []struct {
		name       string
		origin     string
		wantOrigin string
	}{
		{"command", "deactivate", "deactivate"},
		{"job", "job:curfew", "job:curfew"},
		{"spaces and symbols are replaced", "job:my job!*", "job:my_job__"},
		{"empty origin", "", "-"},
		{"very long origin is cut to IAM's limit", strings.Repeat("x", 400), strings.Repeat("x", MaxTagValueLen-len("deactivated 2026-11-23T06:00:00Z by="))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := Record{Action: ActionDeactivated, Time: at, Origin: c.origin}.String()
			if len(v) > MaxTagValueLen {
				t.Fatalf("value is %d characters, IAM allows %d", len(v), MaxTagValueLen)
			}
			for _, ch := range v {
				if !ValidTagChar(ch) {
					t.Fatalf("value %q has %q, which IAM refuses", v, ch)
				}
			}
			r, err := ParseRecord(v)
			if err != nil {
				t.Fatal(err)
			}
			if r.Action != ActionDeactivated || !r.Time.Equal(at) || r.Origin != c.wantOrigin {
				t.Fatalf("round trip = %+v, want action %s time %s origin %q", r, ActionDeactivated, at.UTC(), c.wantOrigin)
			}
			if r.Time.Location() != time.UTC {
				t.Fatalf("time is stored in %s, want UTC", r.Time.Location())
			}
		})
	}
}

// A creation record carries the digest of its rotation's request token, whatever the origin's
// length: a rerun with that token recognises the rotation once its rotation record is gone.
func TestCreationRecordKeepsItsTokenWithinIAMLimits(t *testing.T) {
	at := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	q := TokenDigest(strings.Repeat("t", 300))
	if len(q) != 16 || q == TokenDigest("u") || TokenDigest("") != "" {
		t.Fatalf("digest %q", q)
	}
	for _, origin := range []string{"rotate", "job:" + strings.Repeat("x", 400)} {
		v := Record{Action: ActionCreated, Time: at, Origin: origin, Token: q}.String()
		if len(v) > MaxTagValueLen {
			t.Fatalf("value is %d characters, IAM allows %d", len(v), MaxTagValueLen)
		}
		r, err := ParseRecord(v)
		if err != nil || r.Token != q || r.Action != ActionCreated || !strings.HasPrefix(origin, r.Origin) {
			t.Fatalf("ParseRecord(%q) = %+v, %v; want token %s", v, r, err, q)
		}
	}
	// A pending record with a token and the record it replaced reads back whole, too.
	p := Record{State: Pending, Action: ActionCreated, Time: at, Origin: strings.Repeat("o", 300), Token: q,
		Was: &Record{Action: ActionDeactivated, Time: at, Origin: strings.Repeat("w", 300)}}
	v := p.String()
	r, err := ParseRecord(v)
	if len(v) > MaxTagValueLen || err != nil || r.Token != q || r.Was == nil {
		t.Fatalf("ParseRecord(%q) = %+v, %v", v, r, err)
	}
}

func TestTagKeyWithinIAMLimits(t *testing.T) {
	k := TagKey("AKIAIOSFODNN7EXAMPLEXXXXXXXXXXXXXXXXXXX") // IAM key ids are up to 128 characters
	if len(k) > MaxTagKeyLen {
		t.Fatalf("tag key %q is %d characters, IAM allows %d", k, len(k), MaxTagKeyLen)
	}
	id, ok := KeyIDFromTag(k)
	if !ok || id != "AKIAIOSFODNN7EXAMPLEXXXXXXXXXXXXXXXXXXX" {
		t.Fatalf("KeyIDFromTag(%q) = %q, %v", k, id, ok)
	}
	if _, ok := KeyIDFromTag("team"); ok {
		t.Fatal("a tag that is not keywarden's was taken for one")
	}
	// A service rotation's state is keywarden's but no key's record: pruning must keep it.
	if _, ok := KeyIDFromTag(TagPrefix + "rotation"); ok {
		t.Fatal("keywarden:rotation was taken for a key's record")
	}
}

func TestParseRecordRejectsForeignValues(t *testing.T) {
	for _, v := range []string{"", "yes", "deactivated yesterday by=me", "deactivated 2026-11-23T06:00:00Z"} {
		if _, err := ParseRecord(v); err == nil {
			t.Errorf("ParseRecord(%q) accepted a value keywarden did not write", v)
		}
	}
}

func TestWarnedRoundTripsWithinIAMLimits(t *testing.T) {
	w := ParseWarned("AKIAONE=hygiene/deactivate AKIATWO=hygiene/delete junk AKIAONE=other/delete")
	if !w.Has("AKIAONE", "hygiene", "deactivate") || !w.Has("AKIAONE", "other", "delete") || !w.Has("AKIATWO", "hygiene", "delete") || w.Has("AKIATWO", "hygiene", "deactivate") {
		t.Fatalf("parsed %v", w)
	}
	if got := w.String([]string{"AKIAONE"}); got != "AKIAONE=hygiene/deactivate AKIAONE=other/delete" {
		t.Errorf("a deleted key's warnings are kept: %q", got)
	}
	long := Warned{}
	for i := range 20 {
		long.Add("AKIAEXAMPLEEXAMPLE0"+string(rune('A'+i)), strings.Repeat("j", 40), "deactivate")
	}
	var live []string
	for id := range long {
		live = append(live, id)
	}
	v := long.String(live)
	if len(v) > MaxTagValueLen || len(v) == 0 {
		t.Fatalf("%d characters, IAM allows %d", len(v), MaxTagValueLen)
	}
	for _, c := range v {
		if !ValidTagChar(c) {
			t.Fatalf("%q has %q, which IAM refuses in a tag", v, c)
		}
	}
}

func TestUnsettledRecordsRoundTripWithinIAMLimits(t *testing.T) {
	at := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	long := strings.Repeat("o/x", 200)
	was := Record{Action: ActionDeactivated, Time: at.Add(-time.Hour), Origin: long}
	for _, r := range []Record{
		{State: Pending, Action: ActionActivated, Time: at, Origin: "activate", Was: &was},
		{State: Pending, Action: ActionDeactivated, Time: at, Origin: long},
		{State: Pending, Action: ActionDeactivated, Time: at, Origin: "job:curfew", Was: &Record{State: Unconfirmed, Action: ActionDeactivated, Time: at, Origin: "x"}},
		{State: Unconfirmed, Action: ActionDeactivated, Time: at, Origin: "job:curfew"},
	} {
		v := r.String()
		if len(v) > MaxTagValueLen {
			t.Fatalf("%q is %d characters, IAM allows %d", v, len(v), MaxTagValueLen)
		}
		got, err := ParseRecord(v)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != r.State || got.Action != r.Action || !got.Time.Equal(r.Time) || got.Trusted(r.Action) {
			t.Fatalf("%q parsed as %+v", v, got)
		}
		if (got.Was == nil) != (r.Was == nil) || (r.Was != nil && (got.Was.Action != r.Was.Action || got.Was.State != r.Was.State || !got.Was.Time.Equal(r.Was.Time))) {
			t.Fatalf("%q: was = %+v, want %+v", v, got.Was, r.Was)
		}
	}
	if !(Record{Action: ActionDeactivated, Time: at}).Trusted(ActionDeactivated) {
		t.Fatal("a settled record of keywarden's deactivation is not trusted")
	}
	for _, v := range []string{"maybe:deactivated 2026-11-23T06:00:00Z by=x", "deactivated 2026-11-23T06:00:00Z by=x was=a/b/c"} {
		if _, err := ParseRecord(v); err == nil {
			t.Errorf("ParseRecord(%q) accepted a value keywarden did not write", v)
		}
	}
}

// An incident's record carries its reason, cleaned to IAM's characters and cut, and still fits
// IAM's limit as the pending intent that replaces the longest earlier record.
func TestIncidentRecordKeepsItsReasonWithinIAMLimits(t *testing.T) {
	at := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	reason := "key pushed to github.com/acme/app (commit 1a2b3c), found by AWS Health; see INC-4711 " + strings.Repeat("!", 200)
	clean, changed := CleanReason(reason)
	if !changed || len(clean) != MaxReasonLen || strings.ContainsAny(clean, " (),;!") {
		t.Fatalf("CleanReason = %q, %v", clean, changed)
	}
	if c, changed := CleanReason("leaked_in_CI_log"); changed || c != "leaked_in_CI_log" {
		t.Fatalf("a clean reason was changed: %q", c)
	}
	was := &Record{State: Unconfirmed, Action: ActionDeactivated, Time: at, Origin: "job:" + strings.Repeat("x", 200)}
	for _, r := range []Record{
		{Action: ActionDeactivated, Time: at, Origin: IncidentOrigin, Reason: reason},
		{State: Pending, Action: ActionDeactivated, Time: at, Origin: IncidentOrigin, Reason: reason, Was: was},
	} {
		v := r.String()
		if len(v) > MaxTagValueLen {
			t.Fatalf("%q is %d characters, IAM allows %d", v, len(v), MaxTagValueLen)
		}
		for _, ch := range v {
			if !ValidTagChar(ch) {
				t.Fatalf("value %q has %q, which IAM refuses", v, ch)
			}
		}
		got, err := ParseRecord(v)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Incident() || got.Reason != clean || got.State != r.State || (r.Was != nil) != (got.Was != nil) {
			t.Fatalf("round trip of %q = %+v", v, got)
		}
	}
	if (Record{Action: ActionDeactivated, Time: at, Origin: "deactivate"}).Incident() {
		t.Fatal("a plain deactivation was taken for an incident")
	}
}
