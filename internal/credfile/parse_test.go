package credfile

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// fakeSecret stands for a real secret: no error or printed profile may contain it.
const fakeSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYFAKESECRET"

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"only newline", "\n"},
		{"simple", "[default]\naws_access_key_id = AKIA1\naws_secret_access_key = s1\n"},
		{"comments", "# top\n; also\n[default]\n  # indented comment\naws_access_key_id = AKIA1\n"},
		{"blank lines and odd spacing", "\n\n[a]\nk=v\nk2   =    v2   \n\tk3 :v3\n\n\n[b]\n"},
		{"crlf", "[default]\r\naws_access_key_id = AKIA1\r\naws_secret_access_key = s1\r\n"},
		{"mixed endings", "[a]\r\nk = v\nj = w\r[b]\r\n"},
		{"no trailing newline", "[default]\naws_access_key_id = AKIA1"},
		{"duplicate keys", "[a]\nk = 1\nk = 2\nK = 3\n"},
		{"duplicate sections", "[a]\nk = 1\n[b]\n[a]\nk = 2\n"},
		{"keys outside any section", "region = x\n\n[a]\nk = v\n"},
		{"unknown keys", "[a]\nregion = us-east-1\naws_session_token = tok\nx_security_token_expires = 2026-01-01T00:00:00Z\n"},
		{"nested values", "[a]\ns3 =\n  max_concurrent_requests = 20\n  addressing_style = path\nregion = x\n"},
		{"continuation with blank and comment", "[a]\nk = 1\n\n  2\n# c\n  3\n"},
		{"byte order mark", "\ufeff[default]\nk = v\n"},
		{"trailing whitespace lines", "[a]\nk = v\n   \n\t\n"},
		{"inline comment kept in value", "[a]\nk = v # not a comment\n"},
		{"empty value", "[a]\nk =\nj=\n"},
		{"section with trailing text", "[a] ; x\nk = v\n"},
		{"colon delimiter", "[a]\nk: v\n"},
		{"invalid utf8", "[a]\nk = \xff\xfe\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, p := range []func([]byte) (*File, error){Parse, ParseConfig} {
				f, err := p([]byte(tt.in))
				if err != nil {
					t.Fatalf("parse: %v", err)
				}
				if got := string(f.Bytes()); got != tt.in {
					t.Errorf("round trip:\n got %q\nwant %q", got, tt.in)
				}
			}
		})
	}
}

