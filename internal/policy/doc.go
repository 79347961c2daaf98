// Package policy decides. It holds the keywarden.yaml schema and its validation, the audit
// findings, and Evaluate: pure functions of (inventory, policy, now) that return a plan. It
// imports no AWS package and reads no clock; acting on a plan is internal/apply's job.
package policy
