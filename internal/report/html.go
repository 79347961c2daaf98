package report

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/keywarden/keywarden/internal/policy"
)

// AuditKey is one key on the audit page. Created is zero and AgeDays nil when the source
// gave no creation date (a credential report's N/A).
type AuditKey struct {
	Account, User, AccessKeyID, Status string
	Created                            time.Time
	AgeDays                            *int
	LastUsed                           string
	Findings                           []policy.Finding
}

// AuditPage is what the audit page shows. Limits are the policy's age limits (max-unused,
// max-age): the histogram's buckets end at them, so a bar says which limit its keys are past.
type AuditPage struct {
	Title string
	// Account and Alias name the account a one-account audit read; an org audit names each
	// key's account instead, with its alias from Aliases (by account id) when one was read.
	Account, Alias string
	Aliases        map[string]string
	At             time.Time
	Keys           []AuditKey
	Limits         []time.Duration
}

// AuditHTML writes the audit as one self-contained page: summary, age histogram (inline SVG),
// and the keys in a sortable, filterable table, grouped by account once there are accounts.
// Nothing is loaded from elsewhere, so it works offline and as a mail attachment; every value
// is escaped as html/template would (htmlpage.go).
func AuditHTML(w io.Writer, p AuditPage) error {
	pw := &pageWriter{w: w}
	pw.page(build(p))
	return pw.err
}

type pageData struct {
	Title, At          string
	TakenAt            string // "2 Dec 2026 15:00 UTC", for people; At stays RFC 3339
	Account, Alias     string
	Verdicts           []verdict
	Keys, Active       int
	Users, Accounts    int
	Findings           []findingCount
	Oldest             *AuditKey
	Histogram          histogram
	Groups             []group
	Checks             map[string]policy.Check
	TotalFindings      int
	Headers            []header
	ShowAccountHeading bool
}

type findingCount struct {
	policy.Check
	Count int
}

type group struct {
	Account, Alias string
	Keys           []AuditKey
}

type header struct {
	Name string
	Num  bool
}

func build(p AuditPage) pageData {
	d := pageData{Title: p.Title, At: p.At.UTC().Format(time.RFC3339), Keys: len(p.Keys), Checks: map[string]policy.Check{},
		TakenAt: p.At.UTC().Format("2 Jan 2006 15:04 MST"), Account: p.Account, Alias: p.Alias}
	users, accounts := map[string]bool{}, map[string]bool{}
	counts := map[string]int{}
	byAccount := map[string][]AuditKey{}
	for i, k := range p.Keys {
		users[k.Account+"\x00"+k.User] = true
		if k.Account != "" {
			accounts[k.Account] = true
		}
		byAccount[k.Account] = append(byAccount[k.Account], k)
		for _, f := range k.Findings {
			counts[f.ID]++
			d.TotalFindings++
		}
		if k.Status == "Active" {
			d.Active++
			if k.Created.IsZero() {
				continue
			}
			if d.Oldest == nil || k.Created.Before(d.Oldest.Created) {
				d.Oldest = &p.Keys[i]
			}
		}
	}
	d.Users, d.Accounts = len(users), len(accounts)
	for _, c := range policy.Checks() {
		d.Checks[c.ID] = c
		if n := counts[c.ID]; n > 0 {
			d.Findings = append(d.Findings, findingCount{c, n})
		}
		d.Verdicts = append(d.Verdicts, verdict{c, counts[c.ID], genericFix(c.ID)})
	}
	names := make([]string, 0, len(byAccount))
	for a := range byAccount {
		names = append(names, a)
	}
	slices.Sort(names)
	for _, a := range names {
		d.Groups = append(d.Groups, group{a, p.Aliases[a], byAccount[a]})
	}
	d.ShowAccountHeading = d.Accounts > 0
	d.Histogram = makeHistogram(p.Keys, p.Limits, p.At)
	d.Headers = []header{{"User", false}, {"Access key id", false}, {"Status", false}, {"Created", false},
		{"Age (days)", true}, {"Last used", false}, {"Findings", false}, {"Fix", false}}
	return d
}

type bar struct {
	Label       string
	Count       int
	X, Y, H     int
	LabelY      int
	Over        bool // past the first limit: drawn in the warning colour
	CountY      int
	Description string
}

type histogram struct {
	Bars          []bar
	Width, Height int
	Base          int
	// Axis is the y axis's x; Ticks are its labelled counts (0, half, the peak).
	Axis, Top int
	Ticks     []tick
}

type tick struct {
	Y     int
	Label int
}

// makeHistogram counts active keys by age, in buckets that end at the policy limits (and at
// twice the largest, so long-overdue keys stand apart).
func makeHistogram(ks []AuditKey, limits []time.Duration, now time.Time) histogram {
	var edges []int // in days
	for _, l := range limits {
		if d := int(l / (24 * time.Hour)); d > 0 {
			edges = append(edges, d)
		}
	}
	slices.Sort(edges)
	edges = slices.Compact(edges)
	if len(edges) > 0 {
		edges = append(edges, 2*edges[len(edges)-1])
	}
	counts := make([]int, len(edges)+1)
	for _, k := range ks {
		if k.Status != "Active" || k.Created.IsZero() {
			continue
		}
		age := int(now.Sub(k.Created) / (24 * time.Hour))
		i, _ := slices.BinarySearch(edges, age+1) // first edge above age: age < edge
		counts[i]++
	}
	peak := slices.Max(counts)
	const barW, gap, plot, top, axis = 90, 20, 120, 20, 40
	h := histogram{Width: axis + len(counts)*(barW+gap) + gap, Height: top + plot + 56, Base: top + plot, Axis: axis, Top: top}
	for _, v := range []int{0, (peak + 1) / 2, peak} {
		if v == 0 || peak > 0 && (len(h.Ticks) == 0 || h.Ticks[len(h.Ticks)-1].Label != v) {
			y := h.Base
			if peak > 0 {
				y = h.Base - v*plot/peak
			}
			h.Ticks = append(h.Ticks, tick{Y: y, Label: v})
		}
	}
	lo := 0
	for i, n := range counts {
		label := ""
		if i < len(edges) {
			label = fmt.Sprintf("%d–%d days", lo, edges[i])
		} else {
			label = fmt.Sprintf("%d+ days", lo)
		}
		bh := 0
		if peak > 0 {
			bh = n * plot / peak
		}
		h.Bars = append(h.Bars, bar{
			Label: label, Count: n, X: axis + gap + i*(barW+gap), Y: h.Base - bh, H: bh, LabelY: h.Base + 18,
			CountY: h.Base - bh - 4, Over: i > 0, Description: fmt.Sprintf("%d active keys aged %s", n, label),
		})
		if i < len(edges) {
			lo = edges[i]
		}
	}
	return h
}

// isoDate is a key's creation in RFC 3339, for a <time> element's datetime.
func isoDate(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format(time.RFC3339)
}
