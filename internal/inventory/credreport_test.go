package inventory

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
)

// scriptedReport answers GenerateCredentialReport and GetCredentialReport from scripts: each
// Generate takes the next state, each Get the next error code ("" = the report). The last
// entry repeats. It records the order of calls.
type scriptedReport struct {
	states []iamtypes.ReportStateType
	gets   []string
	calls  []string
}

var generated = time.Date(2026, 11, 23, 14, 57, 0, 0, time.UTC)

func (s *scriptedReport) GenerateCredentialReport(context.Context, *iam.GenerateCredentialReportInput, ...func(*iam.Options)) (*iam.GenerateCredentialReportOutput, error) {
	st := s.states[0]
	if len(s.states) > 1 {
		s.states = s.states[1:]
	}
	s.calls = append(s.calls, "generate:"+string(st))
	return &iam.GenerateCredentialReportOutput{State: st}, nil
}

func (s *scriptedReport) GetCredentialReport(context.Context, *iam.GetCredentialReportInput, ...func(*iam.Options)) (*iam.GetCredentialReportOutput, error) {
	code := s.gets[0]
	if len(s.gets) > 1 {
		s.gets = s.gets[1:]
	}
	if code != "" {
		s.calls = append(s.calls, "get:"+code)
		return nil, &smithy.GenericAPIError{Code: code, Message: "scripted"}
	}
	s.calls = append(s.calls, "get")
	return &iam.GetCredentialReportOutput{
		Content:       []byte(awsHeader + motoRow + strings.Replace(motoRow, "carol", "dave", 2)),
		GeneratedTime: aws.Time(generated),
	}, nil
}

type recordedSleeps []time.Duration

func (r *recordedSleeps) sleep(ctx context.Context, d time.Duration) error {
	*r = append(*r, d)
	return ctx.Err()
}

func TestReadReportPolls(t *testing.T) {
	const (
		started    = iamtypes.ReportStateTypeStarted
		inprogress = iamtypes.ReportStateTypeInprogress
		complete   = iamtypes.ReportStateTypeComplete
	)
	cases := []struct {
		name      string
		states    []iamtypes.ReportStateType
		gets      []string
		maxWait   time.Duration
		wantCalls string
		wantSleep []time.Duration
		wantErr   string
	}{
		{name: "report ready", states: []iamtypes.ReportStateType{complete}, gets: []string{""},
			wantCalls: "generate:COMPLETE get"},
		{name: "started then in progress then complete, with backoff",
			states: []iamtypes.ReportStateType{started, inprogress, inprogress, inprogress, inprogress, complete}, gets: []string{""},
			wantCalls: "generate:STARTED generate:INPROGRESS generate:INPROGRESS generate:INPROGRESS generate:INPROGRESS generate:COMPLETE get",
			wantSleep: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second}},
		{name: "get says in progress", states: []iamtypes.ReportStateType{complete}, gets: []string{"ReportInProgress", ""},
			wantCalls: "generate:COMPLETE get:ReportInProgress get", wantSleep: []time.Duration{time.Second}},
		{name: "expired report is generated again", states: []iamtypes.ReportStateType{complete, started, complete}, gets: []string{"ReportExpired", ""},
			wantCalls: "generate:COMPLETE get:ReportExpired generate:STARTED generate:COMPLETE get", wantSleep: []time.Duration{time.Second}},
		{name: "missing report is generated again", states: []iamtypes.ReportStateType{complete}, gets: []string{"ReportNotPresent", ""},
			wantCalls: "generate:COMPLETE get:ReportNotPresent generate:COMPLETE get"},
		{name: "report that never stays gives up", states: []iamtypes.ReportStateType{complete}, gets: []string{"ReportNotPresent"},
			wantCalls: "generate:COMPLETE get:ReportNotPresent generate:COMPLETE get:ReportNotPresent generate:COMPLETE get:ReportNotPresent generate:COMPLETE get:ReportNotPresent",
			wantErr:   "get the credential report: api error ReportNotPresent: scripted"},
		{name: "other errors are not retried", states: []iamtypes.ReportStateType{complete}, gets: []string{"AccessDenied"},
			wantCalls: "generate:COMPLETE get:AccessDenied", wantErr: "get the credential report: api error AccessDenied"},
		{name: "never ready within max wait", states: []iamtypes.ReportStateType{inprogress}, maxWait: 5 * time.Second,
			wantCalls: "generate:INPROGRESS generate:INPROGRESS generate:INPROGRESS generate:INPROGRESS",
			wantSleep: []time.Duration{time.Second, 2 * time.Second, 2 * time.Second},
			wantErr:   "the IAM credential report was not ready after 5s; try again later or use --source api"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake := &scriptedReport{states: c.states, gets: c.gets}
			if fake.gets == nil {
				fake.gets = []string{""}
			}
			var slept recordedSleeps
			inv, err := ReadReport(context.Background(), fake, ReportOptions{Sleep: slept.sleep, MaxWait: c.maxWait})
			if got := strings.Join(fake.calls, " "); got != c.wantCalls {
				t.Errorf("calls = %s\nwant    %s", got, c.wantCalls)
			}
			if !reflect.DeepEqual([]time.Duration(slept), c.wantSleep) {
				t.Errorf("slept %v, want %v", slept, c.wantSleep)
			}
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if inv.Source != "credential-report" || !inv.ReportTime.Equal(generated) || len(inv.Users) != 2 {
				t.Fatalf("inventory = %+v", inv)
			}
		})
	}
}

