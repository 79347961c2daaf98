package deploy

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Logical ids and output of the fan-out (Options.FanOut).
const (
	StateMachineID     = "FanOut"
	StateMachineRole   = "FanOutRole"
	StateMachineArnOut = "StateMachineArn"
	// FanOutBatch is the most accounts one invocation of a fanned-out run is given: the page
	// size of Organizations' ListAccounts, whose maximum is 20. At the 8 accounts at once a run
	// starts with, that is three waves of small accounts, minutes at most, where one
	// invocation has 15; and Organizations' own pages are the batches, so an account created
	// after the deploy is in the next run, which a split written at deploy time would miss.
	FanOutBatch = 20
)

// fanOutDefinition is the Step Functions state machine (ASL, JSONPath) that runs one job of
// the execution's input ({"job": NAME, "warn": BOOL, "time": FIRED}) over the organization,
// one Lambda invocation per page of ListAccounts, with the page's ACTIVE accounts as the
// event's batch and the firing's time as the event's time.
//
// The time is the schedule's (FanOutInput), so every batch of one firing, and every retry of
// a batch or of the execution's start, carries the same job:NAME@TIME rotation token: a rotate
// rule's batch retried never rotates twice. An execution started by hand with the input of
// earlier releases (no time) is given an empty one (Stamp): each invocation's own start is then
// its firing, as before. Not $$.Execution.StartTime, which would be one time for the whole
// execution: moto's Step Functions gives it as an object it cannot serialize (HTTP 500), so
// the suite could not run that path.
//
// A paged loop, not a distributed Map with an ItemBatcher: a distributed Map reads its items
// from S3 or from the state's input, so the accounts would first have to be listed whole into
// a bucket of the stack's own, and its child executions need states:StartExecution on the
// machine itself; the loop needs neither, its batches are exactly Organizations' pages, and
// its batches run one after another, which keeps IAM's and STS's per-caller throttling where
// one invocation already meets it. A failed batch is caught so the next pages still run, and
// the execution then fails, so the run is seen as not whole (as a failed account is, inside
// one invocation). ${FunctionArn} is a DefinitionSubstitution.
func fanOutDefinition() map[string]any {
	page := func(next bool) map[string]any {
		params := map[string]any{"MaxResults": FanOutBatch}
		if next {
			params["NextToken.$"] = "$.Page.NextToken"
		}
		return map[string]any{
			"Type":       "Task",
			"Comment":    "one page of the organization's accounts",
			"Resource":   "arn:aws:states:::aws-sdk:organizations:listAccounts",
			"Parameters": params,
			"ResultPath": "$.Page",
			"Retry": []any{map[string]any{
				"ErrorEquals":     []string{"Organizations.TooManyRequestsException", "Organizations.ServiceException"},
				"IntervalSeconds": 2, "MaxAttempts": 5, "BackoffRate": 2,
			}},
			"Next": "Batch",
		}
	}
	return map[string]any{
		"Comment": fmt.Sprintf("keywarden fan-out: the job of the input, one invocation per page of at most %d ACTIVE accounts", FanOutBatch),
		"StartAt": "Fired",
		"States": map[string]any{
			"Fired": map[string]any{
				"Type":    "Choice",
				"Choices": []any{map[string]any{"Variable": "$.time", "IsPresent": true, "Next": "FirstPage"}},
				"Default": "Stamp",
			},
			"Stamp": map[string]any{
				"Type":       "Pass",
				"Comment":    "an execution started without the schedule's time: each invocation's start is its firing",
				"Parameters": map[string]any{"job.$": "$.job", "warn.$": "$.warn", "time": ""},
				"Next":       "FirstPage",
			},
			"FirstPage": page(false),
			"NextPage":  page(true),
			"Batch": map[string]any{
				"Type":     "Task",
				"Resource": "arn:aws:states:::lambda:invoke",
				"Parameters": map[string]any{
					"FunctionName": "${FunctionArn}",
					"Payload": map[string]any{
						"job.$":      "$.job",
						"warn.$":     "$.warn",
						"time.$":     "$.time",
						"accounts.$": "$.Page.Accounts[?(@.State == 'ACTIVE')].Id",
					},
				},
				"ResultPath": nil,
				"Retry": []any{map[string]any{
					"ErrorEquals":     []string{"Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"},
					"IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 2,
				}},
				"Catch": []any{map[string]any{"ErrorEquals": []string{"States.ALL"}, "ResultPath": "$.Failed", "Next": "More"}},
				"Next":  "More",
			},
			"More": map[string]any{
				"Type":    "Choice",
				"Choices": []any{map[string]any{"Variable": "$.Page.NextToken", "IsPresent": true, "Next": "NextPage"}},
				"Default": "Whole",
			},
			"Whole": map[string]any{
				"Type":    "Choice",
				"Choices": []any{map[string]any{"Variable": "$.Failed", "IsPresent": true, "Next": "NotWhole"}},
				"Default": "Done",
			},
			"NotWhole": map[string]any{"Type": "Fail", "Error": "keywarden.BatchFailed", "Cause": "a batch of accounts failed; its invocation's error and log name the accounts"},
			// The output names the run, not the last page (whose accounts carry timestamps and
			// would only make the execution's output larger).
			"Done": map[string]any{"Type": "Pass", "Parameters": map[string]any{"job.$": "$.job", "warn.$": "$.warn", "time.$": "$.time"}, "End": true},
		},
	}
}

