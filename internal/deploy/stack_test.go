package deploy

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	cfn "github.com/keywarden/keywarden/internal/awsapi/cloudformation"
	cfntypes "github.com/keywarden/keywarden/internal/awsapi/cloudformation/types"
)

// scriptedCFN plays back CloudFormation states that moto cannot produce (it neither rolls
// back nor reports *_FAILED events): each DescribeStacks after the operation advances one step.
type scriptedCFN struct {
	CFN
	exists    bool
	steps     []cfntypes.StackStatus
	events    [][]cfntypes.StackEvent // events[i] appear with steps[i]
	step      int
	started   bool
	updateErr error
	calls     []string
}

func (f *scriptedCFN) DescribeStacks(_ context.Context, in *cfn.DescribeStacksInput, _ ...func(*cfn.Options)) (*cfn.DescribeStacksOutput, error) {
	f.calls = append(f.calls, "DescribeStacks")
	if !f.started {
		if !f.exists {
			return nil, &smithy.GenericAPIError{Code: "ValidationError", Message: "Stack with id s does not exist"}
		}
		return &cfn.DescribeStacksOutput{Stacks: []cfntypes.Stack{{StackName: in.StackName, StackId: aws.String("id-s"), StackStatus: cfntypes.StackStatusCreateComplete}}}, nil
	}
	st := f.steps[min(f.step, len(f.steps)-1)]
	f.step++
	return &cfn.DescribeStacksOutput{Stacks: []cfntypes.Stack{{StackName: in.StackName, StackId: aws.String("id-s"), StackStatus: st}}}, nil
}

func (f *scriptedCFN) DescribeStackEvents(context.Context, *cfn.DescribeStackEventsInput, ...func(*cfn.Options)) (*cfn.DescribeStackEventsOutput, error) {
	var all []cfntypes.StackEvent
	for i := 0; i < f.step && i < len(f.events); i++ {
		all = append(all, f.events[i]...)
	}
	// newest first, as the API lists them
	out := make([]cfntypes.StackEvent, len(all))
	for i, e := range all {
		out[len(all)-1-i] = e
	}
	if !f.started && f.exists {
		out = append(out, ev("old", "s", "AWS::CloudFormation::Stack", "CREATE_COMPLETE", ""))
	}
	return &cfn.DescribeStackEventsOutput{StackEvents: out}, nil
}

func (f *scriptedCFN) CreateStack(context.Context, *cfn.CreateStackInput, ...func(*cfn.Options)) (*cfn.CreateStackOutput, error) {
	f.calls = append(f.calls, "CreateStack")
	f.started = true
	return &cfn.CreateStackOutput{}, nil
}

func (f *scriptedCFN) UpdateStack(context.Context, *cfn.UpdateStackInput, ...func(*cfn.Options)) (*cfn.UpdateStackOutput, error) {
	f.calls = append(f.calls, "UpdateStack")
	if f.updateErr != nil {
		return nil, f.updateErr
	}
	f.started = true
	return &cfn.UpdateStackOutput{}, nil
}

func ev(id, logical, typ string, status cfntypes.ResourceStatus, reason string) cfntypes.StackEvent {
	e := cfntypes.StackEvent{EventId: aws.String(id), LogicalResourceId: aws.String(logical), ResourceType: aws.String(typ), ResourceStatus: status}
	if reason != "" {
		e.ResourceStatusReason = aws.String(reason)
	}
	return e
}

func newStacks(c CFN, progress *bytes.Buffer) *Stacks {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	return &Stacks{CFN: c, Progress: progress, Now: func() time.Time { return now },
		Sleep: func(context.Context, time.Duration) error { now = now.Add(3 * time.Second); return nil }}
}

