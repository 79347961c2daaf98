// Package contract is what the Lambda function and its deployment agree on: the environment
// variables the function reads its config from and the event its schedules send. It sits
// apart from internal/lambda so internal/deploy can write a template without importing the
// runtime it deploys (the whole of keywarden's act side).
package contract

// The function's environment: a config inline or in SSM, or the seed's one key.
const (
	EnvConfig    = "KEYWARDEN_CONFIG"     // keywarden.yaml inline
	EnvConfigSSM = "KEYWARDEN_CONFIG_SSM" // name of an SSM parameter holding keywarden.yaml
	// The seed's two variables: with no config, deactivate this one key.
	EnvSeedUser = "TARGET_ACCESS_KEY_USER_NAME"
	EnvSeedKey  = "TARGET_ACCESS_KEY_ID"
)

// Event is what an invocation asks for. The template's schedules send {"job":"NAME"}, and
// {"job":"NAME","warn":true} a curfew's warn: before each run; a person testing from the
// console may add "dry_run": true. Accounts, if set, is one batch of the accounts
// keywarden.yaml covers: a run too large for one invocation's 15 minutes is fanned out by
// EventBridge Scheduler or a Step Functions Map, one batch per invocation (README).
type Event struct {
	Job    string `json:"job"`
	DryRun bool   `json:"dry_run,omitempty"`
	// Warn asks for the curfew's warning-only run: tell the owners of the keys the job's next
	// run will deactivate, and change nothing.
	Warn     bool     `json:"warn,omitempty"`
	Accounts []string `json:"accounts,omitempty"`
	// Time is when the schedule fired (RFC 3339; the template sends EventBridge Scheduler's
	// <aws.scheduler.scheduled-time>). A rotate rule's run uses job:NAME@TIME as its request
	// token, so a retried invocation of the same firing never rotates twice. "" is the
	// invocation's own start.
	Time string `json:"time,omitempty"`
}
