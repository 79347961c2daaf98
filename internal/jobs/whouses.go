package jobs

import (
	"context"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/trail"
)

// whoMax is how many consumers a warning names; the owner finds the rest once those are moved.
const whoMax = 2

// nameWhoUses adds to each "still in use" warning (a consumer on a rotated key after its grace)
// who CloudTrail saw calling with the old key since the new one was delivered: IAM's last use
// says only when, which service and region, while a source address and a user agent are what
// an owner needs to find the program. The regions searched are the session's, IAM's and the one
// IAM last saw the key in. When the history cannot be read (no cloudtrail:LookupEvents, no
// event) the warning stays as policy wrote it.
func nameWhoUses(ctx context.Context, s Session, inv keys.Inventory, p *policy.Plan, at time.Time) {
	for i := range p.Warnings {
		w := &p.Warnings[i]
		if w.Memo != policy.InUseMemo {
			continue
		}
		u, k, ok := userKey(inv, w.User, w.AccessKeyID)
		if !ok {
			continue
		}
		st, err := keys.ParseRotation(u.Tags[keys.RotationTag])
		if err != nil || st.Delivered.IsZero() {
			continue
		}
		regions := []string{s.Config.Region, trail.GlobalRegion}
		if k.LastUsed != nil && k.LastUsed.Region != "" {
			regions = append(regions, k.LastUsed.Region)
		}
		a, err := trail.Lookup(ctx, trail.NewSource(s.Config, regions, nil), w.AccessKeyID, st.Delivered, at)
		if err != nil {
			continue
		}
		if who := trail.Who(a, whoMax); who != "" {
			w.Reason += "; CloudTrail saw it called from " + who
		}
	}
}

func userKey(inv keys.Inventory, user, id string) (keys.User, keys.Key, bool) {
	for _, u := range inv.Users {
		if u.Name != user {
			continue
		}
		for _, k := range u.Keys {
			if k.AccessKeyID == id {
				return u, k, true
			}
		}
	}
	return keys.User{}, keys.Key{}, false
}
