package daemon

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"
)

// Outcomes of a scheduled run, as the outcome label of keywarden_job_runs_total.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
	OutcomeSkipped = "skipped" // the previous run was still going
)

// Metrics holds the daemon's counters and gauges in a Prometheus registry of its own,
// with the standard Go runtime and process collectors beside them. It is safe for
// concurrent use.
type Metrics struct {
	reg         *prometheus.Registry
	runs        *prometheus.CounterVec
	lastSuccess *prometheus.GaugeVec
	running     *prometheus.GaugeVec

	mu     sync.Mutex
	gauges map[string]ownGauge // families callers set with SetGauge
}

type ownGauge struct {
	vec    *prometheus.GaugeVec
	labels []string
}

// NewMetrics returns metrics holding only the daemon's own families.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "keywarden_job_runs_total",
			Help: "Scheduled job runs by outcome: success, failure, or skipped because the previous run was still going."}, []string{"job", "outcome"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "keywarden_job_last_success_timestamp_seconds",
			Help: "Unix time at which the job's last successful run finished."}, []string{"job"}),
		running: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "keywarden_job_running",
			Help: "1 while a run of the job is in progress, else 0."}, []string{"job"}),
		gauges: map[string]ownGauge{},
	}
	m.reg.MustRegister(m.runs, m.lastSuccess, m.running,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// The README documents classic names; client_golang would also take UTF-8 ones, which
// older scrapers cannot read, so the classic rule is checked here.
var (
	metricNameRE = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelNameRE  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
)

// SetGauge sets one series of a gauge the caller owns, such as
// keywarden_access_keys{job="curfew",status="Active"}. Names are program constants, so an
// invalid metric or label name, a name the daemon uses itself, or a second call with other
// label names panics.
func (m *Metrics) SetGauge(name, help string, labels map[string]string, v float64) {
	if !metricNameRE.MatchString(name) {
		panic(fmt.Sprintf("daemon: invalid metric name %q", name))
	}
	names := make([]string, 0, len(labels))
	for k := range labels {
		if !labelNameRE.MatchString(k) || strings.HasPrefix(k, "__") {
			panic(fmt.Sprintf("daemon: metric %s: invalid label name %q", name, k))
		}
		names = append(names, k)
	}
	slices.Sort(names)
	m.mu.Lock()
	g, ok := m.gauges[name]
	if !ok {
		g = ownGauge{vec: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, names), labels: names}
		if err := m.reg.Register(g.vec); err != nil {
			m.mu.Unlock()
			panic(fmt.Sprintf("daemon: metric %s: %v", name, err))
		}
		m.gauges[name] = g
	}
	m.mu.Unlock()
	if !slices.Equal(g.labels, names) {
		panic(fmt.Sprintf("daemon: metric %s: labels %v, first set with %v", name, names, g.labels))
	}
	g.vec.With(labels).Set(v)
}

// addJobs creates zero-valued series for new jobs so that rates and alerts
// see a job before its first run.
func (m *Metrics) addJobs(jobs []string) {
	for _, j := range jobs {
		for _, o := range []string{OutcomeSuccess, OutcomeFailure, OutcomeSkipped} {
			m.runs.WithLabelValues(j, o).Add(0)
		}
		m.running.WithLabelValues(j).Add(0)
	}
}

func (m *Metrics) countRun(job, outcome string) { m.runs.WithLabelValues(job, outcome).Inc() }

func (m *Metrics) setRunning(job string, running bool) {
	v := 0.0
	if running {
		v = 1
	}
	m.running.WithLabelValues(job).Set(v)
}

func (m *Metrics) finishRun(job, outcome string, end time.Time) {
	m.runs.WithLabelValues(job, outcome).Inc()
	m.running.WithLabelValues(job).Set(0)
	if outcome == OutcomeSuccess {
		m.lastSuccess.WithLabelValues(job).Set(float64(end.UnixNano()) / 1e9)
	}
}

// Handler serves the registry, negotiating the text or OpenMetrics format with the scraper.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{EnableOpenMetrics: true})
}

// WriteText writes every family in the Prometheus text format, as a scrape would get it.
func (m *Metrics) WriteText(w io.Writer) error {
	fams, err := m.reg.Gather()
	if err != nil {
		return err
	}
	enc := expfmt.NewEncoder(w, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, f := range fams {
		if err := enc.Encode(f); err != nil {
			return err
		}
	}
	return nil
}
