package report

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// chromium finds a headless browser. CI installs Debian's chromium (.ci/run), so there a missing
// browser fails the test; elsewhere it skips, naming the package.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed, and CI must run the browser test: apt-get install -y chromium")
	}
	t.Skip("chromium is not installed; apt-get install -y chromium to run the browser test")
	return ""
}

// dumpDOM loads the page in headless Chromium and returns the DOM after its script ran.
func dumpDOM(t *testing.T, browser, file, fragment string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-dev-shm-usage", "--no-first-run", "--user-data-dir="+t.TempDir(),
		"--dump-dom", "file://"+file+fragment)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	return string(out)
}

var keyRow = regexp.MustCompile(`<tr([^>]*)><td>(.*?)</td><td>(AKIA[A-Z0-9]+)</td>`)

// rows lists the key table's rows in DOM order by key id, with "-" before a hidden one.
func rows(dom string) []string {
	var out []string
	for _, m := range keyRow.FindAllStringSubmatch(dom, -1) {
		s := m[3]
		if strings.Contains(m[1], "hidden") {
			s = "-" + s
		}
		out = append(out, s)
	}
	return out
}

func TestAuditHTMLInChromium(t *testing.T) {
	browser := chromium(t)
	file := filepath.Join(t.TempDir(), "audit.html")
	if err := os.WriteFile(file, []byte(render(t, samplePage())), 0o644); err != nil {
		t.Fatal(err)
	}
	const alice, bob1, bob2, carol, evilKey = "AKIAALICE00000000001", "AKIABOB0000000000001", "AKIABOB0000000000002", "AKIACAROL00000000001", "AKIAEVIL000000000001"

	dom := dumpDOM(t, browser, file, "")
	if got, want := strings.Join(rows(dom), " "), strings.Join([]string{alice, bob1, bob2, carol, evilKey}, " "); got != want {
		t.Errorf("rows as written:\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(dom, `<span id="shown">5 of 5 keys</span>`) {
		t.Error("the script did not run: no count of shown keys")
	}
	// Escaped: the user name stays text, and the only script is the page's own.
	if strings.Contains(dom, "data-pwned=") || strings.Count(dom, "<script") != 1 || !strings.Contains(dom, "<td>&lt;script&gt;document.body") {
		t.Errorf("a user name with markup was not kept as text:\n%s", dom)
	}
	// Self-contained: nothing is fetched; the only addresses are links to what findings mean.
	for _, bad := range []string{" src=", "<link", "url(", "@import", "<iframe", "<object"} {
		if strings.Contains(dom, bad) {
			t.Errorf("the page loads something from elsewhere: %q", bad)
		}
	}

	dom = dumpDOM(t, browser, file, "#sort=4&desc") // Age (days), oldest first
	if got, want := strings.Join(rows(dom), " "), strings.Join([]string{carol, evilKey, alice, bob2, bob1}, " "); got != want {
		t.Errorf("sorted by age, descending:\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(dom, `aria-sort="descending"`) {
		t.Error("the sorted column is not marked")
	}

	dom = dumpDOM(t, browser, file, "#sort=0&q=bob")
	if got, want := strings.Join(rows(dom), " "), strings.Join([]string{"-" + evilKey, "-" + alice, bob1, bob2, "-" + carol}, " "); got != want {
		t.Errorf("filtered to bob, sorted by user:\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(dom, `<span id="shown">2 of 5 keys</span>`) {
		t.Error("the filter does not say how many keys it shows")
	}
}
