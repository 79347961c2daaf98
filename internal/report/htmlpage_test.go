package report

import (
	"bytes"
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/policy"
)

// oracleTemplate is the audit page as the html/template it was until the page was written by
// plain Go (htmlpage.go): the test holds the escaping and the layout to what html/template
// produced, for every value the page shows.
const oracleTemplate = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
` + pageStyle + `</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p class="at">{{if .Account}}account <b id="account">{{.Account}}</b>{{with .Alias}} ({{.}}){{end}} · {{end}}taken <time id="taken" datetime="{{.At}}">{{.TakenAt}}</time></p>

<section class="summary" id="summary">
<div><div class="stat" id="n-keys">{{.Keys}}<small>keys ({{.Active}} active)</small></div></div>
<div><div class="stat" id="n-users">{{.Users}}<small>users with keys</small></div></div>
{{if .Accounts}}<div><div class="stat" id="n-accounts">{{.Accounts}}<small>accounts</small></div></div>{{end}}
<div><div class="stat" id="n-findings">{{.TotalFindings}}<small>findings</small></div></div>
<div>
<h2>Findings by id</h2>
<table id="findings">
<thead><tr><th>Check</th><th>Verdict</th><th>Keys</th><th>What it means</th><th>Fix</th></tr></thead>
<tbody>
{{range .Verdicts}}<tr><td><a class="sev sev-{{lower .Severity}}" href="{{.HelpURI}}">{{.Severity}} · {{.ID}}</a></td><td class="verdict {{if .Count}}fail{{else}}pass{{end}}" data-verdict="{{.ID}}">{{if .Count}}fail{{else}}pass{{end}}</td>{{if .Count}}<td data-id="{{.ID}}">{{.Count}}</td>{{else}}<td>0</td>{{end}}<td>{{.Title}} (CIS {{.CIS}})</td><td>{{if .Count}}<code>{{.Fix}}</code>{{end}}</td></tr>
{{end}}</tbody>
</table>
</div>
<div>
<h2>Oldest active key</h2>
{{with .Oldest}}<p id="oldest">{{.AccessKeyID}} of {{.User}}{{if .Account}} in {{.Account}}{{end}}: {{with .AgeDays}}{{.}}{{end}} days, created <time datetime="{{iso .Created}}">{{human .Created}}</time></p>{{else}}<p id="oldest">No active keys.</p>{{end}}
</div>
</section>

<h2>Active keys by age</h2>
<svg id="histogram" width="{{.Histogram.Width}}" height="{{.Histogram.Height}}" role="img" aria-label="active keys by age, in buckets ending at the policy limits">
<line x1="{{.Histogram.Axis}}" x2="{{.Histogram.Axis}}" y1="{{.Histogram.Top}}" y2="{{.Histogram.Base}}" stroke="#999"></line>
{{$ax := .Histogram.Axis}}{{range .Histogram.Ticks}}<line x1="{{add $ax -4}}" x2="{{$ax}}" y1="{{.Y}}" y2="{{.Y}}" stroke="#999"></line><text class="tick" x="{{add $ax -7}}" y="{{add .Y 4}}" text-anchor="end">{{.Label}}</text>
{{end}}<text x="12" y="{{.Histogram.Top}}" transform="rotate(-90 12 {{.Histogram.Top}})" text-anchor="end">keys</text>
<text x="{{.Histogram.Axis}}" y="{{add .Histogram.Base 40}}">age of active keys, in days</text>
{{range .Histogram.Bars}}<g><title>{{.Description}}</title>
<rect class="bar{{if .Over}} over{{end}}" x="{{.X}}" y="{{.Y}}" width="90" height="{{.H}}"></rect>
<text x="{{add .X 45}}" y="{{.CountY}}" text-anchor="middle">{{.Count}}</text>
<text x="{{add .X 45}}" y="{{.LabelY}}" text-anchor="middle">{{.Label}}</text></g>
{{end}}<line x1="{{.Histogram.Axis}}" x2="{{.Histogram.Width}}" y1="{{.Histogram.Base}}" y2="{{.Histogram.Base}}" stroke="#999"></line>
</svg>