// FanOutInput is the execution input a schedule sends the state machine for a job fired at
// fired (the template gives SchedulerTime, which the scheduler replaces with the firing's time;
// a warning run carries it too, unused, so every input has the one shape the machine reads).
func FanOutInput(job string, warn bool, fired string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // the scheduler substitutes <aws.…> only as written
	_ = enc.Encode(struct {
		Job  string `json:"job"`
		Warn bool   `json:"warn"`
		Time string `json:"time"`
	}{job, warn, fired})
	return strings.TrimSpace(b.String())
}

type stateMachine struct {
	StateMachineName        string         `yaml:"StateMachineName"`
	StateMachineType        string         `yaml:"StateMachineType"`
	RoleArn                 any            `yaml:"RoleArn"`
	Definition              map[string]any `yaml:"Definition"`
	DefinitionSubstitutions map[string]any `yaml:"DefinitionSubstitutions"`
}

// checkFanOut says why a config cannot fan out: the loop walks the whole organization's
// pages, and the function refuses a batch naming an account its config does not cover.
func checkFanOut(o Options) error {
	a := o.Config.Accounts
	switch {
	case a == nil:
		return fmt.Errorf("fan-out runs a job over an organization's accounts, but the config has no accounts: section; add accounts: {organization: true}, or drop --fan-out")
	case !a.Organization:
		return fmt.Errorf("fan-out walks the whole organization's pages, but the config's accounts: names ous: or ids:, whose batches the function would refuse; use organization: true (with exclude:), or drop --fan-out")
	}
	return nil
}

// addFanOut puts the state machine and its role in res, and returns what the schedules
// target instead of the function, and the statement the scheduler's role needs for it.
func addFanOut(o Options, res map[string]Resource) (target any, invoke statement) {
	res[StateMachineRole] = Resource{Type: "AWS::IAM::Role", Properties: role{
		Description: "keywarden fan-out " + o.FunctionName + ": list the organization's accounts and invoke the function once per page",
		AssumeRolePolicyDocument: trust("states.amazonaws.com", map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": ref("AWS::AccountId")},
		}),
		Policies: []inlinePolicy{{PolicyName: "fan-out", PolicyDocument: policyDocument{Version: "2012-10-17", Statement: []statement{
			// ListAccounts has no resource-level permission.
			{Sid: "ListAccounts", Effect: "Allow", Action: []string{"organizations:ListAccounts"}, Resource: []any{"*"}},
			{Sid: "InvokeKeywarden", Effect: "Allow", Action: []string{"lambda:InvokeFunction"}, Resource: []any{getAtt(FunctionID, "Arn")}},
		}}}},
	}}
	res[StateMachineID] = Resource{Type: "AWS::StepFunctions::StateMachine", Properties: stateMachine{
		StateMachineName:        o.FunctionName + "-fan-out",
		StateMachineType:        "STANDARD",
		RoleArn:                 getAtt(StateMachineRole, "Arn"),
		Definition:              fanOutDefinition(),
		DefinitionSubstitutions: map[string]any{"FunctionArn": getAtt(FunctionID, "Arn")},
	}}
	return ref(StateMachineID), statement{Sid: "StartFanOut", Effect: "Allow", Action: []string{"states:StartExecution"}, Resource: []any{ref(StateMachineID)}}
}
