package report

import (
	"html/template"
	"io"
)

// htmlPage is a self-contained page (no scripts, no external assets) so an audit can be mailed
// or archived as one file. html/template escapes every value.
var htmlPage = template.Must(template.New("audit").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; }
th { background: #f4f4f4; }
tr.finding td { background: #fff3f0; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>{{.Summary}}</p>
<table>
<thead><tr>{{range .Headers}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr{{if .Flag}} class="finding"{{end}}>{{range .Cells}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
</body>
</html>
`))

// HTMLRow is one table row; Flag highlights it (a key with findings).
type HTMLRow struct {
	Cells []string
	Flag  bool
}

// HTML writes a standalone page with one table.
func HTML(w io.Writer, title, summary string, headers []string, rows []HTMLRow) error {
	return htmlPage.Execute(w, struct {
		Title, Summary string
		Headers        []string
		Rows           []HTMLRow
	}{title, summary, headers, rows})
}
