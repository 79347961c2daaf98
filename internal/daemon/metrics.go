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
)

// Outcomes of a scheduled run, as the outcome label of keywarden_job_runs_total.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
	OutcomeSkipped = "skipped" // the previous run was still going
)

// Metrics holds the daemon's counters and gauges and writes them in the Prometheus text format
// or OpenMetrics (expose.go), with a few go_* and process_* metrics beside them. It is safe for
// concurrent use.
//
// It is written here rather than with Prometheus's Go client: that client and the protobuf
// runtime it brings are about 35 packages that every command of the binary, and the Lambda,
// linked and initialised for the sake of serve's one endpoint (issue 20's start-up budget).
// The exposition is a few documented lines of text; the tests read it with Prometheus's own
// parser.
type Metrics struct {
	mu    sync.Mutex
	fams  map[string]*family
	start time.Time
}

type family struct {
	name, help string
	counter    bool
	labels     []string           // label names, sorted
	series     map[string]*series // by label values joined with \xff
	own        bool               // set by SetGauge, not by the daemon
}

type series struct {
	values []string // in the order of family.labels
	v      float64
}

// NewMetrics returns metrics holding only the daemon's own families; start is
// reported as process_start_time_seconds and comes from the daemon's clock, so
// the package reads no clock of its own (invariant: time is an argument).
func NewMetrics(start time.Time) *Metrics {
	m := &Metrics{fams: map[string]*family{}, start: start}
	m.fams[runsMetric] = &family{name: runsMetric, counter: true, labels: []string{"job", "outcome"},
		help: "Scheduled job runs by outcome: success, failure, or skipped because the previous run was still going."}
	m.fams[lastSuccessMetric] = &family{name: lastSuccessMetric, labels: []string{"job"},
		help: "Unix time at which the job's last successful run finished."}
	m.fams[runningMetric] = &family{name: runningMetric, labels: []string{"job"},
		help: "1 while a run of the job is in progress, else 0."}
	for _, f := range m.fams {
		f.series = map[string]*series{}
	}
	return m
}

// Only classic names: older scrapers cannot read the UTF-8 ones newer Prometheus allows.
// Compiled on first use, as every command links this package and only serve sets a gauge.
var (
	metricNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`) })
	labelNameRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`) })
)

// SetGauge sets one series of a gauge the caller owns, such as
// keywarden_access_keys{job="curfew",status="Active"}. Names are program constants, so an
// invalid metric or label name, a name the daemon uses itself, or a second call with other
// label names panics.
func (m *Metrics) SetGauge(name, help string, labels map[string]string, v float64) {
	if !metricNameRE().MatchString(name) || strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "process_") {
		panic(fmt.Sprintf("daemon: invalid metric name %q", name))
	}
	names := make([]string, 0, len(labels))
	for k := range labels {
		if !labelNameRE().MatchString(k) || strings.HasPrefix(k, "__") {
			panic(fmt.Sprintf("daemon: metric %s: invalid label name %q", name, k))
		}
		names = append(names, k)
	}
	slices.Sort(names)
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.fams[name]
	switch {
	case !ok:
		f = &family{name: name, help: help, labels: names, series: map[string]*series{}, own: true}
		m.fams[name] = f
	case !f.own:
		panic(fmt.Sprintf("daemon: metric %s is the daemon's own", name))
	case !slices.Equal(f.labels, names):
		panic(fmt.Sprintf("daemon: metric %s: labels %v, first set with %v", name, names, f.labels))
	}
	values := make([]string, len(names))
	for i, k := range names {
		values[i] = labels[k]
	}
	f.at(values).v = v
}

// at returns the series with these label values, creating it at 0. Callers hold m.mu.
func (f *family) at(values []string) *series {
	key := strings.Join(values, "\xff")
	s, ok := f.series[key]
	if !ok {
		s = &series{values: values}
		f.series[key] = s
	}
	return s
}

// update changes one series of a daemon family under the lock.
func (m *Metrics) update(name string, change func(*series), values ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	change(m.fams[name].at(values))
}

func add(d float64) func(*series) { return func(s *series) { s.v += d } }
func set(v float64) func(*series) { return func(s *series) { s.v = v } }

const (
	runsMetric        = "keywarden_job_runs_total"
	runningMetric     = "keywarden_job_running"
	lastSuccessMetric = "keywarden_job_last_success_timestamp_seconds"
)

// addJobs creates zero-valued series for new jobs so that rates and alerts
// see a job before its first run.
func (m *Metrics) addJobs(jobs []string) {
	for _, j := range jobs {
		for _, o := range []string{OutcomeSuccess, OutcomeFailure, OutcomeSkipped} {
			m.update(runsMetric, add(0), j, o)
		}
		m.update(runningMetric, add(0), j)
	}
}

func (m *Metrics) countRun(job, outcome string) { m.update(runsMetric, add(1), job, outcome) }

func (m *Metrics) setRunning(job string, running bool) {
	v := 0.0
	if running {
		v = 1
	}
	m.update(runningMetric, set(v), job)
}

func (m *Metrics) finishRun(job, outcome string, end time.Time) {
	m.update(runsMetric, add(1), job, outcome)
	m.update(runningMetric, set(0), job)
	if outcome == OutcomeSuccess {
		m.update(lastSuccessMetric, set(float64(end.UnixNano())/1e9), job)
	}
}

// Handler serves every family, in OpenMetrics when the scraper asks for it, else in the
// Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		open := strings.Contains(r.Header.Get("Accept"), "application/openmetrics-text")
		if open {
			w.Header().Set("Content-Type", "application/openmetrics-text; version=1.0.0; charset=utf-8")
		} else {
			w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		}
		_ = m.write(w, open)
	})
}

// WriteText writes every family in the Prometheus text format, as a scrape would get it.
func (m *Metrics) WriteText(w io.Writer) error { return m.write(w, false) }
