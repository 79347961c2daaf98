package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"time"

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
	checks := policy.Checks()
	rules := make([]obj, 0, len(checks))
	index := map[string]int{}
	for i, c := range checks {
		index[c.ID] = i
		rules = append(rules, obj{
			"id": c.ID, "name": c.Name,
			"shortDescription":     obj{"text": c.Title},
			"fullDescription":      obj{"text": c.Help},
			"help":                 obj{"text": c.Help, "markdown": fmt.Sprintf("%s\n\n[%s](%s)", c.Help, c.ID, c.HelpURI)},
			"helpUri":              c.HelpURI,
			"defaultConfiguration": obj{"enabled": true, "level": sarifLevel(c.Severity)},
			"properties": obj{"security-severity": securitySeverity(c.Severity), "cis": c.CIS,
				"tags": []string{"security", "aws-iam", policy.Benchmark}},
		})
	}
	results := []obj{}
	for _, r := range rows {
		for _, f := range r.Findings {
			c, _ := policy.CheckOf(f.ID)
			props := obj{"user": r.User, "status": r.Status}
			if r.Created != nil {
				props["created"], props["ageDays"] = r.Created.UTC().Format(time.RFC3339), *r.AgeDays
			}
			if r.AccessKeyID != "" {
				props["accessKeyId"] = r.AccessKeyID
			}
			if r.Account != "" {
				props["account"] = r.Account
			}
			results = append(results, obj{
				"kind": "fail", "ruleId": f.ID, "ruleIndex": index[f.ID], "level": sarifLevel(c.Severity),
				"message":             obj{"text": fmt.Sprintf("%s of user %s: %s", keyName(r), r.User, f.Title)},
				"locations":           []obj{sarifLocation(r)},
				"partialFingerprints": obj{SARIFFingerprint: fingerprint(r, f.ID)},
				"properties":          props,
			})
		}
	}
	run := obj{
		"language": "en-US", "newlineSequences": []string{"\r\n", "\n"},
		"properties": obj{"evaluatedAt": now.UTC().Format(time.RFC3339), "benchmark": policy.Benchmark},
		"tool": obj{"driver": obj{
			"name": "keywarden", "informationUri": projectURI, "version": version, "language": "en-US",
			"contents": []string{"localizedData", "nonLocalizedData"}, "isComprehensive": false,
			"rules": rules,
		}},
	}
	if len(results) > 0 {
		run["results"] = results
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(obj{"$schema": sarifSchemaURI, "version": "2.1.0", "runs": []obj{run}})
}

// obj is a SARIF object. Written as maps, keys come out sorted, and only what keywarden says is
// in the log: a SARIF library's structs wrote every optional field, and pulled a JSON-schema
// validator into every command's start-up.
type obj = map[string]any

const sarifSchemaURI = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/main/sarif-2.1/schema/sarif-schema-2.1.0.json"

func keyName(r AuditRow) string {
	if r.AccessKeyID == "" {
		return "an access key created " + r.created(time.Time{}, false) // credential report: no ids
	}
	return "access key " + r.AccessKeyID
}

// sarifLocation gives each key a path-like location: code-scanning services refuse a result
// without a physical location, and accept only relative paths (no arn: scheme). The logical
// location names the key the way IAM does.
func sarifLocation(r AuditRow) obj {
	path := "aws/iam/users/" + url.PathEscape(r.User)
	if r.Account != "" {
		path = "aws/" + url.PathEscape(r.Account) + "/iam/users/" + url.PathEscape(r.User)
	}
	name := r.AccessKeyID
	if name == "" {
		name = r.created(time.Time{}, false)
	}
	return obj{
		"id":               -1,
		"physicalLocation": obj{"artifactLocation": obj{"uri": path}},
		"logicalLocations": []obj{{"name": name, "kind": "resource", "fullyQualifiedName": "user/" + r.User + "/" + name, "parentIndex": -1}},
	}
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
		return "error"
	case "LOW", "INFORMATIONAL":
		return "note"
	}
	return "warning"
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
