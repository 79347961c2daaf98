package apply

import "testing"

func TestTallyCountsAnUnrecordedChangeAsFailed(t *testing.T) {
	rs := []Result{
		{AccessKeyID: "AKIA1", User: "a", Outcome: Deactivated},
		{AccessKeyID: "AKIA2", User: "b", Outcome: Refused},
		{AccessKeyID: "AKIA3", User: "c", Outcome: Deactivated, Record: "its record stays pending"},
		{AccessKeyID: "AKIA4", User: "d", Outcome: Failed, Reason: "denied"},
	}
	got := TallyOf(rs)
	if got.Failed != 2 || got.Refused != 1 || got.First.AccessKeyID != "AKIA3" {
		t.Fatalf("tally %+v, want 2 failed (first AKIA3) and 1 refused", got)
	}
	if want := "AKIA3 of c deactivated, but its record stays pending"; got.Why() != want {
		t.Errorf("why %q, want %q", got.Why(), want)
	}
	if got := TallyOf(rs[3:]).Why(); got != "denied" {
		t.Errorf("why of a failure %q, want its reason", got)
	}
}
