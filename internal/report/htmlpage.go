package report

import (
	"io"
	"strconv"
	"strings"

	"github.com/keywarden/keywarden/internal/policy"
)

// The audit page is written by plain Go rather than html/template: executing any template
// makes the linker keep every exported method of every type in the binary (text/template
// looks methods up by name), which more than doubled keywarden's size and start-up for one
// page. TestAuditHTMLMatchesTheTemplate keeps html/template as the oracle for the escaping.
//
// Everything the page needs is inline (style, SVG, script), so the file works offline and as
// an attachment. The script is the only behaviour: sorting by a column, filtering rows, and
// both read from and written to the address's #fragment, so a filtered view can be linked to
// (#q=bob&sort=4&desc). An "unknown" age sorts below 0.

const pageStyle = `body { font: 14px system-ui, sans-serif; margin: 2em; color: #222; }
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
`

const pageScript = `(function () {
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
`

// htmlEscaper escapes text and quoted attribute values as html/template does.
var htmlEscaper = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

// pageWriter keeps the first write error, so the page reads top to bottom.
type pageWriter struct {
	w   io.Writer
	err error
}

func (p *pageWriter) raw(ss ...string) {
	for _, s := range ss {
		if p.err == nil {
			_, p.err = io.WriteString(p.w, s)
		}
	}
}

// text writes s escaped, for element content and quoted attribute values.
func (p *pageWriter) text(s string) { p.raw(htmlEscaper.Replace(s)) }

func (p *pageWriter) int(n int) { p.raw(strconv.Itoa(n)) }

