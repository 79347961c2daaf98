// Package report renders rows for people (aligned tables) and for programs (JSON of typed
// structs, CSV). Data goes to the writer it is given; status never does.
package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Formats keywarden accepts for --output.
var Formats = []string{"table", "json", "csv"}

// CheckFormat returns an error naming the valid formats.
func CheckFormat(f string, allowed ...string) error {
	if len(allowed) == 0 {
		allowed = Formats
	}
	for _, a := range allowed {
		if f == a {
			return nil
		}
	}
	return fmt.Errorf("--output %q: want one of %s", f, strings.Join(allowed, ", "))
}

// Table writes headers and rows as aligned columns.
func Table(w io.Writer, headers []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(headers, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// CSV writes headers and rows as RFC 4180 CSV.
func CSV(w io.Writer, headers []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(headers); err != nil {
		return err
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// JSON writes v indented, with a final newline.
func JSON(w io.Writer, v any) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(v)
}

// Time renders t for a table: relative ("3 days ago") on a terminal, RFC 3339 when piped, so
// scripts get exact times and people get readable ones.
func Time(t, now time.Time, relative bool) string {
	if t.IsZero() {
		return "never"
	}
	if !relative {
		return t.UTC().Format(time.RFC3339)
	}
	return Ago(now.Sub(t))
}

// Ago renders a duration in the past as people say it.
func Ago(d time.Duration) string {
	future := d < 0
	if future {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		s = plural(int(d/time.Minute), "minute")
	case d < 48*time.Hour:
		s = plural(int(d/time.Hour), "hour")
	default:
		s = plural(int(d/(24*time.Hour)), "day")
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
