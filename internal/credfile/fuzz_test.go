package credfile

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func FuzzRoundTrip(f *testing.F) {
	seeds := []string{
		"",
		"[default]\naws_access_key_id = AKIA1\naws_secret_access_key = s1\n",
		"# c\r\n[a]\r\nk=v\r\n\r\n[b]\r\nk : v",
		"region = x\n[a]\ns3 =\n  max_concurrent_requests = 20\n\n  # c\n  y = 1\nk = v\n",
		"[a]\nk = 1\n[b]\n[a]\nK = 2\naws_access_key_id = A\n",
		"\ufeff[profile x]\naws_secret_access_key =\n  old\n[default]\n",
		"[a]\rk = v\r[b]\r  aws_access_key_id = X # c",
	}
	for _, s := range seeds {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, config bool) {
		parse := Parse
		if config {
			parse = ParseConfig
		}
		file, err := parse(data)
		if err != nil {
			if pe, ok := err.(*ParseError); !ok || pe.Line < 1 {
				t.Fatalf("error %v is not a *ParseError with a line", err)
			}
			return
		}
		if got := file.Bytes(); !bytes.Equal(got, data) {
			t.Fatalf("round trip:\n got %q\nwant %q", got, data)
		}

		names := file.Profiles()
		target := "fuzz"
		if len(names) > 0 {
			target = names[len(data)%len(names)]
		}
		before := map[string]Profile{}
		for _, n := range names {
			before[n], _ = file.Profile(n)
		}
		old, _ := file.Profile(target)
		err = file.SetKeys(target, newID, newSecret)
		if old.SessionToken != "" || old.Values["aws_security_token"] != "" || strings.ContainsAny(target, "[] \t\r\n\"'\\") {
			return // refused by design; the error path is covered by TestSetKeysRefuses
		}
		if err != nil {
			t.Fatalf("SetKeys(%q): %v", target, err)
		}
		_, existed := before[target]
		if !existed && !bytes.HasPrefix(file.Bytes(), data) {
			t.Fatalf("a new profile must be appended: %q", file.Bytes())
		}
		again, err := parse(file.Bytes())
		if err != nil {
			t.Fatalf("edited file does not parse: %v\n%q", err, file.Bytes())
		}
		p, ok := again.Profile(target)
		if !ok || p.AccessKeyID != newID || p.SecretAccessKey != newSecret {
			t.Fatalf("edited profile reads back %v", p)
		}
		for _, n := range names {
			if n == target {
				continue
			}
			got, _ := again.Profile(n)
			want := before[n]
			got.Line, want.Line = 0, 0
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("profile %q changed:\n got %#v\nwant %#v", n, got, want)
			}
		}
		// Nothing before the profile's first section may move or change.
		if first := firstHeader(file, target); existed && first >= 0 {
			prefix := joinLines(file.lines[:first])
			if !bytes.HasPrefix(data, []byte(prefix)) {
				t.Fatalf("lines before profile %q changed", target)
			}
		}
	})
}

func firstHeader(f *File, profile string) int {
	for _, s := range f.sections {
		if s.isProf && s.profile == profile {
			return s.header
		}
	}
	return -1
}

func joinLines(ls []line) string {
	var b strings.Builder
	for _, l := range ls {
		b.WriteString(l.raw + l.eol)
	}
	return b.String()
}
