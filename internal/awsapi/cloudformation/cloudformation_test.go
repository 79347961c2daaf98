package cloudformation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/keywarden/keywarden/internal/awsapi/cloudformation/types"
)

// Answers as moto_server gave them (trimmed of RequestIds), for the calls whose results
// keywarden reads.
const (
	describeStacksXML       = `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/s1/aaf09939</StackId><StackName>s1</StackName><Parameters><member><ParameterKey>P</ParameterKey><ParameterValue>v</ParameterValue></member></Parameters><CreationTime>2026-12-03T15:34:08.206166Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><DisableRollback>false</DisableRollback><NotificationARNs/><Outputs><member><OutputKey>QueueUrl</OutputKey><OutputValue>https://sqs.us-east-1.amazonaws.com/123456789012/q1</OutputValue></member></Outputs><Tags><member><Key>keywarden:managed</Key><Value>true</Value></member></Tags><EnableTerminationProtection>false</EnableTerminationProtection></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeStacksResponse>`
	describeStackEventsXML  = `<DescribeStackEventsResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStackEventsResult><StackEvents><member><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/s1/aaf09939</StackId><EventId>15193e95</EventId><StackName>s1</StackName><LogicalResourceId>s1</LogicalResourceId><PhysicalResourceId>arn:aws:cloudformation:us-east-1:123456789012:stack/s1/aaf09939</PhysicalResourceId><ResourceType>AWS::CloudFormation::Stack</ResourceType><Timestamp>2026-12-03T15:34:08.232360Z</Timestamp><ResourceStatus>CREATE_COMPLETE</ResourceStatus></member><member><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/s1/aaf09939</StackId><EventId>b63b0242</EventId><StackName>s1</StackName><LogicalResourceId>s1</LogicalResourceId><ResourceType>AWS::CloudFormation::Stack</ResourceType><Timestamp>2026-12-03T15:34:08.206227Z</Timestamp><ResourceStatus>CREATE_IN_PROGRESS</ResourceStatus><ResourceStatusReason>User Initiated</ResourceStatusReason></member></StackEvents></DescribeStackEventsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeStackEventsResponse>`
	describeChangeSetXML    = `<DescribeChangeSetResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeChangeSetResult><ChangeSetName>c1</ChangeSetName><StackName>s2</StackName><Parameters><member><ParameterKey>P</ParameterKey><ParameterValue>v</ParameterValue></member></Parameters><ExecutionStatus>AVAILABLE</ExecutionStatus><Status>CREATE_COMPLETE</Status><NotificationARNs/><Tags/><Changes><member><Type>Resource</Type><ResourceChange><Action>Modify</Action><LogicalResourceId>Q</LogicalResourceId><ResourceType>AWS::SQS::Queue</ResourceType><Replacement>True</Replacement></ResourceChange></member></Changes><NextToken>t2</NextToken></DescribeChangeSetResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeChangeSetResponse>`
	createStackInstancesXML = `<CreateStackInstancesResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><CreateStackInstancesResult><OperationId>68195df0</OperationId></CreateStackInstancesResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></CreateStackInstancesResponse>`
	createStackXML          = `<CreateStackResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><CreateStackResult><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/s1/aaf09939</StackId></CreateStackResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></CreateStackResponse>`
	noStackXML              = `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id nope does not exist</Message></Error><RequestId>r</RequestId></ErrorResponse>`
)

