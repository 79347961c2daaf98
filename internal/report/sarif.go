package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/keywarden/keywarden/internal/policy"
)

const projectURI = "https://github.com/keywarden/keywarden"

// SARIFFingerprint names keywarden's partialFingerprints entry; the version suffix lets a later
// keywarden change how it is computed without colliding with this one.
const SARIFFingerprint = "keywardenFinding/v1"

// WriteSARIF renders the audit as a SARIF 2.1.0 log for code-scanning dashboards: every check
// as a rule (so a dashboard knows them all, found or not), one result per key and finding.
// version is keywarden's, the tool's version in the log.
func WriteSARIF(w io.Writer, rows []AuditRow, now time.Time, version string) error {
	run := sarif.NewRunWithInformationURI("keywarden", projectURI)
	run.Tool.Driver.WithVersion(version)
	run.WithProperties(sarif.NewPropertyBag().
		Add("evaluatedAt", now.UTC().Format(time.RFC3339)).
		Add("benchmark", policy.Benchmark))
	for _, c := range policy.Checks() {
		run.AddRule(c.ID).
			WithName(c.Name).
			WithShortDescription(sarif.NewMultiformatMessageString().WithText(c.Title)).
			WithFullDescription(sarif.NewMultiformatMessageString().WithText(c.Help)).
			WithHelp(sarif.NewMultiformatMessageString().WithText(c.Help).
				WithMarkdown(fmt.Sprintf("%s\n\n[%s](%s)", c.Help, c.ID, c.HelpURI))).
			WithHelpURI(c.HelpURI).
			WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(c.Severity))).
			WithProperties(sarif.NewPropertyBag().
				Add("security-severity", securitySeverity(c.Severity)).
				Add("cis", c.CIS).
				WithTags([]string{"security", "aws-iam", policy.Benchmark}))
	}
	for _, r := range rows {
		for _, f := range r.Findings {
			c, _ := policy.CheckOf(f.ID)
			props := sarif.NewPropertyBag().Add("user", r.User).Add("status", r.Status)
			if r.Created != nil {
				props.Add("created", r.Created.UTC().Format(time.RFC3339)).Add("ageDays", *r.AgeDays)
			}
			if r.AccessKeyID != "" {
				props.Add("accessKeyId", r.AccessKeyID)
			}
			if r.Account != "" {
				props.Add("account", r.Account)
			}
			run.CreateResultForRule(f.ID).
				WithLevel(sarifLevel(c.Severity)).
				WithMessage(sarif.NewTextMessage(fmt.Sprintf("%s of user %s: %s", keyName(r), r.User, f.Title))).
				AddLocation(sarifLocation(r)).
				WithPartialFingerprints(map[string]string{SARIFFingerprint: fingerprint(r, f.ID)}).
				WithProperties(props)
		}
	}
	log := sarif.NewReport()
	log.AddRun(run)
	var buf bytes.Buffer
	if err := log.Write(&buf); err != nil {
		return err
	}
	var doc any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(pruneSARIF(doc))
}

// pruneSARIF drops what the library writes for "not given": empty arrays and objects, and
// rank and index of -1, which are the schema's own defaults. A reader (and a diff of two
// runs) then sees only what keywarden said.
func pruneSARIF(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			x = pruneSARIF(x)
			if n, ok := x.(float64); ok && n == -1 && (k == "rank" || k == "index") {
				delete(t, k)
				continue
			}
			if isEmpty(x) {
				delete(t, k)
				continue
			}
			t[k] = x
		}
	case []any:
		for i, x := range t {
			t[i] = pruneSARIF(x)
		}
	}
	return v
}

func isEmpty(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		return len(t) == 0
	case []any:
		return len(t) == 0
	}
	return false
}

func keyName(r AuditRow) string {
	if r.AccessKeyID == "" {
		return "an access key created " + r.created(time.Time{}, false) // credential report: no ids
	}
	return "access key " + r.AccessKeyID
}

// sarifLocation gives each key a path-like location: code-scanning services refuse a result
// without a physical location, and accept only relative paths (no arn: scheme). The logical
// location names the key the way IAM does.
func sarifLocation(r AuditRow) *sarif.Location {
	path := "aws/iam/users/" + url.PathEscape(r.User)
	if r.Account != "" {
		path = "aws/" + url.PathEscape(r.Account) + "/iam/users/" + url.PathEscape(r.User)
	}
	name := r.AccessKeyID
	if name == "" {
		name = r.created(time.Time{}, false)
	}
	return sarif.NewLocation().
		WithPhysicalLocation(sarif.NewPhysicalLocation().WithArtifactLocation(sarif.NewArtifactLocation().WithURI(path))).
		WithLogicalLocations([]*sarif.LogicalLocation{sarif.NewLogicalLocation().
			WithName(name).WithKind("resource").WithFullyQualifiedName("user/" + r.User + "/" + name)})
}

// fingerprint identifies one finding on one key across runs. An access key id is unique in
// all of AWS, so it alone names the key, and the fingerprint stays the same when a later run
// knows the account; a credential-report row has no id, so its user, account and creation
// time stand in for it.
func fingerprint(r AuditRow, findingID string) string {
	key := r.AccessKeyID
	if key == "" {
		key = r.Account + "/" + r.User + "/" + r.created(time.Time{}, false)
	}
	sum := sha256.Sum256([]byte(findingID + "\x00" + key))
	return hex.EncodeToString(sum[:16])
}

// sarifLevel maps Security Hub's severity labels onto SARIF's three levels.
func sarifLevel(severity string) string {
	switch severity {
	case "HIGH", "CRITICAL":
		return sarif.LevelError
	case "LOW", "INFORMATIONAL":
		return sarif.LevelNote
	}
	return sarif.LevelWarning
}

// securitySeverity is GitHub code scanning's score (0.1-10) for a severity label; GitHub
// shows 4.0-6.9 as medium and 0.1-3.9 as low.
func securitySeverity(severity string) string {
	switch severity {
	case "CRITICAL":
		return "9.5"
	case "HIGH":
		return "8.0"
	case "LOW":
		return "3.0"
	}
	return "5.5"
}
