package deploy

import (
	"encoding/json"
	"strings"
	"testing"
)

const orgCurfewWarn = `accounts:
  organization: true
jobs:
  curfew:
    schedule: "0 0 * * *"
    timezone: Asia/Tokyo
    select: {users: [dev]}
    do: [{deactivate: {warn: 1h}}]
`

// With --fan-out the schedules start the state machine with the job and the firing's time as
// input (the time every batch passes on as its rotation token's firing), the scheduler
// may start it and no longer invoke the function, and the machine's own role may list the
// organization's accounts and invoke the function, nothing more.
func TestTemplateFanOut(t *testing.T) {
	cfg, data := mustLoad(t, orgCurfewWarn)
	_, m := render(t, Options{Config: cfg, ConfigYAML: data, FanOut: true})
	res := dig(t, m, "Resources").(map[string]any)
	if got := dig(t, res, StateMachineID, "Type"); got != "AWS::StepFunctions::StateMachine" {
		t.Fatalf("%s is %v", StateMachineID, got)
	}
	for id, input := range map[string]string{
		ScheduleID("curfew", 0):      `{"job":"curfew","warn":false,"time":"<aws.scheduler.scheduled-time>"}`,
		ScheduleID("curfew-warn", 0): `{"job":"curfew","warn":true,"time":"<aws.scheduler.scheduled-time>"}`,
	} {
		if got := dig(t, res, id, "Properties", "Target", "Arn", "Ref"); got != StateMachineID {
			t.Errorf("%s targets %v, want the state machine", id, dig(t, res, id, "Properties", "Target", "Arn"))
		}
		if got := dig(t, res, id, "Properties", "Target", "Input"); got != input {
			t.Errorf("%s sends %v, want %s", id, got, input)
		}
	}
	sched, _ := json.Marshal(dig(t, res, SchedulerRoleID, "Properties", "Policies"))
	if !strings.Contains(string(sched), `"states:StartExecution"`) || strings.Contains(string(sched), "lambda:InvokeFunction") {
		t.Errorf("scheduler role: %s, want states:StartExecution and no lambda:InvokeFunction", sched)
	}
	fan, _ := json.Marshal(dig(t, res, StateMachineRole, "Properties", "Policies"))
	var actions []string
	for _, st := range dig(t, res, StateMachineRole, "Properties", "Policies", 0, "PolicyDocument", "Statement").([]any) {
		for _, a := range st.(map[string]any)["Action"].([]any) {
			actions = append(actions, a.(string))
		}
	}
	if strings.Join(actions, ",") != "organizations:ListAccounts,lambda:InvokeFunction" {
		t.Errorf("fan-out role allows %v: %s", actions, fan)
	}
	def := dig(t, res, StateMachineID, "Properties", "Definition")
	for _, st := range []string{"FirstPage", "NextPage"} {
		if got := dig(t, def, "States", st, "Parameters", "MaxResults"); got != FanOutBatch {
			t.Errorf("%s pages by %v, want %d", st, got, FanOutBatch)
		}
	}
	if got := dig(t, def, "States", "Batch", "Parameters", "Payload", "accounts.$"); got != "$.Page.Accounts[?(@.State == 'ACTIVE')].Id" {
		t.Errorf("a batch is %v", got)
	}
	if got := dig(t, def, "States", "Batch", "Parameters", "Payload", "time.$"); got != "$.time" {
		t.Errorf("a batch's time is %v, want the input's $.time", got)
	}
	if got := dig(t, m, "Outputs", StateMachineArnOut, "Value", "Ref"); got != StateMachineID {
		t.Errorf("output %s = %v", StateMachineArnOut, got)
	}

	// Without --fan-out nothing of it is there.
	_, m = render(t, Options{Config: cfg, ConfigYAML: data})
	if _, ok := dig(t, m, "Resources").(map[string]any)[StateMachineID]; ok {
		t.Error("a state machine without --fan-out")
	}
}

func TestTemplateFanOutRefuses(t *testing.T) {
	for name, c := range map[string]struct{ yaml, want string }{
		"no accounts": {curfewOnly, "has no accounts: section"},
		"ous":         {strings.Replace(orgCurfewWarn, "organization: true", "ous: [ou-ab12-cdef3456]", 1), "names ous: or ids:"},
		"ids":         {strings.Replace(orgCurfewWarn, "organization: true", `ids: ["111122223333"]`, 1), "names ous: or ids:"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg, data := mustLoad(t, c.yaml)
			_, err := Build(Options{Config: cfg, ConfigYAML: data, FanOut: true})
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %v, want one line containing %q", err, c.want)
			}
		})
	}
}
