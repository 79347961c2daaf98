package lambda

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The function's path (seed mode and jobs alike) imports nothing that only a command, the
// daemon or a report needs: every package linked on this path is one whose init and size the
// Lambda pays for. The list names what has crept in before, or would cost most if it did.
func TestLambdaImportsOnlyWhatItNeeds(t *testing.T) {
	out, err := exec.Command("go", "list", "-tags", "lambda.norpc", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "github.com/aws/aws-sdk-go-v2/service/iam") {
		t.Fatalf("go list -deps printed no IAM client, so it did not list this package's imports:\n%s", out)
	}
	forbidden := []string{
		"github.com/keywarden/keywarden/internal/cli",
		"github.com/keywarden/keywarden/internal/daemon",
		"github.com/keywarden/keywarden/internal/deploy",
		"github.com/keywarden/keywarden/internal/report",
		"github.com/keywarden/keywarden/internal/securityhub",
		"github.com/spf13/cobra",
		"github.com/prometheus/",
		"google.golang.org/protobuf/",
		"github.com/owenrumney/go-sarif/",
		"github.com/xeipuuv/gojsonschema",
		"github.com/santhosh-tekuri/jsonschema/",
		"github.com/aws/aws-sdk-go-v2/service/s3",
		"github.com/keywarden/keywarden/internal/awsapi/cloudformation",
		"github.com/aws/aws-sdk-go-v2/service/securityhub",
		// respond's CloudTrail lookup goes through internal/awsapi/cloudtrail: the generated
		// client's endpoint table would be built at every cold start for one call.
		"github.com/aws/aws-sdk-go-v2/service/cloudtrail",
		"html/template",
		"net/http/pprof",
		"expvar",
	}
	for _, f := range forbidden {
		for _, d := range deps {
			if d == f || strings.HasSuffix(f, "/") && strings.HasPrefix(d, f) {
				t.Errorf("the Lambda's path imports %s, which it does not need (its init and size are paid on every cold start)", d)
			}
		}
	}
}
