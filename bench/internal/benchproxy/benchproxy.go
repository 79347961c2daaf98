// Package benchproxy is what the bench programs share: a control server for the harness proxy
// (GET /calls, POST /reset, plus a program's own routes), a ready file the scripts wait for,
// and a wait for SIGINT/SIGTERM.
package benchproxy

import (
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/keywarden/keywarden/test/emu"
)

// Serve starts the control server for p, writes PROXY_URL and CONTROL_URL to ready (if set),
// and blocks until the program is told to stop. routes may add handlers to the control mux.
func Serve(p *emu.Proxy, ready string, routes func(*http.ServeMux)) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /calls", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(p.Calls())
	})
	mux.HandleFunc("POST /reset", func(w http.ResponseWriter, r *http.Request) { p.ResetCounts() })
	if routes != nil {
		routes(mux)
	}
	go http.Serve(l, mux)
	control := "http://" + l.Addr().String()
	if ready != "" {
		if err := os.WriteFile(ready, fmt.Appendf(nil, "PROXY_URL=%s\nCONTROL_URL=%s\n", p.URL, control), 0o600); err != nil {
			return err
		}
	}
	log.Printf("proxy %s, control %s", p.URL, control)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	return nil
}
