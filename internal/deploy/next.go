package deploy

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/keywarden/keywarden/internal/policy"
)

// Fire is a scheduled job's next run, in its own zone.
type Fire struct {
	Job         string    `json:"job"`
	Cron        string    `json:"cron"`
	TimeZone    string    `json:"timezone"`
	EventBridge []string  `json:"eventbridge"`
	Next        time.Time `json:"next"`
}

// NextFires lists when each scheduled job next runs after now. It reads the cron with
// robfig/cron in the job's zone, the same reading EventBridgeCron is tested against.
// (internal/schedule, the daemon's reader, is not on main yet; switch to it when it is.)
func NextFires(cfg *policy.Config, now time.Time) ([]Fire, error) {
	var out []Fire
	for _, j := range cfg.Jobs {
		if j.Schedule == "" {
			continue
		}
		sched, err := cron.ParseStandard(j.Schedule)
		if err != nil {
			return nil, fmt.Errorf("job %s: %w", j.Name, err)
		}
		eb, err := EventBridgeCron(j.Schedule)
		if err != nil {
			return nil, fmt.Errorf("job %s: %w", j.Name, err)
		}
		loc, tz := j.Location, j.TZName
		if loc == nil {
			loc, tz = time.UTC, "UTC"
		}
		out = append(out, Fire{Job: j.Name, Cron: j.Schedule, TimeZone: tz, EventBridge: eb, Next: sched.Next(now.In(loc))})
	}
	return out, nil
}
