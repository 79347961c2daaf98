package daemon

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestMetricsAfterRuns runs one job that succeeds and one that fails, scrapes /metrics as
// Prometheus would, and reads the answer with Prometheus's own parser: the names, labels and
// types are the ones the README documents.
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
	h.d.Metrics().SetGauge("keywarden_access_keys", "Access keys by status.", map[string]string{"job": "good", "status": "Active"}, 3)
	h.d.Metrics().SetGauge("keywarden_access_keys", "Access keys by status.", map[string]string{"job": "good", "status": "Inactive"}, 1)
	h.d.Metrics().SetGauge("keywarden_oldest_active_key_age_seconds", "Age of the oldest active key.", map[string]string{"job": "good"}, 86400.5)
	h.d.Metrics().SetGauge("keywarden_odd", "A help with a \\ and\na newline.", map[string]string{"v": "a\"b\\c\nd"}, 1)

	srv := httptest.NewServer(h.d.Handler())
	defer srv.Close()
	fams := scrape(t, srv.URL+"/metrics")
	for _, tc := range []struct {
		family string
		typ    dto.MetricType
		labels string // k=v,k=v sorted by name
		want   float64
	}{
		{"keywarden_job_runs_total", dto.MetricType_COUNTER, "job=good,outcome=success", 2},
		{"keywarden_job_runs_total", dto.MetricType_COUNTER, "job=good,outcome=failure", 0},
		{"keywarden_job_runs_total", dto.MetricType_COUNTER, "job=bad,outcome=failure", 2},
		{"keywarden_job_runs_total", dto.MetricType_COUNTER, "job=bad,outcome=success", 0},
		{"keywarden_job_runs_total", dto.MetricType_COUNTER, "job=idle,outcome=skipped", 0},
		{"keywarden_job_last_success_timestamp_seconds", dto.MetricType_GAUGE, "job=good", 1795399200}, // 2026-11-23T02:00:00Z
		{"keywarden_job_running", dto.MetricType_GAUGE, "job=good", 0},
		{"keywarden_access_keys", dto.MetricType_GAUGE, "job=good,status=Active", 3},
		{"keywarden_access_keys", dto.MetricType_GAUGE, "job=good,status=Inactive", 1},
		{"keywarden_oldest_active_key_age_seconds", dto.MetricType_GAUGE, "job=good", 86400.5},
		{"keywarden_odd", dto.MetricType_GAUGE, "v=a\"b\\c\nd", 1},
	} {
		f, ok := fams[tc.family]
		if !ok {
			t.Errorf("no family %s", tc.family)
			continue
		}
		if f.GetType() != tc.typ {
			t.Errorf("%s is a %s, want %s", tc.family, f.GetType(), tc.typ)
		}
		got, ok := sample(f, tc.labels)
		if !ok || got != tc.want {
			t.Errorf("%s{%s} = %v (present %v), want %v", tc.family, tc.labels, got, ok, tc.want)
		}
	}
	if got := fams["keywarden_odd"].GetHelp(); got != "A help with a \\ and\na newline." {
		t.Errorf("help = %q", got)
	}
	if _, ok := sample(fams["keywarden_job_last_success_timestamp_seconds"], "job=bad"); ok {
		t.Error("a job that never succeeded has a last-success time")
	}
	// The library's standard collectors come with it.
	for _, want := range []string{"go_goroutines", "process_start_time_seconds"} {
		if _, ok := fams[want]; !ok {
			t.Errorf("no %s", want)
		}
	}
}

// A scraper that asks for OpenMetrics gets it.
func TestMetricsOpenMetrics(t *testing.T) {
	m := NewMetrics(time.Unix(1700000000, 0))
	m.addJobs([]string{"curfew"})
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.Header.Set("Accept", "application/openmetrics-text;version=1.0.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	if _, err := io.Copy(&b, resp.Body); err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/openmetrics-text") {
		t.Errorf("Content-Type = %q", ct)
	}
	if !strings.HasSuffix(b.String(), "# EOF\n") || !strings.Contains(b.String(), `keywarden_job_runs_total{job="curfew",outcome="success"} 0`) {
		t.Errorf("not OpenMetrics:\n%s", b.String())
	}
}

func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// sample finds the series of f whose labels, written k=v,k=v in name order, are labels.
func sample(f *dto.MetricFamily, labels string) (float64, bool) {
	for _, m := range f.GetMetric() {
		var kv []string
		for _, l := range m.GetLabel() {
			kv = append(kv, l.GetName()+"="+l.GetValue())
		}
		if strings.Join(kv, ",") != labels {
			continue
		}
		if c := m.GetCounter(); c != nil {
			return c.GetValue(), true
		}
		return m.GetGauge().GetValue(), true
	}
	return 0, false
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
			NewMetrics(time.Unix(1700000000, 0)).SetGauge(tc.metric, "h", tc.labels, 1)
		})
	}
	t.Run("other labels the second time", func(t *testing.T) {
		m := NewMetrics(time.Unix(1700000000, 0))
		m.SetGauge("x", "h", map[string]string{"job": "a"}, 1)
		defer func() {
			if recover() == nil {
				t.Error("no panic")
			}
		}()
		m.SetGauge("x", "h", map[string]string{"status": "Active"}, 1)
	})
}
