package inventory

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
)

// awsHeader is the header of a credential report as the IAM User Guide documents it.
const awsHeader = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n"

// motoRow is a row exactly as moto 5.2 writes it (models.User.to_csv): region and service
// are not_supported, a key never used is N/A.
const motoRow = "carol,arn:aws:iam::123456789012:user/carol,2026-11-20T10:00:00+00:00,false,not_supported,2026-11-20T10:00:00+00:00,not_supported,false,true,2026-11-20T10:00:01+00:00,N/A,not_supported,not_supported,false,N/A,N/A,not_supported,not_supported,false,N/A,false,N/A\n"

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestParseReport(t *testing.T) {
	cases := []struct {
		name string
		csv  string
		want []keys.User
	}{
		{
			name: "root row skipped, user without keys kept",
			csv: awsHeader +
				"<root_account>,arn:aws:iam::123456789012:root,2014-01-01T00:00:00+00:00,not_supported,2026-11-01T00:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n" +
				"nokeys,arn:aws:iam::123456789012:user/nokeys,2025-01-02T03:04:05+00:00,true,no_information,2025-01-02T03:04:05+00:00,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n",
			want: []keys.User{{Name: "nokeys", ARN: "arn:aws:iam::123456789012:user/nokeys", Path: "/", Created: ts("2025-01-02T03:04:05Z"), Keys: []keys.Key{}}},
		},
		{
			name: "two keys: one used, one inactive never used, path from the ARN",
			csv: awsHeader +
				"alice,arn:aws:iam::123456789012:user/team/ops/alice,2024-05-01T08:00:00+00:00,false,N/A,N/A,N/A,false,true,2024-05-01T08:10:00+00:00,2026-11-22T21:15:00+00:00,ap-northeast-1,s3,false,2026-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A\n",
			want: []keys.User{{
				Name: "alice", ARN: "arn:aws:iam::123456789012:user/team/ops/alice", Path: "/team/ops/", Created: ts("2024-05-01T08:00:00Z"),
				Keys: []keys.Key{
					{User: "alice", Status: keys.Active, Created: ts("2024-05-01T08:10:00Z"),
						LastUsed: &keys.LastUsed{Date: ts("2026-11-22T21:15:00Z"), Service: "s3", Region: "ap-northeast-1"}},
					{User: "alice", Status: keys.Inactive, Created: ts("2026-01-01T00:00:00Z")},
				},
			}},
		},
		{
			name: "used key with no_information region and service, only the second slot taken",
			csv: awsHeader +
				"bob,arn:aws:iam::123456789012:user/bob,2023-03-03T03:03:03+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,TRUE,2023-03-04T00:00:00Z,2023-04-01T00:00:00+09:00,no_information,no_information,false,N/A,false,N/A\n",
			want: []keys.User{{
				Name: "bob", ARN: "arn:aws:iam::123456789012:user/bob", Path: "/", Created: ts("2023-03-03T03:03:03Z"),
				Keys: []keys.Key{{User: "bob", Status: keys.Active, Created: ts("2023-03-04T00:00:00Z"),
					LastUsed: &keys.LastUsed{Date: ts("2023-03-31T15:00:00Z")}}},
			}},
		},
		{
			name: "moto's format",
			csv:  awsHeader + motoRow,
			want: []keys.User{{
				Name: "carol", ARN: "arn:aws:iam::123456789012:user/carol", Path: "/", Created: ts("2026-11-20T10:00:00Z"),
				Keys: []keys.Key{{User: "carol", Status: keys.Active, Created: ts("2026-11-20T10:00:01Z")}},
			}},
		},
		{
			name: "columns in another order, extra column, CRLF line ends",
			csv: "access_key_2_last_used_date,access_key_2_last_rotated,access_key_2_active,access_key_1_last_used_date,access_key_1_last_rotated,access_key_1_active,user_creation_time,arn,user,new_column\r\n" +
				"N/A,N/A,false,N/A,2026-02-02T00:00:00+00:00,true,2026-02-01T00:00:00+00:00,arn:aws:iam::123456789012:user/dave,dave,x\r\n",
			want: []keys.User{{
				Name: "dave", ARN: "arn:aws:iam::123456789012:user/dave", Path: "/", Created: ts("2026-02-01T00:00:00Z"),
				Keys: []keys.Key{{User: "dave", Status: keys.Active, Created: ts("2026-02-02T00:00:00Z")}},
			}},
		},
		{name: "header only", csv: awsHeader, want: nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseReport([]byte(c.csv))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestParseReportErrors(t *testing.T) {
	cases := []struct {
		name, csv, want string
	}{
		{"empty", "", "credential report is empty"},
		{"not a report", "UserName,Arn\nalice,arn\n", `credential report has no "user" column; is it a credential report?`},
		{"missing key column", strings.Replace(awsHeader, "access_key_2_last_rotated", "x", 1), `no "access_key_2_last_rotated" column`},
		{"bad time", awsHeader + strings.Replace(motoRow, "2026-11-20T10:00:01+00:00", "yesterday", 1), `credential report line 2: user carol: access_key_1_last_rotated: "yesterday" is not an ISO 8601 time`},
		{"bad bool", awsHeader + strings.Replace(motoRow, ",true,", ",maybe,", 1), `line 2: user carol: access_key_1_active: "maybe" is neither true nor false`},
		{"ragged row", awsHeader + "alice,arn\n", "credential report: record on line 2: wrong number of fields"},
		{"bad quoting", awsHeader + "\"alice,arn\n", "credential report:"},
		{"no user name", awsHeader + strings.Replace(motoRow, "carol,", ",", 1), "line 2: no user name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseReport([]byte(c.csv))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestPathFromARN(t *testing.T) {
	cases := []struct{ name, arn, user, want string }{
		{"root path", "arn:aws:iam::123456789012:user/alice", "alice", "/"},
		{"nested path", "arn:aws:iam::123456789012:user/a/b/alice", "alice", "/a/b/"},
		{"other partition", "arn:aws-cn:iam::123456789012:user/ops/alice", "alice", "/ops/"},
		{"name is a suffix of another", "arn:aws:iam::123456789012:user/xalice", "alice", "/"},
		{"not a user ARN", "arn:aws:iam::123456789012:role/alice", "alice", "/"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := pathFromARN(c.arn, c.user); got != c.want {
				t.Fatalf("pathFromARN(%q) = %q, want %q", c.arn, got, c.want)
			}
		})
	}
}

// BenchmarkParseReport measures the pure part of the report path: a 1,000-user report.
func BenchmarkParseReport(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(awsHeader)
	for i := range 1000 {
		sb.WriteString(strings.ReplaceAll(motoRow, "carol", fmt.Sprintf("user-%04d", i)))
	}
	content := []byte(sb.String())
	b.ReportAllocs()
	for b.Loop() {
		users, err := ParseReport(content)
		if err != nil || len(users) != 1000 {
			b.Fatalf("%d users, %v", len(users), err)
		}
	}
}
