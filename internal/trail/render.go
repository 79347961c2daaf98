package trail

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// The renderings live here rather than in internal/report, which renders the audit's model:
// an Activity is its own small model, read by respond, the rotate rule's warning and a notice.

// maxRows bounds each part of the table; the JSON has everything.
const maxRows = 10

// Render writes a as format, "table" (or "") or "json": what a command's --output picks.
func Render(w io.Writer, a Activity, format string) error {
	switch format {
	case "", "table":
		return Table(w, a)
	case "json":
		return JSON(w, a)
	}
	return fmt.Errorf("render the activity of %s: unknown format %q; use table or json", a.AccessKeyID, format)
}

// Table writes a for people: a summary line, then the calls and who made them.
func Table(w io.Writer, a Activity) error {
	fmt.Fprintln(w, Summary(a))
	if a.Events == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CALLS\tSERVICE\tAPI\tERRORS")
	for i, c := range a.Calls {
		if i == maxRows {
			fmt.Fprintf(tw, "…\t%d more\t\t\n", len(a.Calls)-maxRows)
			break
		}
		errs := ""
		if c.Errors > 0 {
			errs = fmt.Sprintf("%d (%s)", c.Errors, strings.Join(c.ErrorCodes, ", "))
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", c.Count, c.Source, c.Name, errs)
	}
	fmt.Fprintln(tw, "\t\t\t")
	fmt.Fprintln(tw, "CALLS\tSOURCE IP\tUSER AGENT\tLAST")
	for i, c := range a.Consumers {
		if i == maxRows {
			fmt.Fprintf(tw, "…\t%d more\t\t\n", len(a.Consumers)-maxRows)
			break
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", c.Count, dash(c.SourceIP), dash(c.UserAgent), stamp(c.Last))
	}
	return tw.Flush()
}

// JSON writes a as one indented JSON document.
func JSON(w io.Writer, a Activity) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(a)
}

// Summary is one sentence of what a shows and where it came from.
func Summary(a Activity) string {
	span := fmt.Sprintf("between %s and %s", stamp(a.Since), stamp(a.Until))
	where := strings.Join(a.Searched, ", ")
	var s string
	switch a.From {
	case FromCloudTrail:
		s = fmt.Sprintf("%s made %d calls %s (first %s, last %s) in %s, CloudTrail's history of %s",
			a.AccessKeyID, a.Events, span, stamp(a.First), stamp(a.Last), strings.Join(a.Regions, ", "), where)
		if a.Truncated {
			s += fmt.Sprintf("; only the latest %d were read", MaxEvents)
		}
	case FromIAM:
		s = fmt.Sprintf("CloudTrail's history of %s has no call of %s %s; IAM says it was last used %s (%s in %s)",
			where, a.AccessKeyID, span, stamp(a.LastUsed.At), dash(a.LastUsed.Service), dash(a.LastUsed.Region))
	default:
		s = fmt.Sprintf("CloudTrail's history of %s has no call of %s %s", dash(where), a.AccessKeyID, span)
	}
	if len(a.Unread) > 0 {
		s += fmt.Sprintf("; the history of %s could not be read", strings.Join(a.Unread, ", "))
	}
	return s + "."
}

// Who names the consumers most recently on the key (source address and user agent), at most
// n of them, or "" when CloudTrail saw none.
func Who(a Activity, n int) string {
	if a.From != FromCloudTrail || len(a.Consumers) == 0 {
		return ""
	}
	var parts []string
	for i, c := range a.Consumers {
		if i == n {
			parts = append(parts, fmt.Sprintf("and %d more", len(a.Consumers)-n))
			break
		}
		parts = append(parts, fmt.Sprintf("%s with %q (%d calls, last %s)", dash(c.SourceIP), dash(c.UserAgent), c.Count, stamp(c.Last)))
	}
	return strings.Join(parts, ", ")
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
