// Package deploy builds what runs keywarden in AWS Lambda: the CloudFormation template (the
// function, its least-privilege role, one EventBridge Scheduler schedule per scheduled job in
// the job's own time zone, a dead-letter queue and a log group), the reproducible function
// package, and the stack operations that ship them.
package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/keywarden/keywarden/internal/lambda/contract"
	"github.com/keywarden/keywarden/internal/permissions"
	"github.com/keywarden/keywarden/internal/policy"
)

// Defaults of the template.
const (
	DefaultFunctionName = "keywarden"
	DefaultArch         = "arm64"
	LogRetentionDays    = 90
	// maxEnvBytes is Lambda's limit on all environment variables of a function together.
	maxEnvBytes = 4096
)

// Logical ids of the resources other code refers to.
const (
	FunctionID      = "Function"
	FunctionRoleID  = "FunctionRole"
	SchedulerRoleID = "SchedulerRole"
	DeadLetterID    = "DeadLetterQueue"
	LogGroupID      = "LogGroup"
	// RotationPermissionID lets Secrets Manager invoke the function as a rotation function.
	RotationPermissionID = "SecretsManagerInvoke"
	CodeBucketParam      = "CodeBucket"
	CodeKeyParam         = "CodeKey"
	FunctionArnOut       = "FunctionArn"
	FunctionNameOut      = "FunctionName"
	DeadLetterURLOut     = "DeadLetterQueueUrl"
)

// Options say what to put in the template.
type Options struct {
	Config *policy.Config
	// ConfigYAML is the config file's text, passed to the function as KEYWARDEN_CONFIG, unless
	// ConfigSSM names an SSM parameter the function reads it from instead.
	ConfigYAML []byte
	ConfigSSM  string
	// Arch is arm64 (default) or amd64.
	Arch         string
	FunctionName string
	// CodeBucket and CodeKey become the defaults of the template's code parameters.
	CodeBucket, CodeKey string
	// RotationUsers, when set, make the function Secrets Manager's rotation function for the
	// secrets tagged keywarden:user with one of these users (names or globs): Secrets Manager
	// may invoke it, and its role may rotate those users' keys and stage those secrets.
	RotationUsers []string
	// FanOut makes the schedules start a Step Functions state machine that invokes the
	// function once per page of the organization's accounts (fanout.go), instead of invoking
	// it once for the whole organization.
	FanOut bool
}

// LambdaArch maps Go's architecture names to Lambda's.
func LambdaArch(goarch string) (string, error) {
	switch goarch {
	case "arm64":
		return "arm64", nil
	case "amd64", "x86_64":
		return "x86_64", nil
	}
	return "", fmt.Errorf("architecture %q: want arm64 or amd64", goarch)
}

var functionNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`) })

// accountSentinel stands in for the account in permissions.ForJobs' ARNs; the template turns
// it into ${AWS::AccountId}, so one template deploys to any account.
const accountSentinel = "000000000000"

// Build returns the template for o.
func Build(o Options) (*Template, error) {
	if o.FunctionName == "" {
		o.FunctionName = DefaultFunctionName
	}
	if o.Arch == "" {
		o.Arch = DefaultArch
	}
	if !functionNameRE().MatchString(o.FunctionName) {
		return nil, fmt.Errorf("function name %q: want 1-64 letters, digits, - or _", o.FunctionName)
	}
	arch, err := LambdaArch(o.Arch)
	if err != nil {
		return nil, err
	}
	if ps := LambdaProblems(o.Config); len(ps) > 0 {
		// Deployed, the rule would fail every scheduled run; say it before, in the same words.
		return nil, ps[0]
	}
	env, err := o.environment()
	if err != nil {
		return nil, err
	}
	jobsDoc, err := permissions.ForJobs(o.Config, nil, accountSentinel)
	if err != nil {
		return nil, err
	}
	fnRole := role{
		Description:              "keywarden function " + o.FunctionName + ": the IAM actions its jobs use, on the users they select, and its own log group",
		AssumeRolePolicyDocument: trust("lambda.amazonaws.com", nil),
		Policies: []inlinePolicy{
			{PolicyName: "keywarden-jobs", PolicyDocument: fromPermissions(jobsDoc)},
			{PolicyName: "logs", PolicyDocument: policyDocument{Version: "2012-10-17", Statement: []statement{{
				Sid: "WriteOwnLogGroup", Effect: "Allow",
				Action:   []string{"logs:CreateLogStream", "logs:PutLogEvents"},
				Resource: []any{getAtt(LogGroupID, "Arn")},
			}}}},
		},
	}
	timeout := 300
	if a := o.Config.Accounts; a != nil {
		// Over accounts the function assumes the member role in each, and lists the
		// organization's accounts: that and nothing more (the member role holds the IAM actions).
		fnRole.Policies = append(fnRole.Policies, inlinePolicy{PolicyName: "keywarden-accounts", PolicyDocument: fromPermissions(permissions.Runner(*a))})
		timeout = 900
	}
	if o.ConfigSSM != "" {
		fnRole.Policies = append(fnRole.Policies, inlinePolicy{PolicyName: "config", PolicyDocument: policyDocument{
			Version: "2012-10-17", Statement: []statement{{
				Sid: "ReadConfigParameter", Effect: "Allow", Action: []string{"ssm:GetParameter"},
				Resource: []any{sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/" + strings.TrimPrefix(o.ConfigSSM, "/"))},
			}}}})
	}
	if len(o.RotationUsers) > 0 {
		fnRole.Policies = append(fnRole.Policies, inlinePolicy{PolicyName: "secrets-manager-rotation",
			PolicyDocument: fromPermissions(permissions.SecretsManagerRotation(o.RotationUsers, accountSentinel))})
	}
	// Before the role goes into res: the incident's permissions are the function role's.
	res := map[string]Resource{}
	addIncident(o.Config.Incident, res, &fnRole)
	for id, r := range map[string]Resource{
		LogGroupID: {Type: "AWS::Logs::LogGroup", Properties: logGroup{
			LogGroupName: "/aws/lambda/" + o.FunctionName, RetentionInDays: LogRetentionDays,
		}},
		FunctionRoleID: {Type: "AWS::IAM::Role", Properties: fnRole},
		FunctionID: {Type: "AWS::Lambda::Function", Properties: function{
			FunctionName:  o.FunctionName,
			Description:   "keywarden: runs the keywarden.yaml job named in the event",
			Runtime:       "provided.al2023",
			Handler:       "bootstrap",
			Architectures: []string{arch},
			MemorySize:    128,
			Timeout:       timeout,
			Role:          getAtt(FunctionRoleID, "Arn"),
			Code:          functionCode{S3Bucket: ref(CodeBucketParam), S3Key: ref(CodeKeyParam)},
			Environment:   environment{Variables: env},
			LoggingConfig: loggingConfig{LogGroup: ref(LogGroupID)},
		}},
		DeadLetterID: {Type: "AWS::SQS::Queue", Properties: queue{MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true}},
	} {
		res[id] = r
	}
	if len(o.RotationUsers) > 0 {
		res[RotationPermissionID] = Resource{Type: "AWS::Lambda::Permission", Properties: lambdaPermission{
			Action: "lambda:InvokeFunction", FunctionName: getAtt(FunctionID, "Arn"),
			Principal: "secretsmanager.amazonaws.com", SourceAccount: ref("AWS::AccountId"),
		}}
	}
	if o.FanOut {
		if err := checkFanOut(o); err != nil {
			return nil, err
		}
	}
	scheds, err := schedules(o.Config, o.FanOut)
	if err != nil {
		return nil, err
	}
	outputs := map[string]Output{
		FunctionArnOut:   {Description: "the function's ARN", Value: getAtt(FunctionID, "Arn")},
		FunctionNameOut:  {Description: "the function's name", Value: ref(FunctionID)},
		DeadLetterURLOut: {Description: "where invocations EventBridge Scheduler could not deliver end up", Value: ref(DeadLetterID)},
	}
	invoke := statement{Sid: "InvokeKeywarden", Effect: "Allow", Action: []string{"lambda:InvokeFunction"}, Resource: []any{getAtt(FunctionID, "Arn")}}
	if o.FanOut {
		_, invoke = addFanOut(o, res)
		outputs[StateMachineArnOut] = Output{Description: "the fan-out state machine the schedules start", Value: ref(StateMachineID)}
	}
	if len(scheds) > 0 {
		res[SchedulerRoleID] = Resource{Type: "AWS::IAM::Role", Properties: role{
			Description: "EventBridge Scheduler: invoke keywarden function " + o.FunctionName + " and dead-letter what it cannot deliver",
			AssumeRolePolicyDocument: trust("scheduler.amazonaws.com", map[string]any{
				"StringEquals": map[string]any{"aws:SourceAccount": ref("AWS::AccountId")},
			}),
			Policies: []inlinePolicy{{PolicyName: "invoke", PolicyDocument: policyDocument{Version: "2012-10-17", Statement: []statement{
				invoke,
				{Sid: "DeadLetter", Effect: "Allow", Action: []string{"sqs:SendMessage"}, Resource: []any{getAtt(DeadLetterID, "Arn")}},
			}}}},
		}}
		for id, s := range scheds {
			res[id] = Resource{Type: "AWS::Scheduler::Schedule", Properties: s}
		}
	}
	return &Template{
		AWSTemplateFormatVersion: "2010-09-09",
		Description:              "keywarden function " + o.FunctionName + ": scheduled jobs of keywarden.yaml in AWS Lambda (generated by keywarden template)",
		Parameters: map[string]Parameter{
			CodeBucketParam: {Type: "String", Description: "S3 bucket holding the function package", Default: o.CodeBucket},
			CodeKeyParam:    {Type: "String", Description: "S3 key of the function package (a zip holding bootstrap)", Default: o.CodeKey},
		},
		Resources: res,
		Outputs:   outputs,
	}, nil
}

func (o Options) environment() (map[string]string, error) {
	if o.ConfigSSM != "" {
		return map[string]string{contract.EnvConfigSSM: o.ConfigSSM}, nil
	}
	if len(o.ConfigYAML) == 0 {
		return nil, fmt.Errorf("no config text to pass to the function")
	}
	if n := len(contract.EnvConfig) + len(o.ConfigYAML); n > maxEnvBytes {
		return nil, fmt.Errorf("the config is %d bytes; Lambda's environment holds at most %d: store it in an SSM parameter and pass --config-ssm NAME", len(o.ConfigYAML), maxEnvBytes)
	}
	return map[string]string{contract.EnvConfig: string(o.ConfigYAML)}, nil
}

// ScheduleID is the logical id of the n-th schedule of a job (n > 0 only when cron's
// either-day rule needs a second EventBridge schedule).
func ScheduleID(job string, n int) string {
	var b strings.Builder
	up := true
	for _, r := range job {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			if up && r >= 'a' && r <= 'z' {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			up = false
			continue
		}
		up = true
	}
	id := "Schedule" + b.String()
	if n > 0 {
		id += fmt.Sprintf("Days%d", n+1)
	}
	return id
}

// SchedulerTime is EventBridge Scheduler's context attribute for the time a schedule fired.
const SchedulerTime = "<aws.scheduler.scheduled-time>"

// scheduleSpec is one EventBridge schedule to write: its id, expression, event and description.
type scheduleSpec struct{ id, expr, input, desc string }

// schedules are the jobs' schedules; with fanOut they start the state machine, whose input
// names the job, instead of invoking the function.
func schedules(cfg *policy.Config, fanOut bool) (map[string]schedule, error) {
	target := any(getAtt(FunctionID, "Arn"))
	inputOf := func(job string, warn bool) string {
		ev := contract.Event{Job: job, Warn: warn}
		if !warn {
			// The firing's own time, the same on every retry of it: a rotate rule's token.
			ev.Time = SchedulerTime
		}
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false) // the scheduler substitutes <aws.…> only as written
		_ = enc.Encode(ev)
		return strings.TrimSpace(b.String())
	}
	if fanOut {
		target = ref(StateMachineID)
		inputOf = func(job string, warn bool) string { return FanOutInput(job, warn, SchedulerTime) }
	}
	out := map[string]schedule{}
	for _, j := range cfg.Jobs {
		sched, _, err := jobSchedule(j)
		if err != nil {
			return nil, err
		}
		if sched == nil {
			continue
		}
		exprs, err := EventBridgeCron(sched)
		if err != nil {
			return nil, fmt.Errorf("job %s: %w", j.Name, err)
		}
		input := inputOf(j.Name, false)
		tz := j.TZName
		if tz == "" {
			tz = "UTC"
		}
		all := []scheduleSpec{}
		for n, e := range exprs {
			all = append(all, scheduleSpec{ScheduleID(j.Name, n), e, input, fmt.Sprintf("keywarden job %s: %q in %s", j.Name, j.Schedule, tz)})
		}
		if w := j.CurfewWarn(); w > 0 {
			// The curfew's warning run, warn: before each of its runs (policy.CurfewWarnings).
			wexprs, err := WarnCron(sched, w)
			if err != nil {
				return nil, fmt.Errorf("job %s: %w", j.Name, err)
			}
			winput := inputOf(j.Name, true)
			for n, e := range wexprs {
				all = append(all, scheduleSpec{ScheduleID(j.Name+"-warn", n), e, winput, fmt.Sprintf("keywarden job %s: warn %s before %q in %s", j.Name, w, j.Schedule, tz)})
			}
		}
		for _, sp := range all {
			id := sp.id
			if _, dup := out[id]; dup {
				return nil, fmt.Errorf("jobs whose names differ only in punctuation (%s) would share the schedule id %s; rename one", j.Name, id)
			}
			out[id] = schedule{
				Description:                sp.desc,
				ScheduleExpression:         sp.expr,
				ScheduleExpressionTimezone: tz,
				FlexibleTimeWindow:         flexibleTimeWindow{Mode: "OFF"},
				State:                      "ENABLED",
				Target: scheduleTarget{
					Arn: target, RoleArn: getAtt(SchedulerRoleID, "Arn"),
					Input:            sp.input,
					RetryPolicy:      retryPolicy{MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600},
					DeadLetterConfig: deadLetterConfig{Arn: getAtt(DeadLetterID, "Arn")},
				},
			}
		}
	}
	return out, nil
}

func trust(service string, cond map[string]any) policyDocument {
	return policyDocument{Version: "2012-10-17", Statement: []statement{{
		Effect: "Allow", Principal: map[string]any{"Service": service},
		Action: []string{"sts:AssumeRole"}, Condition: cond,
	}}}
}

// fromPermissions puts a permissions document in the template, with the account of its ARNs
// left to CloudFormation and IAM policy variables escaped from Fn::Sub.
func fromPermissions(d permissions.Document) policyDocument {
	pd := policyDocument{Version: d.Version}
	for _, s := range d.Statement {
		st := statement{Sid: s.Sid, Effect: s.Effect, Action: s.Action}
		if s.Condition != nil {
			st.Condition = map[string]any{}
			for op, kv := range s.Condition {
				st.Condition[op] = kv
			}
		}
		for _, r := range s.Resource {
			st.Resource = append(st.Resource, resourceValue(r))
		}
		pd.Statement = append(pd.Statement, st)
	}
	return pd
}

// resourceValue leaves the account (and partition) of an ARN to CloudFormation: IAM's, and a
// destination's (arn:aws:secretsmanager:*:ACCOUNT:secret:…, ssm, kms).
func resourceValue(arn string) any {
	rest, ok := strings.CutPrefix(arn, "arn:aws:")
	service, rest, _ := strings.Cut(rest, ":")
	region, rest, _ := strings.Cut(rest, ":")
	account, rest, _ := strings.Cut(rest, ":")
	if !ok || account != accountSentinel {
		return arn
	}
	rest = strings.ReplaceAll(rest, "${", "${!")
	return sub("arn:${AWS::Partition}:" + service + ":" + region + ":${AWS::AccountId}:" + rest)
}

// YAML renders the template.
func (t *Template) YAML() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(t); err != nil {
		return nil, fmt.Errorf("render the template: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("render the template: %w", err)
	}
	return b.Bytes(), nil
}
