package lambda

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseTrigger(t *testing.T) {
	for _, c := range []struct {
		file, payload   string
		keys, account   string
		ignore, err     string
		reason, user    string
		foreign, notOne bool
	}{
		{file: "health-exposed.json", keys: "AKIAIOSFODNN7EXAMPLE", account: "123456789012",
			reason: "AWS Health AWS_RISK_CREDENTIALS_EXPOSED arn:aws:health:us-east-1::event/RISK/"},
		// the newer event: the id in eventMetadata as well, read once; affectedAccount wins.
		{file: "health-exposed-metadata.json", keys: "AKIAI44QH8DHBEXAMPLE", account: "123456789012"},
		{payload: `{"source":"aws.health","detail-type":"AWS Health Event","account":"111122223333","detail":{"eventTypeCode":"AWS_RISK_CREDENTIALS_EXPOSED","eventArn":"a","eventMetadata":{"nested":[{"k":"AKIAAAAAAAAAAAAAAAAA"}]},"affectedAccount":"444455556666","affectedEntities":[{"entityValue":"x","entityMetadata":{"key":"AKIABBBBBBBBBBBBBBBB"}}]}}`,
			keys: "AKIAAAAAAAAAAAAAAAAA AKIABBBBBBBBBBBBBBBB", account: "444455556666"},
		{file: "guardduty-iamuser.json", keys: "AKIAIOSFODNN7EXAMPLE", account: "123456789012", user: "dev",
			reason: "GuardDuty UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS severity 8 16afba5c"},
		{file: "guardduty-role.json", ignore: "AssumedRole principal's credentials"},
		{file: "guardduty-root.json", ignore: "Root principal's credentials"},
		{file: "guardduty-nokey.json", ignore: "no access key id"},
		{file: "guardduty-instance.json", err: `resource of type "Instance", not an access key`},
		{file: "ec2-state-change.json", err: "not an event keywarden answers: aws.ec2", foreign: true},
		{payload: `{"source":"aws.health","detail-type":"AWS Health Event","detail":{"eventTypeCode":"AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED"}}`, err: "is not AWS_RISK_CREDENTIALS_EXPOSED"},
		{payload: `{"source":"aws.health","detail-type":"AWS Health Event","detail":{"eventTypeCode":"AWS_RISK_CREDENTIALS_EXPOSED","affectedEntities":[{"entityValue":"ACCESS_KEY_ID_HERE"}]}}`, err: "names no access key id"},
		{payload: `{"source":"aws.health","detail-type":"AWS Health Abuse Event","detail":{}}`, err: `detail-type "AWS Health Abuse Event"`},
		{payload: `{"source":"aws.guardduty","detail-type":"GuardDuty Finding","detail":"oops"}`, err: "no readable detail"},
		{payload: `{"job":"curfew"}`, notOne: true},
		{payload: `[1]`, notOne: true},
	} {
		name := c.file
		p := []byte(c.payload)
		if c.file != "" {
			p = fixture(t, c.file)
		} else {
			name = c.payload[:min(40, len(c.payload))]
		}
		tr, ok, err := ParseTrigger(p)
		if ok == c.notOne {
			t.Errorf("%s: recognised = %v", name, ok)
			continue
		}
		var fe *ForeignError
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) || errors.As(err, &fe) != c.foreign {
				t.Errorf("%s: err = %v, want %q", name, err, c.err)
			}
			continue
		case err != nil:
			t.Errorf("%s: %v", name, err)
			continue
		}
		if c.ignore != "" {
			if !strings.Contains(tr.Ignore, c.ignore) || len(tr.KeyIDs) != 0 {
				t.Errorf("%s: %+v, want ignored for %q", name, tr, c.ignore)
			}
			continue
		}
		if c.notOne {
			continue
		}
		if got := strings.Join(tr.KeyIDs, " "); got != c.keys || tr.Ignore != "" || tr.Account != c.account || tr.User != c.user || !strings.HasPrefix(tr.Reason, c.reason) {
			t.Errorf("%s: %+v", name, tr)
		}
	}
}
