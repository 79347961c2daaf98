package daemon

import (
	"net/http"
)

// Handler serves /healthz (200 "ok" while the loop runs, 503 before Serve and
// once shutdown has begun) and /metrics (Prometheus text or OpenMetrics, as the scraper asks).
func (d *Daemon) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		st := d.state
		d.mu.Unlock()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		switch st {
		case stateServing:
			_, _ = w.Write([]byte("ok\n"))
		case stateNew:
			http.Error(w, "not started", http.StatusServiceUnavailable)
		default:
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
		}
	})
	mux.Handle("GET /metrics", d.metrics.Handler())
	return mux
}
