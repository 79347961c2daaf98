package incident

import (
	"slices"
	"testing"

	"github.com/keywarden/keywarden/internal/notify"
	"github.com/keywarden/keywarden/internal/policy"
)

func TestNoticesGoToTheOwnerAndSecurityOnce(t *testing.T) {
	e := notify.Event{User: "dev", AccessKeyID: "AKIALEAKED", Action: notify.ActionRespond}
	cases := []struct {
		name, owner string
		n           policy.Notify
		want        []string
	}{
		{"owner and security", "dev@example.com", policy.Notify{Security: "soc@example.com"}, []string{"dev@example.com", "soc@example.com"}},
		{"no owner tag: the fallback", "", policy.Notify{Fallback: "it@example.com", Security: "soc@example.com"}, []string{"it@example.com", "soc@example.com"}},
		{"security owns the key", "soc@example.com", policy.Notify{Security: "soc@example.com"}, []string{"soc@example.com"}},
		{"no owner, no fallback: security alone", "", policy.Notify{Security: "soc@example.com"}, []string{"soc@example.com"}},
		{"nobody", "", policy.Notify{}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, d := range notices(e, c.owner, &c.n) {
				got = append(got, d.Owner)
				if len(d.Events) != 1 || d.Events[0].AccessKeyID != "AKIALEAKED" {
					t.Errorf("digest for %s: %+v", d.Owner, d.Events)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("told %v, want %v", got, c.want)
			}
		})
	}
}

func TestManagedPolicyInTheUsersPartition(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:iam::123456789012:user/dev":         "aws",
		"arn:aws-us-gov:iam::123456789012:user/dev":  "aws-us-gov",
		"arn:aws-cn:iam::123456789012:user/team/dev": "aws-cn",
		"": "aws",
	} {
		if got := partition(arn); got != want {
			t.Errorf("partition(%q) = %q, want %q", arn, got, want)
		}
	}
}
