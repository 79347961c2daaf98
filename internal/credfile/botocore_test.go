package credfile

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestMatchesBotocore checks the parser against the AWS CLI's own reader (botocore, via
// python3) on the fuzz corpus and the round-trip cases: the same sections, keys and values,
// or an error from both. It is skipped where python3 with botocore is not installed.
func TestMatchesBotocore(t *testing.T) {
	if err := exec.Command("python3", "-c", "import botocore.configloader").Run(); err != nil {
		t.Skip("python3 with botocore not available")
	}
	inputs := botocoreInputs(t)
	results := botocoreRead(t, inputs)
	compared := 0
	var edited [][]byte
	for i, in := range inputs {
		r := results[i]
		f, err := Parse(in)
		if r.Error != "" {
			// We accept on purpose what botocore refuses: duplicates, keys before the first
			// section, a byte order mark, bytes that are not UTF-8. Parse errors must agree.
			if err == nil && !acceptedOnPurpose(in, r.Error) {
				t.Errorf("input %q: botocore refuses (%s), we accept", in, r.Error)
			}
			continue
		}
		if err != nil {
			t.Errorf("input %q: botocore reads it, we refuse: %v", in, err)
			continue
		}
		compared++
		if got := sectionsOf(f); !reflect.DeepEqual(got, r.Sections) {
			t.Errorf("input %q:\n got %q\nwant %q", in, got, r.Sections)
		}
		if names := f.Profiles(); len(names) > 0 && f.SetKeys(names[0], newID, newSecret) == nil {
			edited = append(edited, f.Bytes())
		}
	}
	// What SetKeys wrote must read the same to the AWS CLI as to us.
	for i, r := range botocoreRead(t, edited) {
		f, err := Parse(edited[i])
		if err != nil || r.Error != "" {
			t.Errorf("edited %q: we say %v, botocore says %s", edited[i], err, r.Error)
			continue
		}
		if got := sectionsOf(f); !reflect.DeepEqual(got, r.Sections) {
			t.Errorf("edited %q:\n got %q\nwant %q", edited[i], got, r.Sections)
		}
	}
	t.Logf("checked %d edited files with botocore", len(edited))
	t.Logf("compared %d of %d inputs with botocore", compared, len(inputs))
	if compared < 20 {
		t.Errorf("only %d inputs compared; the corpus is too thin to mean anything", compared)
	}
}

type botocoreResult struct {
	Sections map[string]map[string]string `json:"sections"`
	Error    string                       `json:"error"`
}

func botocoreRead(t *testing.T, inputs [][]byte) []botocoreResult {
	t.Helper()
	enc := []string{}
	for _, in := range inputs {
		enc = append(enc, base64.StdEncoding.EncodeToString(in))
	}
	stdin, _ := json.Marshal(enc)
	cmd := exec.Command("python3", filepath.Join("testdata", "botocore_read.py"))
	cmd.Stdin = bytes.NewReader(stdin)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore_read.py: %v", err)
	}
	var results []botocoreResult
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatal(err)
	}
	if len(results) != len(inputs) {
		t.Fatalf("botocore_read.py answered %d of %d inputs", len(results), len(inputs))
	}
	return results
}

func acceptedOnPurpose(in []byte, pyErr string) bool {
	switch pyErr {
	case "DuplicateSectionError", "DuplicateOptionError", "MissingSectionHeaderError", "UnicodeDecodeError":
		return true
	}
	return false
}

// sectionsOf is the file as botocore's raw_config_parse would return it.
func sectionsOf(f *File) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, name := range f.Profiles() {
		p, _ := f.Profile(name)
		m := map[string]string{}
		for k, v := range p.Values {
			m[k] = v
		}
		for k, v := range map[string]string{KeyAccessKeyID: p.AccessKeyID, KeySecretAccessKey: p.SecretAccessKey, KeySessionToken: p.SessionToken} {
			if f.has(name, k) {
				m[k] = v
			}
		}
		out[name] = m
	}
	return out
}

func botocoreInputs(t *testing.T) [][]byte {
	var inputs [][]byte
	for _, s := range []string{
		"[a]\nk = v # c\n", "[a]\ns3 =\n  x = 1\n\n  # c\n  y = 2\n\n\nk = v\n", "[ a ]\nk=v", "[a] x\nk:v=w\n",
		"[a]\n k = 1\n   more\n k2 = 2\n", "[a]\rk = v\r\n[b]\r  j = w", "[a]\n\tk\t=\tv\t\n", "[a]\nk =\n",
		"[a]\n[b]\n[c]\nK = V\n", "[a]\nk=v\n  [b]\nj=w\n", "[]\n", "[a]\n=v\n", "[a]\nnovalue\n",
		"[a]\n\x1ck = v\n", "[a]\nk = v\u00a0\n",
	} {
		inputs = append(inputs, []byte(s))
	}
	paths, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzRoundTrip", "*"))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if in, ok := corpusBytes(data); ok {
			inputs = append(inputs, in)
		}
	}
	return inputs
}

// corpusBytes extracts the []byte argument of a "go test fuzz v1" corpus file.
func corpusBytes(data []byte) ([]byte, bool) {
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "[]byte(") && strings.HasSuffix(l, ")") {
			if u, err := strconv.Unquote(l[len("[]byte(") : len(l)-1]); err == nil {
				return []byte(u), true
			}
		}
	}
	return nil, false
}