// url writes an href value: a scheme other than http, https or mailto becomes html/template's
// "#ZgotmplZ", and bytes that cannot stand in a URL are percent-encoded.
func (p *pageWriter) url(s string) {
	if i := strings.IndexByte(s, ':'); i >= 0 && !strings.Contains(s[:i], "/") {
		switch strings.ToLower(s[:i]) {
		case "http", "https", "mailto":
		default:
			p.raw("#ZgotmplZ")
			return
		}
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~!#$&*+,/:;=?@[]%", c) >= 0) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	p.text(b.String())
}

func (p *pageWriter) page(d pageData) {
	p.raw("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
	p.text(d.Title)
	p.raw("</title>\n<style>\n", pageStyle, "</style>\n</head>\n<body>\n<h1>")
	p.text(d.Title)
	p.raw("</h1>\n<p class=\"at\">")
	if d.Account != "" {
		p.raw("account <b id=\"account\">")
		p.text(d.Account)
		p.raw("</b>")
		if d.Alias != "" {
			p.raw(" (")
			p.text(d.Alias)
			p.raw(")")
		}
		p.raw(" · ")
	}
	p.raw("taken <time id=\"taken\" datetime=\"")
	p.text(d.At)
	p.raw("\">")
	p.text(d.TakenAt)
	p.raw("</time></p>\n\n<section class=\"summary\" id=\"summary\">\n")
	p.summary(d)
	p.raw("</section>\n\n")
	p.histogram(d.Histogram)
	p.raw("\n<h2>Keys</h2>\n<p><input id=\"filter\" type=\"search\" placeholder=\"filter: user, key id, finding…\" aria-label=\"filter keys\"> <span id=\"shown\"></span></p>\n\n")
	for _, g := range d.Groups {
		p.group(d, g)
	}
	p.raw("\n<script>\n", pageScript, "</script>\n</body>\n</html>\n")
}

func (p *pageWriter) summary(d pageData) {
	p.stat("n-keys", d.Keys, "keys ("+strconv.Itoa(d.Active)+" active)")
	p.raw("\n")
	p.stat("n-users", d.Users, "users with keys")
	p.raw("\n")
	if d.Accounts != 0 {
		p.stat("n-accounts", d.Accounts, "accounts")
	}
	p.raw("\n")
	p.stat("n-findings", d.TotalFindings, "findings")
	p.raw("\n<div>\n<h2>Findings by id</h2>\n<table id=\"findings\">\n",
		"<thead><tr><th>Check</th><th>Verdict</th><th>Keys</th><th>What it means</th><th>Fix</th></tr></thead>\n<tbody>\n")
	for _, v := range d.Verdicts {
		p.raw("<tr><td>")
		p.badge(v.Check, v.ID, nil)
		p.raw("</td><td class=\"verdict ")
		verdict := "pass"
		if v.Count != 0 {
			verdict = "fail"
		}
		p.raw(verdict, "\" data-verdict=\"")
		p.text(v.ID)
		p.raw("\">", verdict, "</td>")
		if v.Count != 0 {
			p.raw("<td data-id=\"")
			p.text(v.ID)
			p.raw("\">")
			p.int(v.Count)
			p.raw("</td>")
		} else {
			p.raw("<td>0</td>")
		}
		p.raw("<td>")
		p.text(v.Title)
		p.raw(" (CIS ")
		p.text(v.CIS)
		p.raw(")</td><td>")
		if v.Count != 0 {
			p.raw("<code>")
			p.text(v.Fix)
			p.raw("</code>")
		}
		p.raw("</td></tr>\n")
	}
	p.raw("</tbody>\n</table>\n</div>\n<div>\n<h2>Oldest active key</h2>\n")
	if k := d.Oldest; k != nil {
		p.raw("<p id=\"oldest\">")
		p.text(k.AccessKeyID)
		p.raw(" of ")
		p.text(k.User)
		if k.Account != "" {
			p.raw(" in ")
			p.text(k.Account)
		}
		p.raw(": ")
		if k.AgeDays != nil {
			p.int(*k.AgeDays)
		}
		p.raw(" days, created ")
		p.date(k)
		p.raw("</p>")
	} else {
		p.raw("<p id=\"oldest\">No active keys.</p>")
	}
	p.raw("\n</div>\n")
}

// badge is a check's severity and id, linked to the page that explains it; a key's finding
// gives its own id (which names the check when the policy has no such check) and a title.
// stat is one of the summary's figures; label is keywarden's own text, not escaped.
func (p *pageWriter) stat(id string, n int, label string) {
	p.raw("<div><div class=\"stat\" id=\"", id, "\">")
	p.int(n)
	p.raw("<small>", label, "</small></div></div>")
}

func (p *pageWriter) badge(c policy.Check, id string, title *string) {
	p.raw("<a class=\"sev sev-")
	p.text(strings.ToLower(c.Severity))
	p.raw("\" href=\"")
	p.url(c.HelpURI)
	if title != nil {
		p.raw("\" title=\"")
		p.text(*title)
	}
	p.raw("\">")
	p.text(c.Severity)
	p.raw(" · ")
	p.text(id)
	p.raw("</a>")
}

func (p *pageWriter) date(k *AuditKey) {
	p.raw("<time datetime=\"")
	p.text(isoDate(k.Created))
	p.raw("\">")
	p.text(humanDate(k.Created))
	p.raw("</time>")
}

func (p *pageWriter) histogram(h histogram) {
	p.raw("<h2>Active keys by age</h2>\n<svg id=\"histogram\"")
	p.attr("width", h.Width)
	p.attr("height", h.Height)
	p.raw(" role=\"img\" aria-label=\"active keys by age, in buckets ending at the policy limits\">\n")
	p.axis(h.Axis, h.Axis, h.Top, h.Base)
	p.raw("\n")
	for _, t := range h.Ticks {
		p.axis(h.Axis-4, h.Axis, t.Y, t.Y)
		p.raw("<text class=\"tick\"")
		p.attr("x", h.Axis-7)
		p.attr("y", t.Y+4)
		p.raw(" text-anchor=\"end\">")
		p.int(t.Label)
		p.raw("</text>\n")
	}
	p.raw("<text x=\"12\"")
	p.attr("y", h.Top)
	p.raw(" transform=\"rotate(-90 12 ")
	p.int(h.Top)
	p.raw(")\" text-anchor=\"end\">keys</text>\n<text")
	p.attr("x", h.Axis)
	p.attr("y", h.Base+40)
	p.raw(">age of active keys, in days</text>\n")
	for _, b := range h.Bars {
		p.raw("<g><title>")
		p.text(b.Description)
		p.raw("</title>\n<rect class=\"bar")
		if b.Over {
			p.raw(" over")
		}
		p.raw("\"")
		p.attr("x", b.X)
		p.attr("y", b.Y)
		p.attr("width", 90)
		p.attr("height", b.H)
		p.raw("></rect>\n<text")
		p.attr("x", b.X+45)
		p.attr("y", b.CountY)
		p.raw(" text-anchor=\"middle\">")
		p.int(b.Count)
		p.raw("</text>\n<text")
		p.attr("x", b.X+45)
		p.attr("y", b.LabelY)
		p.raw(" text-anchor=\"middle\">")
		p.text(b.Label)
		p.raw("</text></g>\n")
	}
	p.axis(h.Axis, h.Width, h.Base, h.Base)
	p.raw("\n</svg>\n")
}

// axis is one grey line of the histogram's axes and ticks.
func (p *pageWriter) axis(x1, x2, y1, y2 int) {
	p.raw("<line")
	p.attr("x1", x1)
	p.attr("x2", x2)
	p.attr("y1", y1)
	p.attr("y2", y2)
	p.raw(" stroke=\"#999\"></line>")
}

// attr writes a numeric attribute, preceded by a space.
func (p *pageWriter) attr(name string, v int) {
	p.raw(" ", name, "=\"")
	p.int(v)
	p.raw("\"")
}

func (p *pageWriter) group(d pageData, g group) {
	p.raw("<section class=\"account\" data-account=\"")
	p.text(g.Account)
	p.raw("\">\n")
	if d.ShowAccountHeading {
		p.raw("<h3>Account ")
		if g.Account != "" {
			p.text(g.Account)
			if g.Alias != "" {
				p.raw(" <span class=\"alias\">(")
				p.text(g.Alias)
				p.raw(")</span>")
			}
		} else {
			p.raw("(unknown)")
		}
		p.raw("</h3>")
	}
	p.raw("\n<table class=\"keys\">\n<thead><tr>")
	for _, h := range d.Headers {
		p.raw("<th")
		if h.Num {
			p.raw(" data-num")
		}
		p.raw("><button type=\"button\">")
		p.text(h.Name)
		p.raw("</button></th>")
	}
	p.raw("</tr></thead>\n<tbody>\n")
	for i := range g.Keys {
		p.key(d, &g.Keys[i])
	}
	p.raw("</tbody>\n</table>\n</section>\n")
}

func (p *pageWriter) key(d pageData, k *AuditKey) {
	p.raw("<tr")
	if len(k.Findings) > 0 {
		p.raw(" class=\"finding\"")
	}
	p.raw("><td>")
	p.text(k.User)
	p.raw("</td><td>")
	if k.AccessKeyID != "" {
		p.text(k.AccessKeyID)
	} else {
		p.raw("-")
	}
	p.raw("</td><td>")
	p.text(k.Status)
	p.raw("</td><td class=\"date\">")
	p.date(k)
	p.raw("</td><td>")
	if k.AgeDays != nil {
		p.int(*k.AgeDays)
	} else {
		p.raw("unknown")
	}
	p.raw("</td><td>")
	p.text(k.LastUsed)
	p.raw("</td><td>")
	for _, f := range k.Findings {
		p.badge(d.Checks[f.ID], f.ID, &f.Title)
	}
	p.raw("</td><td>")
	for _, f := range k.Findings {
		if fix := fixFor(f.ID, *k); fix != "" {
			p.raw("<code class=\"fix\">")
			p.text(fix)
			p.raw("</code>")
		}
	}
	p.raw("</td></tr>\n")
}