// TestWireFormat checks each call's form against the SDK's serializers' (lists as
// Name.member.N, structures as Name.Field, nil members left out, an empty list as "Name=") and
// each answer decoded from moto's XML.
func TestWireFormat(t *testing.T) {
	s := aws.String
	for _, tc := range []struct {
		name   string
		call   func(context.Context, *Client) (any, error)
		answer string
		form   url.Values
		want   any
	}{
		{
			name: "CreateStack",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateStack(ctx, &CreateStackInput{StackName: s("s1"), TemplateBody: s("Resources: {}"),
					Parameters:   []types.Parameter{{ParameterKey: s("A"), ParameterValue: s("1")}, {ParameterKey: s("B"), ParameterValue: s("")}},
					Capabilities: []types.Capability{types.CapabilityCapabilityIam},
					Tags:         []types.Tag{{Key: s("keywarden:managed"), Value: s("true")}}})
			},
			answer: createStackXML,
			form: url.Values{"Action": {"CreateStack"}, "StackName": {"s1"}, "TemplateBody": {"Resources: {}"},
				"Parameters.member.1.ParameterKey": {"A"}, "Parameters.member.1.ParameterValue": {"1"},
				"Parameters.member.2.ParameterKey": {"B"}, "Parameters.member.2.ParameterValue": {""},
				"Capabilities.member.1": {"CAPABILITY_IAM"},
				"Tags.member.1.Key":     {"keywarden:managed"}, "Tags.member.1.Value": {"true"}},
			want: &CreateStackOutput{},
		},
		{
			name: "UpdateStack with an empty list and no tags",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.UpdateStack(ctx, &UpdateStackInput{StackName: s("s1"), TemplateBody: s("t"), Parameters: []types.Parameter{},
					Capabilities: []types.Capability{types.CapabilityCapabilityIam}})
			},
			form: url.Values{"Action": {"UpdateStack"}, "StackName": {"s1"}, "TemplateBody": {"t"}, "Parameters": {""},
				"Capabilities.member.1": {"CAPABILITY_IAM"}},
			want: &UpdateStackOutput{},
		},
		{
			name: "DeleteStack",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.DeleteStack(ctx, &DeleteStackInput{StackName: s("arn:aws:cloudformation:us-east-1:123456789012:stack/s1/x")})
			},
			form: url.Values{"Action": {"DeleteStack"}, "StackName": {"arn:aws:cloudformation:us-east-1:123456789012:stack/s1/x"}},
			want: &DeleteStackOutput{},
		},
		{
			name: "DescribeStacks",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.DescribeStacks(ctx, &DescribeStacksInput{StackName: s("s1")})
			},
			answer: describeStacksXML,
			form:   url.Values{"Action": {"DescribeStacks"}, "StackName": {"s1"}},
			want: &DescribeStacksOutput{Stacks: []types.Stack{{StackName: s("s1"), StackId: s("arn:aws:cloudformation:us-east-1:123456789012:stack/s1/aaf09939"),
				StackStatus: types.StackStatusCreateComplete,
				Outputs:     []types.Output{{OutputKey: s("QueueUrl"), OutputValue: s("https://sqs.us-east-1.amazonaws.com/123456789012/q1")}}}}},
		},
		{
			name: "DescribeStackEvents",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.DescribeStackEvents(ctx, &DescribeStackEventsInput{StackName: s("s1")})
			},
			answer: describeStackEventsXML,
			form:   url.Values{"Action": {"DescribeStackEvents"}, "StackName": {"s1"}},
			want: &DescribeStackEventsOutput{StackEvents: []types.StackEvent{
				{EventId: s("15193e95"), LogicalResourceId: s("s1"), ResourceType: s("AWS::CloudFormation::Stack"), ResourceStatus: "CREATE_COMPLETE"},
				{EventId: s("b63b0242"), LogicalResourceId: s("s1"), ResourceType: s("AWS::CloudFormation::Stack"), ResourceStatus: "CREATE_IN_PROGRESS",
					ResourceStatusReason: s("User Initiated")}}},
		},
		{
			name: "CreateChangeSet",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateChangeSet(ctx, &CreateChangeSetInput{StackName: s("s2"), ChangeSetName: s("c1"), ChangeSetType: types.ChangeSetTypeCreate,
					TemplateBody: s("t"), Parameters: []types.Parameter{{ParameterKey: s("P"), ParameterValue: s("v")}},
					Capabilities: []types.Capability{types.CapabilityCapabilityIam, types.CapabilityCapabilityNamedIam}})
			},
			form: url.Values{"Action": {"CreateChangeSet"}, "StackName": {"s2"}, "ChangeSetName": {"c1"}, "ChangeSetType": {"CREATE"},
				"TemplateBody": {"t"}, "Parameters.member.1.ParameterKey": {"P"}, "Parameters.member.1.ParameterValue": {"v"},
				"Capabilities.member.1": {"CAPABILITY_IAM"}, "Capabilities.member.2": {"CAPABILITY_NAMED_IAM"}},
			want: &CreateChangeSetOutput{},
		},
		{
			name: "DescribeChangeSet",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.DescribeChangeSet(ctx, &DescribeChangeSetInput{StackName: s("s2"), ChangeSetName: s("c1"), NextToken: s("t1")})
			},
			answer: describeChangeSetXML,
			form:   url.Values{"Action": {"DescribeChangeSet"}, "StackName": {"s2"}, "ChangeSetName": {"c1"}, "NextToken": {"t1"}},
			want: &DescribeChangeSetOutput{Status: types.ChangeSetStatusCreateComplete, NextToken: s("t2"), Changes: []types.Change{{ResourceChange: &types.ResourceChange{
				Action: "Modify", LogicalResourceId: s("Q"), ResourceType: s("AWS::SQS::Queue"), Replacement: "True"}}}},
		},
		{
			name: "DeleteChangeSet",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.DeleteChangeSet(ctx, &DeleteChangeSetInput{StackName: s("s2"), ChangeSetName: s("c1")})
			},
			form: url.Values{"Action": {"DeleteChangeSet"}, "StackName": {"s2"}, "ChangeSetName": {"c1"}},
			want: &DeleteChangeSetOutput{},
		},
		{
			name: "CreateStackSet",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateStackSet(ctx, &CreateStackSetInput{StackSetName: s("ss"), TemplateBody: s("t"),
					PermissionModel: types.PermissionModelsServiceManaged,
					AutoDeployment:  &types.AutoDeployment{Enabled: aws.Bool(true), RetainStacksOnAccountRemoval: aws.Bool(false)},
					Capabilities:    []types.Capability{types.CapabilityCapabilityNamedIam}, Description: s("d")})
			},
			form: url.Values{"Action": {"CreateStackSet"}, "StackSetName": {"ss"}, "TemplateBody": {"t"}, "PermissionModel": {"SERVICE_MANAGED"},
				"AutoDeployment.Enabled": {"true"}, "AutoDeployment.RetainStacksOnAccountRemoval": {"false"},
				"Capabilities.member.1": {"CAPABILITY_NAMED_IAM"}, "Description": {"d"}},
			want: &CreateStackSetOutput{},
		},
		{
			name: "CreateStackInstances",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateStackInstances(ctx, &CreateStackInstancesInput{StackSetName: s("ss"),
					DeploymentTargets: &types.DeploymentTargets{OrganizationalUnitIds: []string{"r-ab12", "ou-ab12-34567890"}}, Regions: []string{"us-east-1"}})
			},
			answer: createStackInstancesXML,
			form: url.Values{"Action": {"CreateStackInstances"}, "StackSetName": {"ss"},
				"DeploymentTargets.OrganizationalUnitIds.member.1": {"r-ab12"}, "DeploymentTargets.OrganizationalUnitIds.member.2": {"ou-ab12-34567890"},
				"Regions.member.1": {"us-east-1"}},
			want: &CreateStackInstancesOutput{OperationId: s("68195df0")},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got url.Values
			c := server(t, func(w http.ResponseWriter, form url.Values) {
				got = form
				io.WriteString(w, tc.answer)
			})
			out, err := tc.call(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			tc.form.Set("Version", "2010-05-15")
			if !reflect.DeepEqual(got, tc.form) {
				t.Errorf("form\n got %v\nwant %v", got, tc.form)
			}
			if !reflect.DeepEqual(out, tc.want) {
				t.Errorf("answer\n got %s\nwant %s", dump(out), dump(tc.want))
			}
		})
	}
}

