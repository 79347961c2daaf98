package daemon

import (
	"context"
	"fmt"
	"time"

	"github.com/keywarden/keywarden/internal/jobs"
)

// warnSuffix names a curfew's warning run in the daemon (a job name never holds a "/"), so its
// runs are never two at once and its metrics stand apart from the curfew's own.
const warnSuffix = "/warn"

// warnRun is a curfew's warning-only run, warn: before its run at due: it tells the owners of
// the keys that run will deactivate, and changes no key.
func (s *server) warnRun(ctx context.Context, name string, due time.Time) error {
	cfg := s.config()
	if _, ok := cfg.Job(name); !ok {
		return fmt.Errorf("job %s was removed from the config by a reload", name)
	}
	accts, opts, err := s.o.Accounts(ctx, cfg)
	if err != nil {
		return err
	}
	runs := jobs.WarnAhead(ctx, accts, cfg, name, s.o.Now(), due, opts)
	end := jobs.Finish(name, runs)
	end.Log(s.log)
	warnings, failed := 0, len(end.Failed)
	for _, r := range runs {
		warnings += len(r.Plan.Plan.Warnings)
	}
	s.log.Info("curfew warning", "job", name, "due", due.UTC().Format(time.RFC3339), "warnings", warnings, "failed_accounts", failed)
	if err := s.tell(ctx, cfg, name, runs); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("job %s: the warning could not be read in %d of %d accounts", name, failed, len(accts))
	}
	return nil
}
