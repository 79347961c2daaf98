package report

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/keywarden/keywarden/internal/golden"
	"github.com/keywarden/keywarden/internal/policy"
)

// sarifSchema compiles the OASIS SARIF 2.1.0 schema (errata 01), copied into testdata so the
// test needs nothing outside the repository.
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat() // date-time and uri formats are checked too, not only the shape
	if err := c.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validateSARIF(t *testing.T, s *jsonschema.Schema, b []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return s.Validate(inst)
}

type sarifDoc struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID               string                `json:"id"`
					ShortDescription struct{ Text string } `json:"shortDescription"`
					Help             struct{ Text string } `json:"help"`
					HelpURI          string                `json:"helpUri"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID              string            `json:"ruleId"`
			RuleIndex           int               `json:"ruleIndex"`
			Level               string            `json:"level"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Properties          map[string]any    `json:"properties"`
		} `json:"results"`
	} `json:"runs"`
}

func renderSARIF(t *testing.T, now time.Time) []byte {
	t.Helper()
	var b bytes.Buffer
	// The inventory stays the same; only the evaluation time moves.
	base := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	if err := WriteSARIF(&b, AuditRows(sampleInventory(base), policy.DefaultThresholds(), now), now, "dev"); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestAuditSARIFValidatesAgainstOASISSchema(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	out := renderSARIF(t, now)
	schema := sarifSchema(t)
	if err := validateSARIF(t, schema, out); err != nil {
		t.Fatalf("SARIF log is not valid SARIF 2.1.0: %v\n%s", err, out)
	}
	golden.Check(t, "audit.sarif.golden", out)
	for _, noise := range []string{`"rank": -1`, `"index": -1`, `[]`, `{}`} {
		if bytes.Contains(out, []byte(noise)) {
			t.Errorf("the log holds %s, the library's 'not given'; say only what keywarden said", noise)
		}
	}

	// The validator is not vacuous: a log without its version is refused.
	var raw map[string]any
	_ = json.Unmarshal(out, &raw)
	delete(raw, "version")
	broken, _ := json.Marshal(raw)
	if validateSARIF(t, schema, broken) == nil {
		t.Fatal("the schema accepted a SARIF log without version")
	}
}

func TestAuditSARIFRulesAndResults(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	var doc sarifDoc
	if err := json.Unmarshal(renderSARIF(t, now), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2.1.0" || len(doc.Runs) != 1 {
		t.Fatalf("version %q, %d runs", doc.Version, len(doc.Runs))
	}
	run := doc.Runs[0]
	rules := map[string]int{}
	for i, r := range run.Tool.Driver.Rules {
		rules[r.ID] = i
		if r.ShortDescription.Text == "" || !strings.Contains(r.Help.Text, policy.Benchmark) || !strings.HasPrefix(r.HelpURI, "https://") {
			t.Errorf("rule %s lacks a title, help naming %s, or a help URI: %+v", r.ID, policy.Benchmark, r)
		}
	}
	if len(rules) != len(policy.Checks()) {
		t.Errorf("%d rules, want one per check (%d)", len(rules), len(policy.Checks()))
	}
	// alice IAM.3; bob's new key CIS.1.13; bob's old key IAM.22 and CIS.1.13; carol none.
	want := map[string]string{
		"AKIAALICE00000000001 IAM.3": "alice", "AKIABOB0000000000001 CIS.1.13": "bob",
		"AKIABOB0000000000002 IAM.22": "bob", "AKIABOB0000000000002 CIS.1.13": "bob",
	}
	prints := map[string]string{}
	seen := map[string]bool{}
	for _, r := range run.Results {
		key := r.Properties["accessKeyId"].(string) + " " + r.RuleID
		if user, ok := want[key]; !ok || r.Properties["user"] != user {
			t.Errorf("unexpected result %s for user %v", key, r.Properties["user"])
		}
		delete(want, key)
		if r.RuleIndex != rules[r.RuleID] {
			t.Errorf("%s: ruleIndex %d, want %d", key, r.RuleIndex, rules[r.RuleID])
		}
		if _, has := r.Properties["account"]; has {
			t.Errorf("%s: account %v, want it omitted while unknown", key, r.Properties["account"])
		}
		fp := r.PartialFingerprints[SARIFFingerprint]
		if fp == "" || seen[fp] {
			t.Errorf("%s: fingerprint %q missing or not unique", key, fp)
		}
		seen[fp] = true
		prints[key] = fp
	}
	if len(want) != 0 {
		t.Errorf("missing results: %v", want)
	}

	// A month later the same findings keep their fingerprints, though ages and titles change.
	var later sarifDoc
	_ = json.Unmarshal(renderSARIF(t, now.Add(30*24*time.Hour)), &later)
	same := 0
	for _, r := range later.Runs[0].Results {
		key := r.Properties["accessKeyId"].(string) + " " + r.RuleID
		if fp, ok := prints[key]; ok {
			same++
			if r.PartialFingerprints[SARIFFingerprint] != fp {
				t.Errorf("%s: fingerprint changed between runs", key)
			}
		}
	}
	if same != len(prints) {
		t.Errorf("a month later %d of the %d findings remain, want all", same, len(prints))
	}
}
