package deploy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	cfn "github.com/keywarden/keywarden/internal/awsapi/cloudformation"
	cfntypes "github.com/keywarden/keywarden/internal/awsapi/cloudformation/types"
)

// CFN is the part of the CloudFormation API deploy uses.
type CFN interface {
	CreateStack(context.Context, *cfn.CreateStackInput, ...func(*cfn.Options)) (*cfn.CreateStackOutput, error)
	UpdateStack(context.Context, *cfn.UpdateStackInput, ...func(*cfn.Options)) (*cfn.UpdateStackOutput, error)
	DeleteStack(context.Context, *cfn.DeleteStackInput, ...func(*cfn.Options)) (*cfn.DeleteStackOutput, error)
	DescribeStacks(context.Context, *cfn.DescribeStacksInput, ...func(*cfn.Options)) (*cfn.DescribeStacksOutput, error)
	DescribeStackEvents(context.Context, *cfn.DescribeStackEventsInput, ...func(*cfn.Options)) (*cfn.DescribeStackEventsOutput, error)
	CreateChangeSet(context.Context, *cfn.CreateChangeSetInput, ...func(*cfn.Options)) (*cfn.CreateChangeSetOutput, error)
	DescribeChangeSet(context.Context, *cfn.DescribeChangeSetInput, ...func(*cfn.Options)) (*cfn.DescribeChangeSetOutput, error)
	DeleteChangeSet(context.Context, *cfn.DeleteChangeSetInput, ...func(*cfn.Options)) (*cfn.DeleteChangeSetOutput, error)
}

// CloudFormation is the CloudFormation client of cfg, keywarden's own
// (internal/awsapi/cloudformation), built where deploy and undeploy use it.
func CloudFormation(cfg aws.Config) *cfn.Client { return cfn.NewFromConfig(cfg) }

// Stacks creates, updates, previews and deletes keywarden's stack, reporting stack events to
// Progress as they arrive.
type Stacks struct {
	CFN      CFN
	Progress io.Writer
	// Sleep waits between polls; tests pass one that returns at once.
	Sleep func(context.Context, time.Duration) error
	Poll  time.Duration
	// Timeout bounds a wait (default 30 minutes).
	Timeout time.Duration
	Now     func() time.Time
}

// StackFailedError is a stack operation that ended badly, with the resources that failed and
// CloudFormation's reasons.
type StackFailedError struct {
	Stack    string
	Status   string
	Failures []Failure
}

// Failure is one resource's *_FAILED event.
type Failure struct {
	LogicalID, Type, Status, Reason string
}

func (e *StackFailedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "stack %s ended in %s", e.Stack, e.Status)
	for _, f := range e.Failures {
		fmt.Fprintf(&b, "\n  %s (%s) %s: %s", f.LogicalID, f.Type, f.Status, f.Reason)
	}
	return b.String()
}

// Outcome of Deploy.
const (
	Created   = "created"
	Updated   = "updated"
	NoChanges = "no changes"
)

// Deploy creates the stack or updates it with template and params, waits until it settles,
// and returns the outcome and the stack's outputs. "No updates are to be performed" is
// NoChanges, not an error.
func (s *Stacks) Deploy(ctx context.Context, name string, template []byte, params map[string]string) (string, map[string]string, error) {
	st, err := s.describe(ctx, name)
	if err != nil {
		return "", nil, err
	}
	if st != nil && st.StackStatus == cfntypes.StackStatusRollbackComplete {
		return "", nil, fmt.Errorf("stack %s is in ROLLBACK_COMPLETE after a failed create and cannot be updated; run 'keywarden undeploy --stack-name %s' and deploy again", name, name)
	}
	if st != nil && strings.HasSuffix(string(st.StackStatus), "_IN_PROGRESS") && st.StackStatus != cfntypes.StackStatusReviewInProgress {
		return "", nil, fmt.Errorf("stack %s is busy (%s); wait for it to finish and deploy again", name, st.StackStatus)
	}
	ps := cfnParams(params)
	caps := []cfntypes.Capability{cfntypes.CapabilityCapabilityIam}
	body := aws.String(string(template))
	if st == nil || st.StackStatus == cfntypes.StackStatusReviewInProgress {
		seen := map[string]bool{}
		if st != nil {
			seen, _ = s.seenEvents(ctx, name)
		}
		if _, err := s.CFN.CreateStack(ctx, &cfn.CreateStackInput{
			StackName: aws.String(name), TemplateBody: body, Parameters: ps, Capabilities: caps,
			Tags: []cfntypes.Tag{{Key: aws.String("keywarden:managed"), Value: aws.String("true")}},
		}); err != nil {
			return "", nil, fmt.Errorf("create stack %s: %w", name, err)
		}
		final, err := s.wait(ctx, name, seen)
		if err != nil {
			return "", nil, err
		}
		return Created, outputs(final), nil
	}
	seen, err := s.seenEvents(ctx, name)
	if err != nil {
		return "", nil, err
	}
	if _, err := s.CFN.UpdateStack(ctx, &cfn.UpdateStackInput{
		StackName: aws.String(name), TemplateBody: body, Parameters: ps, Capabilities: caps,
	}); err != nil {
		if isNoUpdates(err) {
			return NoChanges, outputs(st), nil
		}
		return "", nil, fmt.Errorf("update stack %s: %w", name, err)
	}
	final, err := s.wait(ctx, name, seen)
	if err != nil {
		return "", nil, err
	}
	return Updated, outputs(final), nil
}