func TestDeployReportsTheFailedResourceAndReason(t *testing.T) {
	f := &scriptedCFN{
		steps: []cfntypes.StackStatus{"CREATE_IN_PROGRESS", "CREATE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE"},
		events: [][]cfntypes.StackEvent{
			{ev("1", "s", "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "User Initiated")},
			{ev("2", "FunctionRole", "AWS::IAM::Role", "CREATE_IN_PROGRESS", ""), ev("3", "DeadLetterQueue", "AWS::SQS::Queue", "CREATE_IN_PROGRESS", "")},
			{ev("4", "FunctionRole", "AWS::IAM::Role", "CREATE_FAILED", "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: iam:CreateRole"),
				ev("5", "DeadLetterQueue", "AWS::SQS::Queue", "CREATE_FAILED", "Resource creation cancelled")},
			{ev("6", "s", "AWS::CloudFormation::Stack", "ROLLBACK_COMPLETE", "")},
		},
	}
	var progress bytes.Buffer
	_, _, err := newStacks(f, &progress).Deploy(context.Background(), "s", []byte("t"), nil)
	var sf *StackFailedError
	if !errors.As(err, &sf) {
		t.Fatalf("err = %v, want a StackFailedError", err)
	}
	if sf.Status != "ROLLBACK_COMPLETE" || len(sf.Failures) != 1 || sf.Failures[0].LogicalID != "FunctionRole" ||
		!strings.Contains(sf.Failures[0].Reason, "not authorized to perform: iam:CreateRole") {
		t.Fatalf("failure = %+v", sf)
	}
	lines := strings.Split(strings.TrimSpace(progress.String()), "\n")
	if len(lines) != 6 || !strings.Contains(lines[0], "CREATE_IN_PROGRESS") || !strings.Contains(lines[3], "CREATE_FAILED") || !strings.Contains(lines[5], "ROLLBACK_COMPLETE") {
		t.Fatalf("progress should show each event once, oldest first:\n%s", progress.String())
	}
}

func TestDeployUpdateWithNoChangesIsSuccess(t *testing.T) {
	f := &scriptedCFN{exists: true, updateErr: &smithy.GenericAPIError{Code: "ValidationError", Message: "No updates are to be performed."}}
	var progress bytes.Buffer
	outcome, _, err := newStacks(f, &progress).Deploy(context.Background(), "s", []byte("t"), nil)
	if err != nil || outcome != NoChanges {
		t.Fatalf("outcome %q, err %v", outcome, err)
	}
	if progress.Len() != 0 {
		t.Fatalf("old events were shown as progress:\n%s", progress.String())
	}
}

func TestDeployUpdateShowsOnlyNewEvents(t *testing.T) {
	f := &scriptedCFN{exists: true,
		steps:  []cfntypes.StackStatus{"UPDATE_IN_PROGRESS", "UPDATE_COMPLETE"},
		events: [][]cfntypes.StackEvent{{ev("a", "Function", "AWS::Lambda::Function", "UPDATE_IN_PROGRESS", "")}, {ev("b", "s", "AWS::CloudFormation::Stack", "UPDATE_COMPLETE", "")}},
	}
	var progress bytes.Buffer
	outcome, _, err := newStacks(f, &progress).Deploy(context.Background(), "s", []byte("t"), nil)
	if err != nil || outcome != Updated {
		t.Fatalf("outcome %q, err %v", outcome, err)
	}
	if strings.Count(progress.String(), "\n") != 2 || strings.Contains(progress.String(), "CREATE_COMPLETE") {
		t.Fatalf("progress:\n%s", progress.String())
	}
}

func TestDeployTimesOutWithAHint(t *testing.T) {
	f := &scriptedCFN{steps: []cfntypes.StackStatus{"CREATE_IN_PROGRESS"}, events: [][]cfntypes.StackEvent{{}}}
	s := newStacks(f, &bytes.Buffer{})
	s.Timeout = time.Minute
	_, _, err := s.Deploy(context.Background(), "s", []byte("t"), nil)
	if err == nil || !strings.Contains(err.Error(), "still CREATE_IN_PROGRESS after 1m0s") {
		t.Fatalf("err = %v", err)
	}
}
