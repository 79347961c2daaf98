package credfile

import (
	"strings"
	"testing"
)

const (
	newID     = "AKIANEWKEY0000000001"
	newSecret = "NEWsecret/0000000000000000000000000000+1"
)

func TestSetKeys(t *testing.T) {
	tests := []struct {
		name    string
		config  bool
		profile string
		in      string
		want    string
	}{
		{
			name:    "existing profile, others and comments untouched",
			profile: "dev",
			in: "# my keys\n[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = defsecret\n\n" +
				"; dev account\n[dev]\naws_access_key_id = AKIAOLD\naws_secret_access_key = oldsecret\nregion = eu-west-1\n\n" +
				"# prod below\n[prod]\naws_access_key_id = AKIAPROD\naws_secret_access_key = prodsecret\n",
			want: "# my keys\n[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = defsecret\n\n" +
				"; dev account\n[dev]\naws_access_key_id = " + newID + "\naws_secret_access_key = " + newSecret + "\nregion = eu-west-1\n\n" +
				"# prod below\n[prod]\naws_access_key_id = AKIAPROD\naws_secret_access_key = prodsecret\n",
		},
		{
			name:    "formatting of each line kept",
			profile: "dev",
			in:      "[dev]\n  AWS_ACCESS_KEY_ID=AKIAOLD   \naws_secret_access_key   :   oldsecret\n",
			want:    "[dev]\n  AWS_ACCESS_KEY_ID=" + newID + "   \naws_secret_access_key   :   " + newSecret + "\n",
		},
		{
			name:    "crlf kept",
			profile: "dev",
			in:      "[dev]\r\naws_access_key_id = AKIAOLD\r\naws_secret_access_key = oldsecret\r\n[x]\r\nk = v\r\n",
			want:    "[dev]\r\naws_access_key_id = " + newID + "\r\naws_secret_access_key = " + newSecret + "\r\n[x]\r\nk = v\r\n",
		},
		{
			name:    "missing secret line added after the last key, before the next section's comment",
			profile: "dev",
			in:      "[dev]\naws_access_key_id=AKIAOLD\nregion=x\n\n# next\n[x]\n",
			want:    "[dev]\naws_access_key_id=" + newID + "\nregion=x\naws_secret_access_key=" + newSecret + "\n\n# next\n[x]\n",
		},
		{
			name:    "both lines added to an empty section, crlf",
			profile: "dev",
			in:      "[dev]\r\n\r\n[x]\r\n",
			want:    "[dev]\r\naws_access_key_id = " + newID + "\r\naws_secret_access_key = " + newSecret + "\r\n\r\n[x]\r\n",
		},
		{
			name:    "added line at end of file without trailing newline",
			profile: "dev",
			in:      "[dev]\naws_access_key_id = AKIAOLD",
			want:    "[dev]\naws_access_key_id = " + newID + "\naws_secret_access_key = " + newSecret + "\n",
		},
		{
			name:    "added line takes the indentation of the key before it, never a continuation",
			profile: "dev",
			in:      "[dev]\n  region = x\n    nested = 1\n",
			want:    "[dev]\n  region = x\n    nested = 1\n  aws_access_key_id = " + newID + "\n  aws_secret_access_key = " + newSecret + "\n",
		},
		{
			name:    "lines added to an empty section are not shallower than the next header",
			profile: "dev",
			in:      "[dev]\n   [x]\nk = v\n",
			want:    "[dev]\n   aws_access_key_id = " + newID + "\n   aws_secret_access_key = " + newSecret + "\n   [x]\nk = v\n",
		},
		{
			name:    "missing profile appended with a blank line",
			profile: "new",
			in:      "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = defsecret",
			want: "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = defsecret\n\n" +
				"[new]\naws_access_key_id = " + newID + "\naws_secret_access_key = " + newSecret + "\n",
		},
		{
			name:    "missing profile after a trailing blank line adds no second one",
			profile: "new",
			in:      "[a]\r\nk = v\r\n\r\n",
			want:    "[a]\r\nk = v\r\n\r\n[new]\r\naws_access_key_id = " + newID + "\r\naws_secret_access_key = " + newSecret + "\r\n",
		},
		{
			name:    "empty file",
			profile: "default",
			in:      "",
			want:    "[default]\naws_access_key_id = " + newID + "\naws_secret_access_key = " + newSecret + "\n",
		},
		{
			name:    "duplicate keys and sections all set",
			profile: "dev",
			in:      "[dev]\naws_access_key_id = A1\naws_access_key_id = A2\n[x]\n[dev]\naws_secret_access_key = s\n",
			want:    "[dev]\naws_access_key_id = " + newID + "\naws_access_key_id = " + newID + "\n[x]\n[dev]\naws_secret_access_key = " + newSecret + "\n",
		},
		{
			name:    "multi-line old value replaced whole, comment inside kept",
			profile: "dev",
			in:      "[dev]\naws_secret_access_key = old\n  part2\n# note\n  part3\nregion = r\n",
			want:    "[dev]\naws_secret_access_key = " + newSecret + "\n# note\nregion = r\naws_access_key_id = " + newID + "\n",
		},
		{
			name:    "inline text after the value is part of the old value",
			profile: "dev",
			in:      "[dev]\naws_access_key_id = AKIAOLD # old key\naws_secret_access_key =\n",
			want:    "[dev]\naws_access_key_id = " + newID + "\naws_secret_access_key = " + newSecret + "\n",
		},
		{
			name:    "keys outside sections are not the profile's",
			profile: "dev",
			in:      "aws_access_key_id = GLOBAL\n[dev]\n",
			want:    "aws_access_key_id = GLOBAL\n[dev]\naws_access_key_id = " + newID + "\naws_secret_access_key = " + newSecret + "\n",
		},
		{
			name:    "similar names untouched",
			profile: "dev",
			in:      "[Dev]\naws_access_key_id = A\n[dev2]\naws_access_key_id = B\n",
			want: "[Dev]\naws_access_key_id = A\n[dev2]\naws_access_key_id = B\n\n" +
				"[dev]\naws_access_key_id = " + newID + "\naws_secret_access_key = " + newSecret + "\n",
		},
		{
			name:    "config file: new profile gets [profile NAME]",
			config:  true,
			profile: "dev",
			in:      "[default]\nregion = r\n",
			want:    "[default]\nregion = r\n\n[profile dev]\naws_access_key_id = " + newID + "\naws_secret_access_key = " + newSecret + "\n",
		},
		{
			name:    "config file: [default] and [x] sections",
			config:  true,
			profile: "default",
			in:      "[x]\naws_access_key_id = X\n[default]\nregion = r\n",
			want:    "[x]\naws_access_key_id = X\n[default]\nregion = r\naws_access_key_id = " + newID + "\naws_secret_access_key = " + newSecret + "\n",
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
			if err := f.SetKeys(tt.profile, newID, newSecret); err != nil {
				t.Fatal(err)
			}
			if got := string(f.Bytes()); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s\n(%q)", got, tt.want, got)
			}
			p, ok := f.Profile(tt.profile)
			if !ok || p.AccessKeyID != newID || p.SecretAccessKey != newSecret {
				t.Errorf("profile reads back %v", p)
			}
		})
	}
}

