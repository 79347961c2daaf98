package cli

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/accounts"
	"github.com/keywarden/keywarden/internal/golden"
	"github.com/keywarden/keywarden/internal/jobs"
	"github.com/keywarden/keywarden/internal/policy"
)

// The plan as plan, apply and --dry-run print it, pinned by golden files: a change to its
// columns, wording or JSON shape shows up here as a diff to accept (-update) or fix.
func TestPlanRenderingGolden(t *testing.T) {
	at := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	acts := []policy.Action{
		{Kind: policy.Deactivate, User: "alice", AccessKeyID: "AKIAALICE0000000001", Job: "curfew", Rule: "deactivate", Reason: "curfew"},
		{Kind: policy.Delete, User: "bob", AccessKeyID: "AKIABOB000000000001", Job: "hygiene", Rule: "delete inactive_for=30d", Reason: "inactive for 41 days (limit 30d)"},
		{Kind: policy.Report, User: "carol", AccessKeyID: "AKIACAROL0000000001", Job: "audit", Rule: "report older_than=90d", Reason: "created 120 days ago (limit 90d)"},
	}
	warns := []policy.Warning{{Kind: policy.Deactivate, User: "dave", AccessKeyID: "AKIADAVE00000000001", Job: "hygiene",
		Rule: "deactivate unused_for=45d warn=7d", Reason: "unused for 40 days (limit 45d)", Due: at.Add(5 * 24 * time.Hour)}}
	one := &jobEval{cfg: &policy.Config{}, at: at, njobs: 3, plans: []jobs.Plan{
		{Plan: policy.Plan{At: at, Actions: acts, Warnings: warns}},
	}}
	multi := &jobEval{cfg: &policy.Config{}, at: at, njobs: 3, multi: true, plans: []jobs.Plan{
		{Account: accounts.Account{ID: "111111111111"}, Plan: policy.Plan{At: at, Actions: acts[:2]}},
		{Account: accounts.Account{ID: "222222222222"}, Err: errors.New("assume role KeywardenMember: AccessDenied")},
		{Account: accounts.Account{ID: "333333333333"}, Plan: policy.Plan{At: at, Actions: acts[2:], Warnings: warns}},
	}}
	for _, c := range []struct {
		name string
		e    *jobEval
	}{{"plan", one}, {"plan_accounts", multi}} {
		for _, format := range []string{"table", "csv", "json"} {
			t.Run(c.name+"_"+format, func(t *testing.T) {
				var out bytes.Buffer
				if err := c.e.writePlan(&out, format); err != nil {
					t.Fatal(err)
				}
				if format == "table" {
					// What a person reads beside it on stderr.
					fmt.Fprintf(&out, "--- stderr\n%s\n%s\n", c.e.summary(), strings.Join(c.e.warningLines(), "\n"))
				}
				golden.Check(t, c.name+"."+format+".golden", out.Bytes())
			})
		}
	}
}