// Change is one line of a change set.
type Change struct {
	Action      string `json:"action"`
	LogicalID   string `json:"logical_id"`
	Type        string `json:"type"`
	Replacement string `json:"replacement,omitempty"`
}

// Preview makes a change set for template and params, reads it and deletes it, so nothing is
// executed. A stack that did not exist before is removed again.
func (s *Stacks) Preview(ctx context.Context, name string, template []byte, params map[string]string) ([]Change, error) {
	st, err := s.describe(ctx, name)
	if err != nil {
		return nil, err
	}
	typ := cfntypes.ChangeSetTypeUpdate
	if st == nil || st.StackStatus == cfntypes.StackStatusReviewInProgress {
		typ = cfntypes.ChangeSetTypeCreate
	}
	csName := fmt.Sprintf("keywarden-dry-run-%d", s.Now().Unix())
	if _, err := s.CFN.CreateChangeSet(ctx, &cfn.CreateChangeSetInput{
		StackName: aws.String(name), ChangeSetName: aws.String(csName), ChangeSetType: typ,
		TemplateBody: aws.String(string(template)), Parameters: cfnParams(params),
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam},
	}); err != nil {
		return nil, fmt.Errorf("create change set for %s: %w", name, err)
	}
	defer func() {
		// Clean up even if the caller's context is done: a stray change set blocks nothing, but
		// a stack left in REVIEW_IN_PROGRESS confuses the next reader.
		cctx := context.WithoutCancel(ctx)
		s.CFN.DeleteChangeSet(cctx, &cfn.DeleteChangeSetInput{StackName: aws.String(name), ChangeSetName: aws.String(csName)})
		if typ == cfntypes.ChangeSetTypeCreate {
			s.CFN.DeleteStack(cctx, &cfn.DeleteStackInput{StackName: aws.String(name)})
		}
	}()
	var changes []Change
	for wait := true; wait; {
		var token *string
		changes = changes[:0]
		for {
			o, err := s.CFN.DescribeChangeSet(ctx, &cfn.DescribeChangeSetInput{StackName: aws.String(name), ChangeSetName: aws.String(csName), NextToken: token})
			if err != nil {
				return nil, fmt.Errorf("describe change set for %s: %w", name, err)
			}
			switch o.Status {
			case cfntypes.ChangeSetStatusFailed:
				if r := aws.ToString(o.StatusReason); strings.Contains(r, "didn't contain changes") || strings.Contains(r, "No updates are to be performed") {
					return nil, nil
				}
				return nil, fmt.Errorf("change set for %s failed: %s", name, aws.ToString(o.StatusReason))
			case cfntypes.ChangeSetStatusCreateComplete:
				wait = false
			}
			for _, c := range o.Changes {
				if rc := c.ResourceChange; rc != nil {
					changes = append(changes, Change{Action: string(rc.Action), LogicalID: aws.ToString(rc.LogicalResourceId),
						Type: aws.ToString(rc.ResourceType), Replacement: string(rc.Replacement)})
				}
			}
			if token = o.NextToken; token == nil {
				break
			}
		}
		if wait {
			if err := s.Sleep(ctx, s.poll()); err != nil {
				return nil, err
			}
		}
	}
	return changes, nil
}

// Delete deletes the stack and waits until it is gone. A stack that does not exist is not an
// error: undeploy is idempotent.
func (s *Stacks) Delete(ctx context.Context, name string) (bool, error) {
	st, err := s.describe(ctx, name)
	if err != nil || st == nil {
		return false, err
	}
	seen, err := s.seenEvents(ctx, name)
	if err != nil {
		return false, err
	}
	id := aws.ToString(st.StackId) // a deleted stack is found only by its id
	if _, err := s.CFN.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String(name)}); err != nil {
		return false, fmt.Errorf("delete stack %s: %w", name, err)
	}
	_, err = s.waitID(ctx, name, id, seen)
	return true, err
}

func (s *Stacks) describe(ctx context.Context, name string) (*cfntypes.Stack, error) {
	o, err := s.CFN.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String(name)})
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) && strings.Contains(ae.ErrorMessage(), "does not exist") {
			return nil, nil
		}
		return nil, fmt.Errorf("describe stack %s: %w", name, err)
	}
	if len(o.Stacks) == 0 || o.Stacks[0].StackStatus == cfntypes.StackStatusDeleteComplete {
		return nil, nil
	}
	return &o.Stacks[0], nil
}

