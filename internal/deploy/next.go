package deploy

import (
	"fmt"
	"time"

	"github.com/keywarden/keywarden/internal/policy"
	cronsched "github.com/keywarden/keywarden/internal/schedule"
)

// Fire is a scheduled job's next run, in its own zone.
type Fire struct {
	Job         string    `json:"job"`
	Cron        string    `json:"cron"`
	TimeZone    string    `json:"timezone"`
	EventBridge []string  `json:"eventbridge"`
	Next        time.Time `json:"next"`
}

// NextFires lists when each scheduled job next runs after now, read by internal/schedule (the
// daemon's reader, with its daylight-saving rules) so deploy and serve never disagree.
func NextFires(cfg *policy.Config, now time.Time) ([]Fire, error) {
	var out []Fire
	for _, j := range cfg.Jobs {
		if j.Schedule == "" {
			continue
		}
		loc, tz := j.Location, j.TZName
		if loc == nil {
			loc, tz = time.UTC, "UTC"
		}
		sched, err := cronsched.Parse(j.Schedule, loc)
		if err != nil {
			return nil, fmt.Errorf("job %s: %w", j.Name, err)
		}
		eb, err := EventBridgeCron(j.Schedule)
		if err != nil {
			return nil, fmt.Errorf("job %s: %w", j.Name, err)
		}
		out = append(out, Fire{Job: j.Name, Cron: j.Schedule, TimeZone: tz, EventBridge: eb, Next: sched.Next(now).In(loc)})
	}
	return out, nil
}