// deploy tells a missing stack and "No updates are to be performed" by the API error's
// message, as it did the SDK's.
func TestErrorsAreTheSDKsAPIErrors(t *testing.T) {
	c := server(t, func(w http.ResponseWriter, _ url.Values) {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, noStackXML)
	})
	_, err := c.DescribeStacks(context.Background(), &DescribeStacksInput{StackName: aws.String("nope")})
	var ae smithy.APIError
	var oe *smithy.OperationError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationError" || ae.ErrorMessage() != "Stack with id nope does not exist" || ae.ErrorFault() != smithy.FaultClient {
		t.Fatalf("err = %v, want the API error ValidationError", err)
	}
	if !errors.As(err, &oe) || oe.Service() != "CloudFormation" || oe.Operation() != "DescribeStacks" {
		t.Fatalf("err = %v, want an OperationError of CloudFormation DescribeStacks", err)
	}
}

func server(t *testing.T, answer func(http.ResponseWriter, url.Values)) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Method != http.MethodPost || !strings.Contains(r.Header.Get("Authorization"), "/us-east-1/cloudformation/aws4_request") {
			t.Errorf("request %s %s, Authorization %q, form error %v", r.Method, r.URL, r.Header.Get("Authorization"), err)
		}
		answer(w, r.PostForm)
	}))
	t.Cleanup(srv.Close)
	creds := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}, nil
	})
	return NewFromConfig(aws.Config{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(srv.URL), HTTPClient: srv.Client()})
}

func dump(v any) string {
	var b strings.Builder
	var walk func(reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() {
				b.WriteString("nil")
				return
			}
			walk(v.Elem())
		case reflect.Struct:
			b.WriteString("{")
			for i := range v.NumField() {
				b.WriteString(v.Type().Field(i).Name + ":")
				walk(v.Field(i))
				b.WriteString(" ")
			}
			b.WriteString("}")
		case reflect.Slice:
			b.WriteString("[")
			for i := range v.Len() {
				walk(v.Index(i))
				b.WriteString(" ")
			}
			b.WriteString("]")
		default:
			fmt.Fprint(&b, v.Interface())
		}
	}
	walk(reflect.ValueOf(v))
	return b.String()
}
