package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
)

// doneByToken reports a rotation this run's token already finished: a key of the user whose
// creation record carries the token's digest, held by every destination keywarden can read
// back. A CI rerun of a job killed after its last write hears "done", and nothing changes. A
// destination that does not hold that key is named instead: "done" would leave it stale.
func (r *run) doneByToken(ctx context.Context) (bool, error) {
	q := keys.TokenDigest(r.o.Token)
	for _, k := range r.keys {
		rec, err := keys.ParseRecord(r.tags[keys.TagKey(k.AccessKeyID)])
		if err != nil || rec.Action != keys.ActionCreated || rec.Token != q {
			continue
		}
		var stale []string
		for _, s := range r.o.Sinks {
			if !s.CanRecover() {
				continue
			}
			if _, ok, err := s.Recover(ctx, k.AccessKeyID); err != nil {
				return false, err
			} else if !ok {
				stale = append(stale, s.String())
			}
		}
		if len(stale) > 0 {
			return false, &RefusedError{Msg: fmt.Sprintf("the rotation for this --client-request-token made %s at %s, but %s does not hold it: put %s back there, or rotate again with a new token", k.AccessKeyID, rec.Time.UTC().Format(time.RFC3339), strings.Join(stale, " and "), k.AccessKeyID)}
		}
		r.res.NewKeyID, r.res.State, r.res.OldKey = k.AccessKeyID, "done", "none"
		for _, o := range r.keys {
			if o.AccessKeyID != k.AccessKeyID {
				r.res.OldKeyID, r.res.OldKey = o.AccessKeyID, strings.ToLower(string(o.Status))
			}
		}
		r.res.AlreadyDone = fmt.Sprintf("already done by this token: %s was created for it at %s by %s", k.AccessKeyID, rec.Time.UTC().Format(time.RFC3339), rec.Origin)
		r.say("%s", r.res.AlreadyDone)
		return true, nil
	}
	return false, nil
}

// runID names one run in the records it writes.
func runID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
