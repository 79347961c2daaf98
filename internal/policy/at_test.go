package policy

import (
	"strings"
	"testing"
	"time"
)

func TestParseAt(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Time
	}{
		{"2027-03-01", time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"2027-03-01T09:00:00+09:00", time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"2027-03-01T00:00:00Z", time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"+30d", now.Add(30 * Day)},
		{"+12h", now.Add(12 * time.Hour)},
		{"-7d", now.Add(-7 * Day)},
		{"+1d12h", now.Add(36 * time.Hour)},
		{" +0d ", now},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseAt(c.in, now)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(c.want) {
				t.Fatalf("ParseAt(%q) = %v, want %v", c.in, got, c.want)
			}
		})
	}
}

func TestParseAtRejects(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	for _, in := range []string{"", "30d", "tomorrow", "2027-3-1", "+", "+30x", "--7d", "2027-03-01 10:00"} {
		t.Run(in, func(t *testing.T) {
			got, err := ParseAt(in, now)
			if err == nil {
				t.Fatalf("ParseAt(%q) = %v, want an error", in, got)
			}
			if !strings.HasPrefix(err.Error(), "--at: want a date (2027-03-01), an RFC 3339 time or +30d") {
				t.Fatalf("error %q does not say what --at wants", err)
			}
		})
	}
	for in, want := range map[string]string{
		"2027-02-30": "--at 2027-02-30: February 2027 has no day 30",
		"2027-02-29": "--at 2027-02-29: February 2027 has no day 29",
		"2027-13-01": "--at 2027-13-01: there is no month 13",
	} {
		if _, err := ParseAt(in, now); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("ParseAt(%q) = %v, want %q", in, err, want)
		}
	}
}
