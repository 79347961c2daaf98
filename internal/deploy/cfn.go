package deploy

// Typed pieces of a CloudFormation template: only what keywarden's template uses. Intrinsic
// functions are written in their long form ({"Ref": X}, {"Fn::GetAtt": [X, Arn]}), which YAML
// and JSON readers of the template both understand without custom tags.

// Template is a CloudFormation template.
type Template struct {
	AWSTemplateFormatVersion string               `yaml:"AWSTemplateFormatVersion"`
	Description              string               `yaml:"Description"`
	Parameters               map[string]Parameter `yaml:"Parameters"`
	Resources                map[string]Resource  `yaml:"Resources"`
	Outputs                  map[string]Output    `yaml:"Outputs"`
}

// Parameter is a template parameter.
type Parameter struct {
	Type        string `yaml:"Type"`
	Description string `yaml:"Description"`
	Default     string `yaml:"Default,omitempty"`
}

// Resource is one resource; Properties is one of the typed structs below.
type Resource struct {
	Type       string   `yaml:"Type"`
	DependsOn  []string `yaml:"DependsOn,omitempty"`
	Properties any      `yaml:"Properties"`
}

// Output is a stack output.
type Output struct {
	Description string `yaml:"Description"`
	Value       any    `yaml:"Value"`
}

func ref(name string) map[string]any { return map[string]any{"Ref": name} }

func getAtt(name, attr string) map[string]any {
	return map[string]any{"Fn::GetAtt": []string{name, attr}}
}

func sub(s string) map[string]any { return map[string]any{"Fn::Sub": s} }

// lambdaPermission lets a service invoke the function (Secrets Manager, for rotation;
// EventBridge, for one rule).
type lambdaPermission struct {
	Action        string `yaml:"Action"`
	FunctionName  any    `yaml:"FunctionName"`
	Principal     string `yaml:"Principal"`
	SourceAccount any    `yaml:"SourceAccount,omitempty"`
	SourceArn     any    `yaml:"SourceArn,omitempty"`
}

type function struct {
	FunctionName  string        `yaml:"FunctionName"`
	Description   string        `yaml:"Description"`
	Runtime       string        `yaml:"Runtime"`
	Handler       string        `yaml:"Handler"`
	Architectures []string      `yaml:"Architectures"`
	MemorySize    int           `yaml:"MemorySize"`
	Timeout       int           `yaml:"Timeout"`
	Role          any           `yaml:"Role"`
	Code          functionCode  `yaml:"Code"`
	Environment   environment   `yaml:"Environment"`
	LoggingConfig loggingConfig `yaml:"LoggingConfig"`
}

type functionCode struct {
	S3Bucket any `yaml:"S3Bucket"`
	S3Key    any `yaml:"S3Key"`
}

type environment struct {
	Variables map[string]string `yaml:"Variables"`
}

type loggingConfig struct {
	LogGroup any `yaml:"LogGroup"`
}

type logGroup struct {
	LogGroupName    string `yaml:"LogGroupName"`
	RetentionInDays int    `yaml:"RetentionInDays"`
}

type role struct {
	Description              string         `yaml:"Description"`
	AssumeRolePolicyDocument policyDocument `yaml:"AssumeRolePolicyDocument"`
	Policies                 []inlinePolicy `yaml:"Policies"`
}

type inlinePolicy struct {
	PolicyName     string         `yaml:"PolicyName"`
	PolicyDocument policyDocument `yaml:"PolicyDocument"`
}

type policyDocument struct {
	Version   string      `yaml:"Version"`
	Statement []statement `yaml:"Statement"`
}

type statement struct {
	Sid       string         `yaml:"Sid,omitempty"`
	Effect    string         `yaml:"Effect"`
	Principal map[string]any `yaml:"Principal,omitempty"`
	Action    []string       `yaml:"Action"`
	Resource  []any          `yaml:"Resource,omitempty"`
	Condition map[string]any `yaml:"Condition,omitempty"`
}

type queue struct {
	MessageRetentionPeriod int  `yaml:"MessageRetentionPeriod"`
	SqsManagedSseEnabled   bool `yaml:"SqsManagedSseEnabled"`
}

type schedule struct {
	Description                string             `yaml:"Description"`
	ScheduleExpression         string             `yaml:"ScheduleExpression"`
	ScheduleExpressionTimezone string             `yaml:"ScheduleExpressionTimezone"`
	FlexibleTimeWindow         flexibleTimeWindow `yaml:"FlexibleTimeWindow"`
	State                      string             `yaml:"State"`
	Target                     scheduleTarget     `yaml:"Target"`
}

type flexibleTimeWindow struct {
	Mode string `yaml:"Mode"`
}

type scheduleTarget struct {
	Arn              any              `yaml:"Arn"`
	RoleArn          any              `yaml:"RoleArn"`
	Input            string           `yaml:"Input"`
	RetryPolicy      retryPolicy      `yaml:"RetryPolicy"`
	DeadLetterConfig deadLetterConfig `yaml:"DeadLetterConfig"`
}

type retryPolicy struct {
	MaximumRetryAttempts     int `yaml:"MaximumRetryAttempts"`
	MaximumEventAgeInSeconds int `yaml:"MaximumEventAgeInSeconds"`
}

type deadLetterConfig struct {
	Arn any `yaml:"Arn"`
}