func TestProfile(t *testing.T) {
	tests := []struct {
		name    string
		config  bool
		in      string
		profile string
		want    Profile
		wantOK  bool
	}{
		{
			name: "static key", in: "[default]\naws_access_key_id = AKIA1\naws_secret_access_key = " + fakeSecret + "\n",
			profile: "default", wantOK: true,
			want: Profile{Name: "default", Line: 1, AccessKeyID: "AKIA1", SecretAccessKey: fakeSecret, Values: map[string]string{}},
		},
		{
			name: "keys are case-insensitive, values stripped", in: "[dev]\n  AWS_Access_Key_ID   =   AKIA2  \nRegion:eu-west-1\n",
			profile: "dev", wantOK: true,
			want: Profile{Name: "dev", Line: 1, AccessKeyID: "AKIA2", Values: map[string]string{"region": "eu-west-1"}},
		},
		{
			name: "names are case-sensitive", in: "[Dev]\naws_access_key_id = A\n", profile: "dev",
		},
		{
			name: "names are not trimmed", in: "[ dev ]\naws_access_key_id = A\n", profile: "dev",
		},
		{
			name: "session token and unknown keys", in: "[t]\naws_access_key_id=ASIA1\naws_secret_access_key=s\naws_session_token=tok\nx_security_token_expires=2026\n",
			profile: "t", wantOK: true,
			want: Profile{Name: "t", Line: 1, AccessKeyID: "ASIA1", SecretAccessKey: "s", SessionToken: "tok",
				Values: map[string]string{"x_security_token_expires": "2026"}},
		},
		{
			name: "nested value as the CLI reads it", in: "[a]\ns3 =\n  max_concurrent_requests = 20\n\n  # c\n  addressing_style = path\n\nregion = x\n",
			profile: "a", wantOK: true,
			want: Profile{Name: "a", Line: 1, Values: map[string]string{
				"s3":     "\nmax_concurrent_requests = 20\n\naddressing_style = path",
				"region": "x"}},
		},
		{
			name: "duplicates: later wins and is reported", in: "[a]\nk = 1\n[b]\nk = 9\n[a]\nK = 2\n",
			profile: "a", wantOK: true,
			want: Profile{Name: "a", Line: 1, Values: map[string]string{"k": "2"}, Duplicates: []string{"k"}},
		},
		{
			name: "keys before any section belong to no profile", in: "aws_access_key_id = X\n[a]\n", profile: "a", wantOK: true,
			want: Profile{Name: "a", Line: 2, Values: map[string]string{}},
		},
		{
			name: "credentials file: [profile x] is a profile named \"profile x\"", in: "[profile x]\nk = v\n",
			profile: "profile x", wantOK: true, want: Profile{Name: "profile x", Line: 1, Values: map[string]string{"k": "v"}},
		},
		{
			name: "config file: [profile x]", config: true, in: "[profile   x]\nregion = r\n", profile: "x", wantOK: true,
			want: Profile{Name: "x", Line: 1, Values: map[string]string{"region": "r"}},
		},
		{
			name: "config file: quoted name", config: true, in: "[profile \"my x\"]\nregion = r\n", profile: "my x", wantOK: true,
			want: Profile{Name: "my x", Line: 1, Values: map[string]string{"region": "r"}},
		},
		{
			name: "config file: [default] is plain", config: true, in: "[default]\nregion = r\n", profile: "default", wantOK: true,
			want: Profile{Name: "default", Line: 1, Values: map[string]string{"region": "r"}},
		},
		{
			name: "config file: [x] is not a profile", config: true, in: "[x]\nregion = r\n", profile: "x",
		},
		{
			name: "config file: sso-session is not a profile", config: true, in: "[sso-session s]\nsso_region = r\n", profile: "s",
		},
		{
			name: "lone CR ends a line as in Python", in: "[a]\rk = v\r[b]\rj = w", profile: "b", wantOK: true,
			want: Profile{Name: "b", Line: 3, Values: map[string]string{"j": "w"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parse := Parse
			if tt.config {
				parse = ParseConfig
			}
			f, err := parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			got, ok := f.Profile(tt.profile)
			if ok != tt.wantOK {
				t.Fatalf("found = %v, want %v", ok, tt.wantOK)
			}
			if ok && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v\nsecret %q token %q", got, tt.want, got.SecretAccessKey, got.SessionToken)
			}
		})
	}
}

func TestProfileStringHidesSecrets(t *testing.T) {
	f, err := Parse([]byte("[a]\naws_access_key_id = AKIA1\naws_secret_access_key = " + fakeSecret + "\naws_session_token = TOKENSECRET\n"))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := f.Profile("a")
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		s := fmt.Sprintf(format, p)
		if strings.Contains(s, fakeSecret) || strings.Contains(s, "TOKENSECRET") {
			t.Errorf("%s prints a secret: %s", format, s)
		}
		if !strings.Contains(s, "AKIA1") {
			t.Errorf("%s does not name the key id: %s", format, s)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantLine int
		reason   string
	}{
		{"no delimiter", "[a]\naws_access_key_id = AKIA1\n" + fakeSecret + "\n", 3, `expected "key = value" or "[profile]"`},
		{"missing key", "[a]\n\n= " + fakeSecret + "\n", 3, "missing key name"},
		{"crlf line counted once", "[a]\r\nk = v\r\n\r\n" + fakeSecret + "\r\n", 4, "expected"},
		{"lone CR counts as a line", "[a]\rk = v\r" + fakeSecret, 3, "expected"},
		{"indented text right after a header", "[a]\n   " + fakeSecret + "\n", 2, "expected"},
		{"empty brackets", "[]" + fakeSecret + "\n", 1, "expected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *ParseError", err)
			}
			if pe.Line != tt.wantLine {
				t.Errorf("line = %d, want %d", pe.Line, tt.wantLine)
			}
			if !strings.Contains(pe.Reason, tt.reason) {
				t.Errorf("reason = %q, want it to contain %q", pe.Reason, tt.reason)
			}
			if strings.Contains(err.Error(), fakeSecret) || strings.Contains(err.Error(), "FAKESECRET") {
				t.Errorf("error echoes the line: %v", err)
			}
		})
	}
}