func TestSetKeysRefuses(t *testing.T) {
	tests := []struct {
		name            string
		in              string
		profile, id, sk string
		want            string
	}{
		{"session token", "[t]\naws_access_key_id = ASIA\naws_secret_access_key = s\naws_session_token = tok\n", "t", newID, newSecret, "temporary credentials"},
		{"legacy security token", "[t]\naws_access_key_id = ASIA\naws_secret_access_key = s\naws_security_token = tok\n", "t", newID, newSecret, "temporary credentials"},
		{"empty key id", "", "a", "", newSecret, "access key id is empty"},
		{"empty secret", "", "a", newID, "", "secret access key is empty"},
		{"secret with newline", "", "a", newID, "abc\n[evil]", "secret access key must be printable ASCII"},
		{"secret with space", "", "a", newID, "abc def", "secret access key must be printable ASCII"},
		{"new profile name with bracket", "", "a]b", newID, newSecret, "profile name may not contain"},
		{"new profile name with newline", "", "a\nb", newID, newSecret, "profile name may not contain"},
		{"empty profile name", "", "", newID, newSecret, "profile name is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			err = f.SetKeys(tt.profile, tt.id, tt.sk)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if tt.sk != "" && strings.Contains(err.Error(), tt.sk) {
				t.Errorf("error echoes the secret: %v", err)
			}
			if got := string(f.Bytes()); got != tt.in {
				t.Errorf("file changed on error: %q", got)
			}
		})
	}
}

// An existing profile whose name could not be written as a new section can still be edited.
func TestSetKeysExistingOddName(t *testing.T) {
	in := "[my profile]\naws_access_key_id = A\naws_secret_access_key = s\n"
	f, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetKeys("my profile", newID, newSecret); err != nil {
		t.Fatal(err)
	}
	want := "[my profile]\naws_access_key_id = " + newID + "\naws_secret_access_key = " + newSecret + "\n"
	if got := string(f.Bytes()); got != want {
		t.Errorf("got %q", got)
	}
}
