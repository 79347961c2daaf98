package trail

import (
	"cmp"
	"slices"
	"time"
)

// Where an Activity's answer came from.
const (
	FromCloudTrail = "cloudtrail"
	FromIAM        = "iam-last-used" // CloudTrail had no event; IAM knows only the last use
)

// Activity is what a key did between Since and Until.
type Activity struct {
	AccessKeyID string    `json:"access_key_id"`
	Since       time.Time `json:"since"`
	Until       time.Time `json:"until"`
	// From is FromCloudTrail, FromIAM, or empty when neither knows of any use.
	From     string   `json:"from"`
	Searched []string `json:"searched_regions"`
	Unread   []string `json:"unread_regions,omitempty"` // regions whose history could not be read
	// Truncated: the key made more than MaxEvents calls; the counts are of the latest ones.
	Truncated bool `json:"truncated,omitempty"`

	Events     int        `json:"events"`
	First      time.Time  `json:"first,omitzero"`
	Last       time.Time  `json:"last,omitzero"`
	Calls      []Call     `json:"calls,omitempty"`
	Consumers  []Consumer `json:"consumers,omitempty"`
	SourceIPs  []Tally    `json:"source_ips,omitempty"`
	UserAgents []Tally    `json:"user_agents,omitempty"`
	Regions    []string   `json:"regions,omitempty"` // where the calls were made
	LastUsed   *LastUsed  `json:"last_used,omitempty"`
}

// Call is one API called, how often, and how often refused or failed.
type Call struct {
	Source string `json:"event_source"`
	Name   string `json:"event_name"`
	Count  int    `json:"count"`
	Errors int    `json:"errors,omitempty"`
	// ErrorCodes are the distinct errors, e.g. AccessDenied: what an attacker tried and was refused.
	ErrorCodes []string `json:"error_codes,omitempty"`
}

// Consumer is one source address with one user agent: what an owner needs to find a program.
type Consumer struct {
	SourceIP  string    `json:"source_ip"`
	UserAgent string    `json:"user_agent"`
	Count     int       `json:"count"`
	Last      time.Time `json:"last"`
}

// Tally is a value and how many events had it.
type Tally struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// LastUsed is IAM's one fact about a key's use.
type LastUsed struct {
	At      time.Time `json:"at"`
	Service string    `json:"service"`
	Region  string    `json:"region"`
}

func (a *Activity) add(evs []Event) {
	calls := map[[2]string]*Call{}
	cons := map[[2]string]*Consumer{}
	ips, uas, regions := map[string]int{}, map[string]int{}, map[string]bool{}
	for _, e := range evs {
		a.Events++
		if a.First.IsZero() || e.Time.Before(a.First) {
			a.First = e.Time
		}
		if e.Time.After(a.Last) {
			a.Last = e.Time
		}
		k := [2]string{e.Source, e.Name}
		c := calls[k]
		if c == nil {
			c = &Call{Source: e.Source, Name: e.Name}
			calls[k] = c
		}
		c.Count++
		if e.ErrorCode != "" {
			c.Errors++
			if !slices.Contains(c.ErrorCodes, e.ErrorCode) {
				c.ErrorCodes = append(c.ErrorCodes, e.ErrorCode)
			}
		}
		ck := [2]string{e.SourceIP, e.UserAgent}
		cn := cons[ck]
		if cn == nil {
			cn = &Consumer{SourceIP: e.SourceIP, UserAgent: e.UserAgent}
			cons[ck] = cn
		}
		cn.Count++
		if e.Time.After(cn.Last) {
			cn.Last = e.Time
		}
		ips[e.SourceIP]++
		uas[e.UserAgent]++
		if e.Region != "" {
			regions[e.Region] = true
		}
	}
	for _, c := range calls {
		slices.Sort(c.ErrorCodes)
		a.Calls = append(a.Calls, *c)
	}
	slices.SortFunc(a.Calls, func(x, y Call) int {
		return cmp.Or(cmp.Compare(y.Count, x.Count), cmp.Compare(x.Source, y.Source), cmp.Compare(x.Name, y.Name))
	})
	for _, c := range cons {
		a.Consumers = append(a.Consumers, *c)
	}
	// The latest first: a consumer still on a key is the one that called last.
	slices.SortFunc(a.Consumers, func(x, y Consumer) int {
		return cmp.Or(y.Last.Compare(x.Last), cmp.Compare(y.Count, x.Count), cmp.Compare(x.SourceIP, y.SourceIP), cmp.Compare(x.UserAgent, y.UserAgent))
	})
	a.SourceIPs, a.UserAgents = tallies(ips), tallies(uas)
	for r := range regions {
		a.Regions = append(a.Regions, r)
	}
	slices.Sort(a.Regions)
}

func tallies(m map[string]int) []Tally {
	var out []Tally
	for v, n := range m {
		out = append(out, Tally{Value: v, Count: n})
	}
	slices.SortFunc(out, func(x, y Tally) int { return cmp.Or(cmp.Compare(y.Count, x.Count), cmp.Compare(x.Value, y.Value)) })
	return out
}
