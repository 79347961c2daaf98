package daemon

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestMetricsAfterRuns runs one job that succeeds and one that fails, then
// checks the exposition's values and that it parses.
func TestMetricsAfterRuns(t *testing.T) {
	h := start(t, utc("2026-11-23T00:00:00Z"),
		[]Job{job(t, "good", "0 * * * *", "UTC"), job(t, "bad", "0 * * * *", "UTC"), job(t, "idle", "0 0 1 1 *", "UTC")},
		time.Minute, func(ctx context.Context, name string) error {
			if name == "bad" {
				return errors.New("access denied")
			}
			return nil
		})
	for range 2 {
		h.clock.Set(h.nextWait())
		h.awaitRun()
		h.awaitRun()
	}
	h.d.Metrics().SetGauge("keywarden_access_keys", "Access keys by status.", map[string]string{"status": "Active"}, 3)
	h.d.Metrics().SetGauge("keywarden_access_keys", "Access keys by status.", map[string]string{"status": "Inactive"}, 1)
	h.d.Metrics().SetGauge("keywarden_oldest_active_key_age_seconds", "Age of the oldest active key.", nil, 86400.5)
	h.d.Metrics().SetGauge("keywarden_odd", "A help with a \\ and\na newline.", map[string]string{"v": "a\"b\\c\nd"}, 1)

	srv := httptest.NewServer(h.d.Handler())
	defer srv.Close()
	code, text := get(t, srv.URL+"/metrics")
	if code != 200 {
		t.Fatalf("GET /metrics: %d", code)
	}
	for _, p := range checkExposition(text) {
		t.Error(p)
	}
	for _, want := range []string{
		`keywarden_job_runs_total{job="good",outcome="success"} 2`,
		`keywarden_job_runs_total{job="good",outcome="failure"} 0`,
		`keywarden_job_runs_total{job="bad",outcome="failure"} 2`,
		`keywarden_job_runs_total{job="bad",outcome="success"} 0`,
		`keywarden_job_runs_total{job="idle",outcome="skipped"} 0`,
		`keywarden_job_last_success_timestamp_seconds{job="good"} 1795399200`, // 2026-11-23T02:00:00Z
		`keywarden_job_running{job="good"} 0`,
		`keywarden_access_keys{status="Active"} 3`,
		`keywarden_access_keys{status="Inactive"} 1`,
		`keywarden_oldest_active_key_age_seconds 86400.5`,
		`keywarden_odd{v="a\"b\\c\nd"} 1`,
		`# HELP keywarden_odd A help with a \\ and\na newline.`,
		"# TYPE keywarden_job_runs_total counter",
		"# TYPE keywarden_access_keys gauge",
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("metrics lack %s in:\n%s", want, text)
		}
	}
	if strings.Contains(text, `keywarden_job_last_success_timestamp_seconds{job="bad"}`) {
		t.Errorf("a job that never succeeded has a last-success time:\n%s", text)
	}
}

var (
	helpLine   = regexp.MustCompile(`^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$`)
	typeLine   = regexp.MustCompile(`^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge)$`)
	sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})? (-?[0-9.e+]+|NaN|[+-]Inf)$`)
)

// checkExposition reports where text breaks the Prometheus text format: each
// family once, HELP then TYPE then its samples, families and samples sorted.
func checkExposition(text string) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if !strings.HasSuffix(text, "\n") {
		bad("exposition does not end in a newline")
	}
	var family, lastSample, lastFamily string
	seen := map[string]bool{}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if m := helpLine.FindStringSubmatch(line); m != nil {
			family = m[1]
			if seen[family] {
				bad("family %s appears twice", family)
			}
			if family < lastFamily {
				bad("family %s after %s: not sorted", family, lastFamily)
			}
			seen[family], lastFamily, lastSample = true, family, ""
			i++
			if i >= len(lines) {
				bad("HELP %s is the last line", family)
				break
			}
			if tm := typeLine.FindStringSubmatch(lines[i]); tm == nil || tm[1] != family {
				bad("line %d: want TYPE %s after its HELP, got %q", i+1, family, lines[i])
			}
			continue
		}
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			bad("line %d is not a HELP, TYPE or sample line: %q", i+1, line)
			continue
		}
		if m[1] != family {
			bad("line %d: sample of %s under family %q", i+1, m[1], family)
		}
		if line < lastSample {
			bad("line %d: samples not sorted", i+1)
		}
		lastSample = line
	}
	return problems
}

func TestCheckExpositionCatchesErrors(t *testing.T) {
	bad := []string{
		"# HELP a x\n# TYPE a gauge\na{l=\"unescaped\"quote\"} 1\n",
		"# HELP b x\n# TYPE b gauge\nb 1\n# HELP a x\n# TYPE a gauge\na 1\n",
		"# HELP a x\n# TYPE a gauge\na{k=\"2\"} 1\na{k=\"1\"} 1\n",
		"# HELP a x\na 1\n",
		"a 1\n",
		"# HELP a x\n# TYPE a gauge\na 1",
	}
	for _, text := range bad {
		if p := checkExposition(text); len(p) == 0 {
			t.Errorf("checkExposition accepted %q", text)
		}
	}
	if p := checkExposition("# HELP a x\n# TYPE a gauge\na{k=\"1\"} 1\na{k=\"2\"} 1\n"); len(p) != 0 {
		t.Errorf("checkExposition rejected a valid text: %v", p)
	}
}

func TestSetGaugeRejectsBadNames(t *testing.T) {
	tests := []struct {
		name   string
		metric string
		labels map[string]string
	}{
		{"bad metric name", "1bad", nil},
		{"bad label name", "ok", map[string]string{"a-b": "x"}},
		{"reserved label", "ok", map[string]string{"__name__": "x"}},
		{"daemon's own counter", "keywarden_job_runs_total", nil},
		{"daemon's own gauge", "keywarden_job_running", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("SetGauge(%q, %v) did not panic", tc.metric, tc.labels)
				}
			}()
			NewMetrics().SetGauge(tc.metric, "h", tc.labels, 1)
		})
	}
}

func TestFormatValue(t *testing.T) {
	var b bytes.Buffer
	m := NewMetrics()
	m.SetGauge("x", "h", map[string]string{"k": "a"}, 0.25)
	m.SetGauge("x", "h", map[string]string{"k": "b"}, 1e20)
	m.SetGauge("x", "h", map[string]string{"k": "c"}, -7)
	if err := m.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := "# HELP x h\n# TYPE x gauge\nx{k=\"a\"} 0.25\nx{k=\"b\"} 1e+20\nx{k=\"c\"} -7\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
