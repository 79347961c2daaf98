package lambda

import (
	"reflect"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/lambda/contract"
)

func TestParseEvent(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		strict  bool
		want    contract.Event
		wantErr string
	}{
		{"job", `{"job":"curfew"}`, true, contract.Event{Job: "curfew"}, ""},
		{"job and dry run", `{"job":"curfew","dry_run":true}`, true, contract.Event{Job: "curfew", DryRun: true}, ""},
		{"a curfew's warning run", `{"job":"curfew","warn":true}`, true, contract.Event{Job: "curfew", Warn: true}, ""},
		{"empty object", `{}`, true, contract.Event{}, ""},
		{"typo field", `{"jobs":"curfew"}`, true, contract.Event{}, `unknown field "jobs"`},
		{"job not a string", `{"job":3}`, true, contract.Event{}, `field "job" must be a string`},
		{"array", `["curfew"]`, true, contract.Event{}, "got a JSON array"},
		{"string", `"curfew"`, true, contract.Event{}, "got a JSON string"},
		{"null", `null`, true, contract.Event{}, "got null"},
		{"empty", ``, true, contract.Event{}, "got an empty payload"},
		{"not json", `{job: curfew}`, true, contract.Event{}, "bad event: invalid character"},
		{"two values", `{"job":"a"} {"job":"b"}`, true, contract.Event{}, "more than one JSON value"},
		{"a batch of accounts", `{"job":"curfew","accounts":["111122223333","444455556666"]}`, true, contract.Event{Job: "curfew", Accounts: []string{"111122223333", "444455556666"}}, ""},
		{"null accounts is no batch", `{"job":"curfew","accounts":null}`, true, contract.Event{Job: "curfew"}, ""},
		{"an empty batch is a batch of none, not every account", `{"job":"curfew","accounts":[]}`, true, contract.Event{Job: "curfew", Accounts: []string{}}, ""},
		{"a short account id", `{"job":"curfew","accounts":["111122223333","1234"]}`, true, contract.Event{}, `accounts "1234": want 12-digit account ids`},
		{"an account id with letters", `{"job":"curfew","accounts":["11112222333a"]}`, true, contract.Event{}, `accounts "11112222333a"`},
		{"accounts not a list", `{"job":"curfew","accounts":"111122223333"}`, true, contract.Event{}, `field "accounts" must be a []string`},
		{"the schedule's firing", `{"job":"rotate-ci","time":"2026-11-23T03:00:00Z"}`, true, contract.Event{Job: "rotate-ci", Time: "2026-11-23T03:00:00Z"}, ""},
		{"a time that is not RFC 3339", `{"job":"rotate-ci","time":"<aws.scheduler.scheduled-time>"}`, true, contract.Event{}, `time "<aws.scheduler.scheduled-time>": want an RFC 3339 time`},
		{"seed mode takes a scheduled event", `{"version":"0","detail-type":"Scheduled Event","source":"aws.events"}`, false, contract.Event{}, ""},
		{"seed mode still wants an object", `[1]`, false, contract.Event{}, "got a JSON array"},
		{"seed mode broken json", `{"a":`, false, contract.Event{}, "bad event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEvent([]byte(tt.payload), tt.strict)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseEventDoesNotEchoPayload(t *testing.T) {
	_, err := ParseEvent([]byte(`wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`), true)
	if err == nil || strings.Contains(err.Error(), "wJalr") {
		t.Fatalf("err = %v; want an error that does not echo the payload", err)
	}
}
