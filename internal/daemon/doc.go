// Package daemon is keywarden serve: the scheduler loop (daemon.go, which knows nothing of
// AWS: at each job's cron time it calls a Runner with the job's name) and the server that
// loop runs (server.go, serverjobs.go: each run is jobs.RunJobs, reported with jobs.Finish,
// recorded as metrics; SIGHUP reloads the config). internal/cli only turns flags into
// ServeOptions; this package never imports cli.
//
// Policies:
//   - A job is never run twice at once. If its previous run is still going
//     when its next time comes, that time is skipped, logged, and counted as
//     outcome "skipped".
//   - If the loop wakes late (the host was suspended, the clock jumped), the
//     times it missed collapse into one run, and the next time is computed
//     from the clock's present.
//   - Shutdown, when Serve's context is cancelled: no new runs start and
//     /healthz turns 503. Running jobs keep an uncancelled context for
//     ShutdownGrace; after that their context is cancelled, and Serve still
//     waits for them to return, so it never abandons a run half done.
//   - A Runner that panics is recorded as a failure; the daemon carries on.
package daemon
