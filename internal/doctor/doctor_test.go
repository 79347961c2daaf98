package doctor

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
)

// A denied read names the permission to add and where; any other failure keeps its cause.
// (The reads themselves are tried against moto: test/doctor_test.go.)
func TestProblemSaysWhatToAddToTheMemberRole(t *testing.T) {
	denied := &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized"}
	throttled := &smithy.GenericAPIError{Code: "Throttling", Message: "rate exceeded"}
	for _, c := range []struct {
		name, action string
		err          error
		want         string
		keepsCause   bool
	}{
		{"tags denied", "iam:ListUserTags", denied, "iam:ListUserTags is denied; add it to the member role's policy ('keywarden policy -c FILE' prints it)", false},
		{"users denied", "iam:ListUsers", denied, "iam:ListUsers is denied; add it to the member role's policy", false},
		{"another failure", "iam:ListUsers", throttled, "try iam:ListUsers", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := problem(c.action, c.err)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("problem: %v, want %q", err, c.want)
			}
			if c.keepsCause && !errors.Is(err, c.err) {
				t.Errorf("the SDK's error left the chain: %v", err)
			}
		})
	}
}
