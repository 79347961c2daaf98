package engine

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
)

// flappingIAM refuses the new key's first calls as IAM's replicas do while it propagates.
type flappingIAM struct {
	IAM
	refuse  int
	deletes int
	creates int
}

func (f *flappingIAM) DeleteAccessKey(context.Context, *iam.DeleteAccessKeyInput, ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error) {
	f.deletes++
	if f.deletes <= f.refuse {
		return nil, &smithy.GenericAPIError{Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid."}
	}
	return &iam.DeleteAccessKeyOutput{}, nil
}

func (f *flappingIAM) CreateAccessKey(context.Context, *iam.CreateAccessKeyInput, ...func(*iam.Options)) (*iam.CreateAccessKeyOutput, error) {
	f.creates++
	return nil, &smithy.GenericAPIError{Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid."}
}

func patientFor(f *flappingIAM, wait time.Duration) (patient, *time.Duration) {
	var slept time.Duration
	frozen := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	r := &run{o: Options{Now: func() time.Time { return frozen }, Wait: WaitOptions{
		Wait: wait, Interval: 500 * time.Millisecond,
		Sleep: func(_ context.Context, d time.Duration) error { slept += d; return nil },
	}}}
	return patient{IAM: f, r: r}, &slept
}

func TestPatientWaitsOutRefusalsOfAProvenKey(t *testing.T) {
	f := &flappingIAM{refuse: 3}
	p, slept := patientFor(f, 10*time.Second)
	if _, err := p.DeleteAccessKey(context.Background(), &iam.DeleteAccessKeyInput{}); err != nil || f.deletes != 4 {
		t.Fatalf("err %v after %d calls, want success on the 4th", err, f.deletes)
	}
	if *slept != 3*100*time.Millisecond {
		t.Fatalf("slept %s, want three retries a fifth of the proof's gap apart", *slept)
	}
}

func TestPatientGivesUpAtTheWaitAndNeverRetriesACreate(t *testing.T) {
	f := &flappingIAM{refuse: 1000}
	p, slept := patientFor(f, time.Second)
	if _, err := p.DeleteAccessKey(context.Background(), &iam.DeleteAccessKeyInput{}); err == nil || *slept != time.Second {
		t.Fatalf("err %v after sleeping %s: want the refusal once the 1s wait is spent (a frozen clock must not make it endless)", err, *slept)
	}
	if _, err := p.CreateAccessKey(context.Background(), &iam.CreateAccessKeyInput{}); err == nil || f.creates != 1 {
		t.Fatalf("CreateAccessKey called %d times: a create is never retried here", f.creates)
	}
}