func TestReadReportCancelledWhileWaiting(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	fake := &scriptedReport{states: []iamtypes.ReportStateType{iamtypes.ReportStateTypeStarted}, gets: []string{""}}
	sleep := func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }
	_, err := ReadReport(ctx, fake, ReportOptions{Sleep: sleep})
	if !errors.Is(err, context.Canceled) || len(fake.calls) != 1 {
		t.Fatalf("err = %v after %v, want context.Canceled after one call", err, fake.calls)
	}
}

func TestReadReportFilters(t *testing.T) {
	content := awsHeader +
		strings.Replace(motoRow, "user/carol", "user/team/carol", 1) +
		strings.Replace(motoRow, "carol", "dave", 2) +
		strings.Replace(motoRow, "carol", "ci-1", 2)
	cases := []struct {
		name    string
		opts    ReportOptions
		want    []string
		wantErr string
	}{
		{"everyone, sorted", ReportOptions{}, []string{"carol", "ci-1", "dave"}, ""},
		{"glob", ReportOptions{Users: []string{"ci-*"}}, []string{"ci-1"}, ""},
		{"names", ReportOptions{Users: []string{"dave", "carol"}}, []string{"carol", "dave"}, ""},
		{"path prefix", ReportOptions{PathPrefix: "/team/"}, []string{"carol"}, ""},
		{"name outside the path is skipped, not unknown", ReportOptions{Users: []string{"dave"}, PathPrefix: "/team/"}, nil, ""},
		{"unknown name", ReportOptions{Users: []string{"dave", "erin"}}, nil, `user "erin" not found`},
		{"glob matching nobody", ReportOptions{Users: []string{"x*"}}, nil, ""},
		// IAM's names are unique regardless of case, and GetUser (the api source) finds them so.
		{"a name in another case", ReportOptions{Users: []string{"DAVE"}}, []string{"dave"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake := &contentReport{content: content}
			c.opts.Sleep = (&recordedSleeps{}).sleep
			inv, err := ReadReport(context.Background(), fake, c.opts)
			if c.wantErr != "" {
				var ue *UnknownUserError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want UnknownUserError %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range inv.Users {
				got = append(got, u.Name)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("users = %v, want %v", got, c.want)
			}
		})
	}
}

type contentReport struct{ content string }

func (c *contentReport) GenerateCredentialReport(context.Context, *iam.GenerateCredentialReportInput, ...func(*iam.Options)) (*iam.GenerateCredentialReportOutput, error) {
	return &iam.GenerateCredentialReportOutput{State: iamtypes.ReportStateTypeComplete}, nil
}

func (c *contentReport) GetCredentialReport(context.Context, *iam.GetCredentialReportInput, ...func(*iam.Options)) (*iam.GetCredentialReportOutput, error) {
	return &iam.GetCredentialReportOutput{Content: []byte(c.content), GeneratedTime: aws.Time(generated)}, nil
}
