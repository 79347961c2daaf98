package daemon

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
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

const (
	runsName        = "keywarden_job_runs_total"
	lastSuccessName = "keywarden_job_last_success_timestamp_seconds"
	runningName     = "keywarden_job_running"
)

// Metrics holds the daemon's counters and gauges and renders them in the
// Prometheus text exposition format (version 0.0.4). It is safe for
// concurrent use.
type Metrics struct {
	mu     sync.Mutex
	fams   map[string]*family
	series map[string]map[string]float64 // family name → rendered labels → value
}

type family struct {
	help, typ string
}

// NewMetrics returns metrics holding only the daemon's own families.
func NewMetrics() *Metrics {
	m := &Metrics{fams: map[string]*family{}, series: map[string]map[string]float64{}}
	m.fams[runsName] = &family{"Scheduled job runs by outcome: success, failure, or skipped because the previous run was still going.", "counter"}
	m.fams[lastSuccessName] = &family{"Unix time at which the job's last successful run finished.", "gauge"}
	m.fams[runningName] = &family{"1 while a run of the job is in progress, else 0.", "gauge"}
	return m
}

var (
	metricNameRE = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelNameRE  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
)

// SetGauge sets one series of a gauge the caller owns, such as
// keywarden_access_keys{status="Active"}. Names are program constants, so an
// invalid metric or label name, or a name the daemon uses itself, panics.
func (m *Metrics) SetGauge(name, help string, labels map[string]string, v float64) {
	if !metricNameRE.MatchString(name) {
		panic(fmt.Sprintf("daemon: invalid metric name %q", name))
	}
	for k := range labels {
		if !labelNameRE.MatchString(k) || strings.HasPrefix(k, "__") {
			panic(fmt.Sprintf("daemon: metric %s: invalid label name %q", name, k))
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if f, ok := m.fams[name]; ok && f.typ != "gauge" || name == lastSuccessName || name == runningName {
		panic(fmt.Sprintf("daemon: metric %s belongs to the daemon", name))
	}
	m.fams[name] = &family{help, "gauge"}
	m.set(name, labels, v)
}

// set stores a series; m.mu must be held.
func (m *Metrics) set(name string, labels map[string]string, v float64) {
	if m.series[name] == nil {
		m.series[name] = map[string]float64{}
	}
	m.series[name][renderLabels(labels)] = v
}

func (m *Metrics) add(name string, labels map[string]string, v float64) {
	if m.series[name] == nil {
		m.series[name] = map[string]float64{}
	}
	m.series[name][renderLabels(labels)] += v
}

// addJobs creates zero-valued series for new jobs so that rates and alerts
// see a job before its first run.
func (m *Metrics) addJobs(jobs []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, j := range jobs {
		for _, o := range []string{OutcomeSuccess, OutcomeFailure, OutcomeSkipped} {
			m.add(runsName, map[string]string{"job": j, "outcome": o}, 0)
		}
		m.add(runningName, map[string]string{"job": j}, 0)
	}
}

func (m *Metrics) countRun(job, outcome string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.add(runsName, map[string]string{"job": job, "outcome": outcome}, 1)
}

func (m *Metrics) setRunning(job string, running bool) {
	v := 0.0
	if running {
		v = 1
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.set(runningName, map[string]string{"job": job}, v)
}

func (m *Metrics) finishRun(job, outcome string, end time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.add(runsName, map[string]string{"job": job, "outcome": outcome}, 1)
	m.set(runningName, map[string]string{"job": job}, 0)
	if outcome == OutcomeSuccess {
		m.set(lastSuccessName, map[string]string{"job": job}, float64(end.UnixNano())/1e9)
	}
}

// WriteText writes every family that has a series, sorted by name, each
// series sorted by its labels.
func (m *Metrics) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	m.mu.Lock()
	for _, name := range slices.Sorted(maps.Keys(m.series)) {
		f := m.fams[name]
		fmt.Fprintf(bw, "# HELP %s %s\n# TYPE %s %s\n", name, escapeHelp(f.help), name, f.typ)
		s := m.series[name]
		for _, labels := range slices.Sorted(maps.Keys(s)) {
			fmt.Fprintf(bw, "%s%s %s\n", name, labels, formatValue(s[labels]))
		}
	}
	m.mu.Unlock()
	return bw.Flush()
}

func renderLabels(labels map[string]string) string {
	if len(labels) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range slices.Sorted(maps.Keys(labels)) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k)
		b.WriteString(`="`)
		b.WriteString(labelEscaper.Replace(labels[k]))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

func escapeHelp(s string) string { return helpEscaper.Replace(s) }

func formatValue(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
