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

// NextFires lists when each scheduled job next runs in EventBridge Scheduler after now: the
// schedule internal/schedule parsed (the one serve runs), under EventBridge's daylight-saving
// rule, which skips a wall time that does not exist where serve runs it at the gap's end.
func NextFires(cfg *policy.Config, now time.Time) ([]Fire, error) {
	var out []Fire
	for _, j := range cfg.Jobs {
		sched, tz, err := jobSchedule(j)
		if err != nil {
			return nil, err
		}
		if sched == nil {
			continue
		}
		eb, err := EventBridgeCron(sched)
		if err != nil {
			return nil, fmt.Errorf("job %s: %w", j.Name, err)
		}
		out = append(out, Fire{Job: j.Name, Cron: j.Schedule, TimeZone: tz, EventBridge: eb, Next: sched.NextSkippingGaps(now)})
	}
	return out, nil
}

// DSTWarnings says, for each scheduled job whose wall time falls in a daylight-saving gap of
// its zone within a year of now, the first date EventBridge Scheduler will skip it.
func DSTWarnings(cfg *policy.Config, now time.Time) ([]string, error) {
	var out []string
	for _, j := range cfg.Jobs {
		sched, tz, err := jobSchedule(j)
		if err != nil {
			return nil, err
		}
		if sched == nil {
			continue
		}
		skips := sched.Skips(now, now.AddDate(1, 0, 0))
		if len(skips) == 0 {
			continue
		}
		s := skips[0]
		out = append(out, fmt.Sprintf("job %s: %q in %s names %s, which does not exist (the clock jumps over it), so EventBridge Scheduler skips that run where keywarden serve runs it at %s; choose a time outside the jump if the run matters",
			j.Name, j.Schedule, tz, s.Wall, s.At.Format("15:04")))
	}
	return out, nil
}

// jobSchedule is the job's parsed schedule and zone name, or nil for a job without one. A
// config from policy.Load has it parsed already; one built by hand is parsed here, by the
// same reader.
func jobSchedule(j policy.Job) (*cronsched.Schedule, string, error) {
	if j.Schedule == "" {
		return nil, "", nil
	}
	loc, tz := j.Location, j.TZName
	if loc == nil {
		loc, tz = time.UTC, "UTC"
	}
	if j.Cron != nil {
		return j.Cron, tz, nil
	}
	s, err := cronsched.Parse(j.Schedule, loc)
	if err != nil {
		return nil, "", fmt.Errorf("job %s: %w", j.Name, err)
	}
	return s, tz, nil
}
