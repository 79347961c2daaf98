package jobs

import (
	"context"
	"errors"
	"sync"

	"github.com/keywarden/keywarden/internal/accounts"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/policy"
)

// Selection is how deactivate and activate name keys: by id (each one of Users' when Users
// are given), or with All every key of Users.
type Selection struct {
	Keys  []string
	Users []string
	All   bool
}

// Select resolves sel in one account to one action per key. All takes only the keys whose
// status kind would change; named keys are always taken, so they report "unchanged".
// unmatched are the names and globs of Users that matched no user here: the caller decides
// whether that is bad input (one account) or a line of news (one of many). A failed read is a
// *StepError; a key that is not there, or not one of Users', is inventory's typed bad input.
func Select(ctx context.Context, c inventory.IAM, sel Selection, kind policy.Kind, reason string) (out []policy.Action, unmatched []string, err error) {
	if sel.All {
		inv, err := inventory.Read(ctx, c, inventory.Options{Users: sel.Users, SkipLastUsed: true, SkipTags: true, SkipUnknown: true})
		if err != nil {
			return nil, nil, stepOrBadInput("read users", err)
		}
		want := keys.Active
		if kind == policy.Activate {
			want = keys.Inactive
		}
		for _, k := range inv.Keys() {
			if k.Status == want {
				out = append(out, policy.Action{Kind: kind, User: k.User, AccessKeyID: k.AccessKeyID, Reason: reason})
			}
		}
		return out, inventory.Unmatched(sel.Users, inv.Users), nil
	}
	for _, id := range sel.Keys {
		owner, err := inventory.Owner(ctx, c, id)
		if err != nil {
			return nil, nil, stepOrBadInput("find the owner of "+id, err)
		}
		if len(sel.Users) > 0 && !inventory.MatchAny(sel.Users, owner) {
			return nil, nil, &inventory.NotTheirKeyError{KeyID: id, Owner: owner, Users: sel.Users}
		}
		out = append(out, policy.Action{Kind: kind, User: owner, AccessKeyID: id, Reason: reason})
	}
	return out, nil, nil
}

// stepOrBadInput keeps an unknown user or key as it is (bad input, said in its own words) and
// names the step of any other failure.
func stepOrBadInput(what string, err error) error {
	var uu *inventory.UnknownUserError
	var uk *inventory.UnknownKeyError
	if errors.As(err, &uu) || errors.As(err, &uk) {
		return err
	}
	return &StepError{What: what, Err: err}
}

// Selected is a selection resolved in every account of a run.
type Selected struct {
	Plans     []Plan              // one per account, in order; Err is that account's failure
	Unmatched map[string][]string // by account id: the names of Users that matched no user there
}

// SelectEach resolves sel in every account, n at once (Each): each account's own keys when
// sel names keys (keysIn, from accounts.Locate), else sel.Users' keys wherever they are.
func SelectEach(ctx context.Context, accts []accounts.Account, n int, sel Selection, keysIn map[string][]string, kind policy.Kind, reason string) Selected {
	var mu sync.Mutex
	unmatched := map[string][]string{}
	outs := Each(ctx, accts, n, func(ctx context.Context, a accounts.Account, s Session) (Plan, error) {
		sub := sel
		sub.Keys = keysIn[a.ID]
		acts, um, err := Select(ctx, s.IAM, sub, kind, reason)
		mu.Lock()
		unmatched[a.ID] = um
		mu.Unlock()
		return Plan{Account: a, Session: s, Plan: policy.Plan{Actions: acts}}, err
	})
	plans := make([]Plan, len(outs))
	for i, o := range outs {
		plans[i] = o.Value
		plans[i].Account, plans[i].Err = o.Account, o.Err
	}
	return Selected{Plans: plans, Unmatched: unmatched}
}
