package daemon

import (
	"bufio"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// write renders every family: Prometheus's text format 0.0.4, or OpenMetrics 1.0 when open is
// set (a counter's family is named without _total there, and the text ends with # EOF).
// Families and series come in name order, so two scrapes of the same state are the same text.
func (m *Metrics) write(w io.Writer, open bool) error {
	b := bufio.NewWriter(w)
	m.mu.Lock()
	fams := make([]*family, 0, len(m.fams)+8)
	for _, f := range m.fams {
		fams = append(fams, f.copy())
	}
	m.mu.Unlock()
	fams = append(fams, m.runtimeFamilies()...)
	slices.SortFunc(fams, func(a, b *family) int { return strings.Compare(a.name, b.name) })
	for _, f := range fams {
		writeFamily(b, f, open)
	}
	if open {
		b.WriteString("# EOF\n")
	}
	return b.Flush()
}

func (f *family) copy() *family {
	c := *f
	c.series = make(map[string]*series, len(f.series))
	for k, s := range f.series {
		sc := *s
		c.series[k] = &sc
	}
	return &c
}

func writeFamily(b *bufio.Writer, f *family, open bool) {
	typ, name := "gauge", f.name
	if f.counter {
		typ = "counter"
		if open {
			name = strings.TrimSuffix(f.name, "_total")
		}
	}
	b.WriteString("# HELP " + name + " " + escape(f.help, false) + "\n")
	b.WriteString("# TYPE " + name + " " + typ + "\n")
	keys := make([]string, 0, len(f.series))
	for k := range f.series {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		s := f.series[k]
		b.WriteString(f.name)
		if len(f.labels) > 0 {
			b.WriteByte('{')
			for i, l := range f.labels {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(l + `="` + escape(s.values[i], true) + `"`)
			}
			b.WriteByte('}')
		}
		b.WriteString(" " + number(s.v) + "\n")
	}
}

// escape escapes a HELP text (backslash, newline) or a label value (also the double quote).
func escape(s string, quote bool) string {
	r := strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	if quote {
		r = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
	}
	return r.Replace(s)
}

func number(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// runtimeFamilies are the go_* and process_* metrics people alert on (goroutines, heap,
// memory, CPU, open files, start time), read at scrape time; those the platform cannot give
// (process_* outside Linux's /proc) are left out rather than reported as 0.
func (m *Metrics) runtimeFamilies() []*family {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	out := []*family{
		one("go_goroutines", "Number of goroutines that currently exist.", false, float64(runtime.NumGoroutine())),
		one("go_memstats_alloc_bytes", "Number of bytes allocated in heap and currently in use.", false, float64(ms.HeapAlloc)),
		one("go_memstats_sys_bytes", "Number of bytes obtained from system.", false, float64(ms.Sys)),
		one("go_memstats_heap_inuse_bytes", "Number of heap bytes that are in use.", false, float64(ms.HeapInuse)),
	}
	if !m.start.IsZero() {
		out = append(out, one("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", false, float64(m.start.UnixNano())/1e9))
	}
	info := one("go_info", "Information about the Go environment.", false, 1)
	info.labels = []string{"version"}
	info.series = map[string]*series{"": {values: []string{runtime.Version()}, v: 1}}
	out = append(out, info)
	if runtime.GOOS != "linux" {
		return out
	}
	// /proc/self/stat: utime and stime (fields 14, 15) in clock ticks of 1/100 s, as
	// Prometheus's own process collector assumes; statm's second field is resident pages.
	if stat, err := os.ReadFile("/proc/self/stat"); err == nil {
		if i := strings.LastIndexByte(string(stat), ')'); i > 0 {
			f := strings.Fields(string(stat)[i+1:])
			if len(f) > 13 {
				ut, _ := strconv.ParseFloat(f[11], 64)
				st, _ := strconv.ParseFloat(f[12], 64)
				out = append(out, one("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", true, (ut+st)/100))
			}
		}
	}
	if statm, err := os.ReadFile("/proc/self/statm"); err == nil {
		if f := strings.Fields(string(statm)); len(f) > 1 {
			pages, _ := strconv.ParseFloat(f[1], 64)
			out = append(out, one("process_resident_memory_bytes", "Resident memory size in bytes.", false, pages*float64(os.Getpagesize())))
		}
	}
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		out = append(out, one("process_open_fds", "Number of open file descriptors.", false, float64(len(fds))))
	}
	return out
}

func one(name, help string, counter bool, v float64) *family {
	return &family{name: name, help: help, counter: counter, series: map[string]*series{"": {v: v}}}
}