// seenEvents marks the events of earlier operations so progress shows only this one's.
func (s *Stacks) seenEvents(ctx context.Context, name string) (map[string]bool, error) {
	seen := map[string]bool{}
	o, err := s.CFN.DescribeStackEvents(ctx, &cfn.DescribeStackEventsInput{StackName: aws.String(name)})
	if err != nil {
		return nil, fmt.Errorf("read events of stack %s: %w", name, err)
	}
	for _, e := range o.StackEvents {
		seen[aws.ToString(e.EventId)] = true
	}
	return seen, nil
}

func (s *Stacks) wait(ctx context.Context, name string, seen map[string]bool) (*cfntypes.Stack, error) {
	return s.waitID(ctx, name, name, seen)
}

// waitID polls the stack (by id when deleting) until its status settles, printing new events
// oldest first, and turns a failed end into a StackFailedError naming the failed resources.
func (s *Stacks) waitID(ctx context.Context, name, id string, seen map[string]bool) (*cfntypes.Stack, error) {
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 30 * time.Minute
	}
	deadline := s.Now().Add(timeout)
	var failures []Failure
	for {
		o, err := s.CFN.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String(id)})
		if err != nil {
			return nil, fmt.Errorf("describe stack %s: %w", name, err)
		}
		ev, err := s.CFN.DescribeStackEvents(ctx, &cfn.DescribeStackEventsInput{StackName: aws.String(id)})
		if err != nil {
			return nil, fmt.Errorf("read events of stack %s: %w", name, err)
		}
		events := slices.Clone(ev.StackEvents)
		slices.Reverse(events) // the API lists newest first
		for _, e := range events {
			eid := aws.ToString(e.EventId)
			if seen[eid] {
				continue
			}
			seen[eid] = true
			s.progress(e)
			if strings.HasSuffix(string(e.ResourceStatus), "_FAILED") && !isCancelled(aws.ToString(e.ResourceStatusReason)) {
				failures = append(failures, Failure{LogicalID: aws.ToString(e.LogicalResourceId), Type: aws.ToString(e.ResourceType),
					Status: string(e.ResourceStatus), Reason: aws.ToString(e.ResourceStatusReason)})
			}
		}
		if len(o.Stacks) == 0 {
			return nil, fmt.Errorf("stack %s disappeared while waiting for it", name)
		}
		st := &o.Stacks[0]
		status := string(st.StackStatus)
		switch {
		case strings.HasSuffix(status, "_IN_PROGRESS"):
		case strings.Contains(status, "ROLLBACK") || strings.HasSuffix(status, "_FAILED"):
			if len(failures) == 0 && st.StackStatusReason != nil {
				failures = append(failures, Failure{LogicalID: name, Type: "AWS::CloudFormation::Stack", Status: status, Reason: aws.ToString(st.StackStatusReason)})
			}
			return st, &StackFailedError{Stack: name, Status: status, Failures: failures}
		default:
			return st, nil
		}
		if s.Now().After(deadline) {
			return st, fmt.Errorf("stack %s still %s after %s; it goes on in AWS: watch it with 'aws cloudformation describe-stack-events --stack-name %s'", name, status, timeout, name)
		}
		if err := s.Sleep(ctx, s.poll()); err != nil {
			return st, err
		}
	}
}

func (s *Stacks) poll() time.Duration {
	if s.Poll > 0 {
		return s.Poll
	}
	return 3 * time.Second
}

func (s *Stacks) progress(e cfntypes.StackEvent) {
	if s.Progress == nil {
		return
	}
	line := fmt.Sprintf("keywarden: %-22s %-28s %s", e.ResourceStatus, aws.ToString(e.LogicalResourceId), aws.ToString(e.ResourceType))
	if r := aws.ToString(e.ResourceStatusReason); r != "" {
		line += ": " + r
	}
	fmt.Fprintln(s.Progress, line)
}

// isCancelled tells the knock-on failures ("Resource creation cancelled") from the cause.
func isCancelled(reason string) bool {
	return strings.Contains(reason, "Resource creation cancelled") || strings.Contains(reason, "Resource update cancelled")
}

func isNoUpdates(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && strings.Contains(ae.ErrorMessage(), "No updates are to be performed")
}

func cfnParams(m map[string]string) []cfntypes.Parameter {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var ps []cfntypes.Parameter
	for _, k := range keys {
		ps = append(ps, cfntypes.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(m[k])})
	}
	return ps
}

func outputs(st *cfntypes.Stack) map[string]string {
	if st == nil {
		return nil
	}
	m := map[string]string{}
	for _, o := range st.Outputs {
		m[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	return m
}