<h2>Keys</h2>
<p><input id="filter" type="search" placeholder="filter: user, key id, finding…" aria-label="filter keys"> <span id="shown"></span></p>
{{$h := .Headers}}{{$checks := .Checks}}{{$heading := .ShowAccountHeading}}
{{range .Groups}}<section class="account" data-account="{{.Account}}">
{{if $heading}}<h3>Account {{if .Account}}{{.Account}}{{with .Alias}} <span class="alias">({{.}})</span>{{end}}{{else}}(unknown){{end}}</h3>{{end}}
<table class="keys">
<thead><tr>{{range $h}}<th{{if .Num}} data-num{{end}}><button type="button">{{.Name}}</button></th>{{end}}</tr></thead>
<tbody>
{{range .Keys}}<tr{{if .Findings}} class="finding"{{end}}><td>{{.User}}</td><td>{{if .AccessKeyID}}{{.AccessKeyID}}{{else}}-{{end}}</td><td>{{.Status}}</td><td class="date"><time datetime="{{iso .Created}}">{{human .Created}}</time></td><td>{{with .AgeDays}}{{.}}{{else}}unknown{{end}}</td><td>{{.LastUsed}}</td><td>{{range .Findings}}{{$c := index $checks .ID}}<a class="sev sev-{{lower $c.Severity}}" href="{{$c.HelpURI}}" title="{{.Title}}">{{$c.Severity}} · {{.ID}}</a>{{end}}</td><td>{{$k := .}}{{range .Findings}}{{with fix .ID $k}}<code class="fix">{{.}}</code>{{end}}{{end}}</td></tr>
{{end}}</tbody>
</table>
</section>
{{end}}
<script>
` + pageScript + `</script>
</body>
</html>
`

var oracleFuncs = template.FuncMap{
	"lower": strings.ToLower,
	"iso":   isoDate,
	"add":   func(a, b int) int { return a + b },
	"human": humanDate,
	"fix":   fixFor,
}

func TestAuditHTMLMatchesTheTemplate(t *testing.T) {
	oracle := template.Must(template.New("audit").Funcs(oracleFuncs).Parse(oracleTemplate))
	hostile := `<b>"x' & y+z</b>` + "\x00é"
	zero := 0
	pages := map[string]AuditPage{
		"sample":   samplePage(),
		"accounts": samplePage("111111111111", "222222222222"),
		"empty":    {Title: "nothing", At: pageNow},
		"hostile everywhere": {Title: hostile, Account: hostile, Alias: hostile, At: pageNow, Aliases: map[string]string{hostile: hostile}, Limits: []time.Duration{days(45), days(90)}, Keys: []AuditKey{
			{Account: hostile, User: hostile, AccessKeyID: hostile, Status: "Active", Created: pageNow.Add(-days(100)), AgeDays: &zero, LastUsed: hostile,
				Findings: []policy.Finding{{ID: "IAM.3", Title: hostile}, {ID: "IAM.22", Title: hostile}, {ID: "no such check", Title: hostile}}},
			{User: "unknown age", Status: "Inactive"},
		}},
	}
	for name, p := range pages {
		t.Run(name, func(t *testing.T) {
			var want, got bytes.Buffer
			if err := oracle.Execute(&want, build(p)); err != nil {
				t.Fatal(err)
			}
			if err := AuditHTML(&got, p); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				g, w := got.String(), want.String()
				i := 0
				for i < len(g) && i < len(w) && g[i] == w[i] {
					i++
				}
				t.Fatalf("the page differs from html/template's at byte %d:\n got  %q\n want %q", i, tail(g, i), tail(w, i))
			}
		})
	}
}

func tail(s string, i int) string {
	lo, hi := max(0, i-40), min(len(s), i+80)
	return s[lo:hi]
}

func TestPageURLFiltersUnsafeSchemes(t *testing.T) {
	for in, want := range map[string]string{
		"https://docs.aws.amazon.com/x?a=1&b=2": "https://docs.aws.amazon.com/x?a=1&amp;b=2",
		"javascript:alert(1)":                   "#ZgotmplZ",
		"https://example.com/a b\"c":            "https://example.com/a%20b%22c",
		"relative/path":                         "relative/path",
	} {
		var b bytes.Buffer
		(&pageWriter{w: &b}).url(in)
		if b.String() != want {
			t.Errorf("url(%q) = %q, want %q", in, b.String(), want)
		}
	}
}
