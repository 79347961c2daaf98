package report

// auditTemplate is the audit page. Everything it needs is inline (style, SVG, script), so the
// file works offline and as an attachment. The script is the only behaviour: sorting by a
// column, filtering rows, and both read from and written to the address's #fragment, so a
// filtered view can be linked to (#q=bob&sort=4&desc). An "unknown" age sorts below 0.
const auditTemplate = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2em; color: #222; }
h1 { margin-bottom: 0; } .at { color: #666; margin-top: .2em; }
.summary { display: flex; flex-wrap: wrap; gap: 2em; align-items: flex-start; }
.stat { font-size: 28px; font-weight: 600; } .stat small { display: block; font-size: 12px; font-weight: 400; color: #666; }
table { border-collapse: collapse; margin: .5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } th button { all: unset; cursor: pointer; font-weight: 600; }
th[aria-sort=ascending] button::after { content: " ▲"; } th[aria-sort=descending] button::after { content: " ▼"; }
tr.finding td { background: #fff8f5; }
.sev { display: inline-block; padding: 0 6px; border-radius: 3px; color: #fff; text-decoration: none; margin-right: 4px; }
.sev-critical { background: #7a0010; } .sev-high { background: #c0392b; } .sev-medium { background: #d35400; }
.sev-low { background: #b7950b; } .sev-informational { background: #5d6d7e; }
svg text { font: 12px system-ui, sans-serif; } .bar { fill: #5b8def; } .bar.over { fill: #d35400; }
#filter { padding: 4px 8px; width: 20em; }
td.date, .sev, code.fix, #findings code { white-space: nowrap; } code.fix { display: block; font-size: 12px; }
.verdict.fail { color: #c0392b; font-weight: 600; } .verdict.pass { color: #1e8449; }
</style>
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
(function () {
  var filter = document.getElementById("filter"), shown = document.getElementById("shown");
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.keys tbody tr"));
  function n(s) { var v = parseFloat(s); return isNaN(v) ? -1 : v; }
  function sort(col, desc) {
    document.querySelectorAll("table.keys").forEach(function (t) {
      var th = t.tHead.rows[0].cells, num = th[col].hasAttribute("data-num"), body = t.tBodies[0];
      for (var i = 0; i < th.length; i++) th[i].removeAttribute("aria-sort");
      th[col].setAttribute("aria-sort", desc ? "descending" : "ascending");
      Array.prototype.slice.call(body.rows).sort(function (a, b) {
        var x = a.cells[col].textContent, y = b.cells[col].textContent;
        var r = num ? n(x) - n(y) : x.localeCompare(y);
        return desc ? -r : r;
      }).forEach(function (r) { body.appendChild(r); });
    });
  }
  function apply(q) {
    q = q.toLowerCase();
    var n = 0;
    rows.forEach(function (r) { r.hidden = q !== "" && r.textContent.toLowerCase().indexOf(q) < 0; if (!r.hidden) n++; });
    shown.textContent = n + " of " + rows.length + " keys";
  }
  function save() {
    var th = document.querySelector("table.keys th[aria-sort]"), h = [];
    if (filter.value) h.push("q=" + encodeURIComponent(filter.value));
    if (th) h.push("sort=" + th.cellIndex + (th.getAttribute("aria-sort") === "descending" ? "&desc" : ""));
    history.replaceState(null, "", h.length ? "#" + h.join("&") : location.pathname);
  }
  document.querySelectorAll("table.keys th button").forEach(function (b) {
    b.addEventListener("click", function () {
      var th = b.parentNode;
      sort(th.cellIndex, th.getAttribute("aria-sort") === "ascending");
      save();
    });
  });
  filter.addEventListener("input", function () { apply(filter.value); save(); });
  var p = new URLSearchParams(location.hash.slice(1));
  if (p.has("sort")) sort(+p.get("sort"), p.has("desc"));
  filter.value = p.get("q") || "";
  apply(filter.value);
})();
</script>
</body>
</html>
`
