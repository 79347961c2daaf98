package apply

import "fmt"

// Tally is what a run's results come to for its exit: how many failed (a change whose record
// could not be written counts as failed: provenance is part of the change, invariant 4), how
// many were refused, and the first failure.
type Tally struct {
	Failed, Refused int
	First           Result
}

// TallyOf counts rs; the CLI's key commands and the jobs' end of a run both judge by it.
func TallyOf(rs []Result) Tally {
	var t Tally
	for _, r := range rs {
		switch {
		case r.Outcome == Failed, r.Record != "":
			if t.Failed == 0 {
				t.First = r
			}
			t.Failed++
		case r.Outcome == Refused:
			t.Refused++
		}
	}
	return t
}

// Why is the first failure in one clause: its reason, or, for a change made whose record is
// not what it should be, the change and the record.
func (t Tally) Why() string {
	if t.First.Outcome != Failed {
		return fmt.Sprintf("%s of %s %s, but %s", t.First.AccessKeyID, t.First.User, t.First.Outcome, t.First.Record)
	}
	return t.First.Reason
}
