package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
)

// AuditRow is one key as audit reports it; its JSON names are part of keywarden's interface.
type AuditRow struct {
	// Account is set in a run over accounts; a single-account audit's JSON is as it was.
	Account     string `json:"account,omitempty"`
	User        string `json:"user"`
	AccessKeyID string `json:"access_key_id"`
	Status      string `json:"status"`
	// Created and AgeDays are null when the source gives no creation date (a credential
	// report's last_rotated N/A): unknown, not the year 1.
	Created  *time.Time       `json:"created"`
	AgeDays  *int             `json:"age_days"`
	LastUsed *keys.LastUsed   `json:"last_used"`
	Findings []policy.Finding `json:"findings"`
}

// AuditRows evaluates every key of inv as of now. It is pure: the same inventory and time give
// the same rows.
func AuditRows(inv keys.Inventory, th policy.Thresholds, now time.Time) []AuditRow {
	var rows []AuditRow
	for _, u := range inv.Users {
		active := 0
		for _, k := range u.Keys {
			if k.Status == keys.Active {
				active++
			}
		}
		for _, k := range u.Keys {
			fs := policy.Findings(k, active, th, now)
			if fs == nil {
				fs = []policy.Finding{}
			}
			row := AuditRow{User: u.Name, AccessKeyID: k.AccessKeyID, Status: k.Status, LastUsed: k.LastUsed, Findings: fs}
			if !k.Created.IsZero() {
				created, days := k.Created, int(now.Sub(k.Created)/(24*time.Hour))
				row.Created, row.AgeDays = &created, &days
			}
			rows = append(rows, row)
		}
	}
	return rows
}

// AuditOutput is how an audit is written: the format and what the format needs.
type AuditOutput struct {
	Format      string // table, json, csv, html or sarif
	WithAccount bool   // a column (table, csv) naming each row's account
	Relative    bool   // table: relative times, for a person at a terminal
	Version     string // sarif: the tool's version
	// html: the page's heading, and the limits its age histogram is bucketed by.
	Account, Alias string
	Aliases        map[string]string // by account id, for an org page's sections
	Limits         []time.Duration
}

// WriteAudit writes the rows evaluated as of now in o.Format.
func WriteAudit(w io.Writer, rows []AuditRow, now time.Time, o AuditOutput) error {
	acct := func(r AuditRow, cells []string) []string {
		if !o.WithAccount {
			return cells
		}
		return append([]string{r.Account}, cells...)
	}
	head := func(h []string, name string) []string {
		if !o.WithAccount {
			return h
		}
		return append([]string{name}, h...)
	}
	switch o.Format {
	case "sarif":
		return WriteSARIF(w, rows, now, o.Version)
	case "json":
		if rows == nil {
			rows = []AuditRow{}
		}
		return JSON(w, rows)
	case "csv":
		headers := []string{"user", "access_key_id", "status", "created", "age_days", "last_used", "last_used_service", "last_used_region", "findings"}
		var out [][]string
		for _, r := range rows {
			lu, svc, reg := "never", "", ""
			if r.LastUsed != nil {
				lu, svc, reg = Time(r.LastUsed.Date, now, false), r.LastUsed.Service, r.LastUsed.Region
			}
			out = append(out, acct(r, []string{r.User, r.AccessKeyID, r.Status, r.created(now, false),
				r.age(), lu, svc, reg, FindingIDs(r.Findings)}))
		}
		return CSV(w, head(headers, "account"), out)
	case "html":
		return AuditHTML(w, AuditPage{
			Title: "keywarden audit", Account: o.Account, Alias: o.Alias, Aliases: o.Aliases, At: now, Keys: auditKeys(rows), Limits: o.Limits,
		})
	}
	var out [][]string
	for _, r := range rows {
		lu := "never"
		if r.LastUsed != nil {
			lu = strings.TrimSpace(strings.Join([]string{Time(r.LastUsed.Date, now, o.Relative), r.LastUsed.Service, r.LastUsed.Region}, " "))
		}
		id := r.AccessKeyID
		if id == "" {
			id = "-" // from the credential report, which has no key ids
		}
		out = append(out, acct(r, []string{r.User, id, r.Status, r.created(now, o.Relative),
			r.age(), lu, FindingIDs(r.Findings)}))
	}
	return Table(w, head([]string{"USER", "ACCESS KEY ID", "STATUS", "CREATED", "AGE (DAYS)", "LAST USED", "FINDINGS"}, "ACCOUNT"), out)
}

// auditKeys are the rows as the HTML page shows them.
func auditKeys(rows []AuditRow) []AuditKey {
	ks := make([]AuditKey, 0, len(rows))
	for _, r := range rows {
		lu := "never"
		if r.LastUsed != nil {
			// A date people read; the page is for them, the JSON and CSV keep RFC 3339.
			lu = strings.TrimSpace(strings.Join([]string{HumanDate(r.LastUsed.Date), r.LastUsed.Service, r.LastUsed.Region}, " "))
		}
		k := AuditKey{
			Account: r.Account, User: r.User, AccessKeyID: r.AccessKeyID, Status: r.Status,
			AgeDays: r.AgeDays, LastUsed: lu, Findings: r.Findings,
		}
		if r.Created != nil {
			k.Created = *r.Created
		}
		ks = append(ks, k)
	}
	return ks
}

// created and age render a key's creation; "unknown" when the source gave none.
func (r AuditRow) created(now time.Time, relative bool) string {
	if r.Created == nil {
		return "unknown"
	}
	return Time(*r.Created, now, relative)
}

func (r AuditRow) age() string {
	if r.AgeDays == nil {
		return "unknown"
	}
	return fmt.Sprint(*r.AgeDays)
}

// FindingIDs is the findings' ids, space-separated.
func FindingIDs(fs []policy.Finding) string {
	ids := make([]string, len(fs))
	for i, f := range fs {
		ids[i] = f.ID
	}
	return strings.Join(ids, " ")
}

// UnknownAges counts the rows whose source gave no creation date.
func UnknownAges(rows []AuditRow) int {
	n := 0
	for _, r := range rows {
		if r.Created == nil {
			n++
		}
	}
	return n
}
