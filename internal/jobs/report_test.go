package jobs

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/accounts"
	"github.com/keywarden/keywarden/internal/apply"
)

func TestFinishSumsUpEveryAccount(t *testing.T) {
	runs := []Run{
		{Plan: Plan{Account: accounts.Account{ID: "111111111111"}, Unsettled: []error{errors.New("settle a record of AKIA1")}},
			Results: []Result{
				{Account: "111111111111", Result: apply.Result{AccessKeyID: "AKIA1", Outcome: apply.Deactivated}},
				{Account: "111111111111", Result: apply.Result{AccessKeyID: "AKIA2", Outcome: apply.Unchanged}},
			}},
		{Plan: Plan{Account: accounts.Account{ID: "222222222222"}, Err: errors.New("assume role: AccessDenied")}},
		{Plan: Plan{Account: accounts.Account{ID: "333333333333"}},
			Results: []Result{
				{Account: "333333333333", Result: apply.Result{AccessKeyID: "AKIA3", Outcome: apply.Failed}},
				{Account: "333333333333", Result: apply.Result{AccessKeyID: "AKIA4", Outcome: apply.Refused}},
			}},
	}
	e := Finish("curfew", runs)
	if e.Accounts != 3 || len(e.Results) != 4 || e.Changed != 1 || e.Unchanged != 1 || e.Bad != 2 {
		t.Errorf("accounts %d results %d changed %d unchanged %d bad %d, want 3 4 1 1 2", e.Accounts, len(e.Results), e.Changed, e.Unchanged, e.Bad)
	}
	if len(e.Failed) != 1 || e.Failed[0].Account != "222222222222" {
		t.Errorf("failed = %+v, want the one account whose plan failed", e.Failed)
	}
	if len(e.Unsettled) != 1 || e.Unsettled[0].Account != "111111111111" {
		t.Errorf("unsettled = %+v, want the first account's record", e.Unsettled)
	}
	if e.Outcomes[apply.Deactivated] != 1 || e.Outcomes[apply.Failed] != 1 || e.Outcomes[apply.Refused] != 1 {
		t.Errorf("outcomes = %v", e.Outcomes)
	}
	err := e.AccountsErr()
	if err == nil || !strings.Contains(err.Error(), "job curfew: 1 of 3 accounts failed: 222222222222: assume role: AccessDenied") {
		t.Errorf("AccountsErr = %v", err)
	}
	if Finish("curfew", runs[:1]).AccountsErr() != nil {
		t.Error("AccountsErr is set although no account failed")
	}
}

// The per-key line has one level wherever it is written (serve and the Lambda used to differ).
func TestLogKeyLevelFollowsTheOutcome(t *testing.T) {
	cases := []struct {
		outcome string
		err     error
		level   string
	}{
		{apply.Deactivated, nil, "INFO"},
		{apply.Unchanged, nil, "INFO"},
		{apply.Skipped, nil, "WARN"},
		{apply.Refused, nil, "WARN"},
		{apply.Failed, errors.New("throttled"), "ERROR"},
	}
	for _, c := range cases {
		t.Run(c.outcome, func(t *testing.T) {
			var b bytes.Buffer
			LogKey(slog.New(slog.NewJSONHandler(&b, nil)), Result{Account: "111111111111",
				Result: apply.Result{User: "alice", AccessKeyID: "AKIA1", Job: "curfew", Outcome: c.outcome, Err: c.err}})
			var line map[string]any
			if err := json.Unmarshal(b.Bytes(), &line); err != nil {
				t.Fatalf("%v: %s", err, b.String())
			}
			if line["level"] != c.level || line["msg"] != "key" || line["account"] != "111111111111" || line["job"] != "curfew" {
				t.Errorf("line = %v, want level %s", line, c.level)
			}
			if _, ok := line["error"]; ok != (c.err != nil) {
				t.Errorf("error attribute present %v, want %v", ok, c.err != nil)
			}
		})
	}
}
