package policy

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		str  string // String() of the result; "" means same as in
	}{
		{"45d", 45 * Day, ""},
		{"12h", 12 * time.Hour, ""},
		{"30m", 30 * time.Minute, ""},
		{"10s", 10 * time.Second, ""},
		{"1d12h", 36 * time.Hour, ""},
		{"2d3h4m5s", 2*Day + 3*time.Hour + 4*time.Minute + 5*time.Second, ""},
		{"0d", 0, ""},
		{"2w", 14 * Day, "14d"},
		{"0", 0, "0d"},
		{"1w2d", 9 * Day, "9d"},
		{"0h", 0, "0d"},
		{"36h", 36 * time.Hour, "1d12h"},
		{"90m", 90 * time.Minute, "1h30m"},
		{"007d", 7 * Day, "7d"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			d, err := ParseDuration(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if d.Std() != c.want {
				t.Fatalf("ParseDuration(%q) = %v, want %v", c.in, d.Std(), c.want)
			}
			want := c.str
			if want == "" {
				want = c.in
			}
			if d.String() != want {
				t.Fatalf("String() = %q, want %q", d.String(), want)
			}
			back, err := ParseDuration(d.String())
			if err != nil || back != d {
				t.Fatalf("round trip of %q = %v, %v", d.String(), back, err)
			}
		})
	}
}

func TestParseDurationRejects(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "empty duration"},
		{"-5d", `negative duration "-5d"`},
		{"45", `malformed duration "45"`},
		{"d", `malformed duration "d"`},
		{"3y", `malformed duration "3y"`},
		{"1d2w", `malformed duration "1d2w"`},
		{"1.5d", `malformed duration "1.5d"`},
		{"12h1d", `malformed duration "12h1d"`}, // largest unit first
		{"1d1d", `malformed duration "1d1d"`},   // each unit once
		{"45 d", `malformed duration "45 d"`},
		{"45D", `malformed duration "45D"`},
		{"1ms", `malformed duration "1ms"`},
		{"+5d", `malformed duration "+5d"`},
		{"99999999999999999999d", "too long"},
		{"200000d", "too long"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			d, err := ParseDuration(c.in)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("ParseDuration(%q) = %v, %v; want an error with %q", c.in, d, err, c.want)
			}
		})
	}
}

func TestHumanAge(t *testing.T) {
	cases := []struct {
		in   time.Duration
		want string
	}{
		{0, "less than 2 minutes"},
		{5 * time.Minute, "5 minutes"},
		{time.Hour, "1 hour"},
		{23*time.Hour + 59*time.Minute, "23 hours"},
		{Day, "1 day"},
		{2*Day - time.Second, "1 day"},
		{52*Day + 23*time.Hour, "52 days"}, // rounds down: never overstates an age
	}
	for _, c := range cases {
		if got := humanAge(c.in); got != c.want {
			t.Errorf("humanAge(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestDurationJSON(t *testing.T) {
	in := struct{ Limit Duration }{Duration(36 * time.Hour)}
	b, err := json.Marshal(in)
	if err != nil || string(b) != `{"Limit":"1d12h"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var out struct{ Limit Duration }
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Fatalf("Unmarshal = %+v, %v", out, err)
	}
	if err := json.Unmarshal([]byte(`{"Limit":"3y"}`), &out); err == nil {
		t.Fatal("Unmarshal accepted 3y")
	}
}
