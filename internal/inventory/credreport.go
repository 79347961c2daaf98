package inventory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/keywarden/keywarden/internal/awserr"
	"github.com/keywarden/keywarden/internal/keys"
)

// SourceReport is keys.Inventory.Source for an inventory read from the credential report.
const SourceReport = "credential-report"

// ReportIAM is the part of the IAM API the credential-report path uses: two calls, however
// many users the account has.
type ReportIAM interface {
	GenerateCredentialReport(context.Context, *iam.GenerateCredentialReportInput, ...func(*iam.Options)) (*iam.GenerateCredentialReportOutput, error)
	GetCredentialReport(context.Context, *iam.GetCredentialReportInput, ...func(*iam.Options)) (*iam.GetCredentialReportOutput, error)
}

// ReportOptions narrow the users taken from the report and pace the wait for it.
type ReportOptions struct {
	// Users are names or path.Match globs, matched client-side; empty means every user. A
	// name (not a glob) missing from the report is an UnknownUserError, as with Read.
	Users []string
	// PathPrefix keeps users whose path (taken from the ARN) starts with it.
	PathPrefix string
	// Sleep waits between polls; it must return ctx.Err() when ctx ends. Required.
	Sleep func(context.Context, time.Duration) error
	// MaxWait bounds the total time slept while IAM builds the report (default 5 minutes).
	MaxWait time.Duration
	// FirstPoll is the first wait after a report generation starts (default 1s); later waits
	// double up to 10s.
	FirstPoll time.Duration
}

// ReportTimeoutError says IAM did not finish the report within ReportOptions.MaxWait.
type ReportTimeoutError struct{ Waited time.Duration }

func (e *ReportTimeoutError) Error() string {
	return fmt.Sprintf("the IAM credential report was not ready after %s; try again later or use --source api", e.Waited)
}

// ReadReport builds the inventory from the IAM credential report: O(1) API calls instead of
// several per user. The report is the account's view at GeneratedTime (IAM serves a report up
// to 4 hours old), and it lacks what only per-user calls give:
//   - access key ids: each keys.Key has an empty AccessKeyID, in slot order (key 1, key 2);
//   - user tags, hence keywarden's provenance records: Tags is nil;
//   - the last-used service and region when IAM reports none.
//
// So it is fit for auditing, never for acting: anything that changes a key must read the
// key live (apply re-reads every key before it acts).
func ReadReport(ctx context.Context, c ReportIAM, opts ReportOptions) (keys.Inventory, error) {
	if opts.Sleep == nil {
		return keys.Inventory{}, errors.New("inventory: ReportOptions.Sleep is required")
	}
	content, generated, err := fetchReport(ctx, c, opts)
	if err != nil {
		return keys.Inventory{}, err
	}
	users, err := ParseReport(content)
	if err != nil {
		return keys.Inventory{}, err
	}
	if users, err = filterReportUsers(users, opts); err != nil {
		return keys.Inventory{}, err
	}
	return keys.Inventory{Users: users, Source: SourceReport, ReportTime: generated}, nil
}

// fetchReport asks IAM for a report and polls until it is complete, then reads it. IAM's own
// protocol: GenerateCredentialReport answers STARTED or INPROGRESS until the report is ready
// and COMPLETE once it is (and starts a new one when the last is over 4 hours old);
// GetCredentialReport may still say ReportInProgress, or ReportNotPresent / ReportExpired when
// the report is gone, in which case it is generated again.
func fetchReport(ctx context.Context, c ReportIAM, opts ReportOptions) ([]byte, time.Time, error) {
	maxWait := opts.MaxWait
	if maxWait <= 0 {
		maxWait = 5 * time.Minute
	}
	wait := opts.FirstPoll
	if wait <= 0 {
		wait = time.Second
	}
	var waited time.Duration
	pause := func() error {
		if waited >= maxWait {
			return &ReportTimeoutError{Waited: waited}
		}
		d := min(wait, maxWait-waited)
		if err := opts.Sleep(ctx, d); err != nil {
			return err
		}
		waited += d
		wait = min(2*wait, 10*time.Second)
		return nil
	}
	const maxRegenerations = 3
	for regenerations := 0; ; {
		for {
			g, err := c.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
			if err != nil {
				return nil, time.Time{}, fmt.Errorf("generate the credential report: %w", err)
			}
			if g.State == iamtypes.ReportStateTypeComplete {
				break
			}
			if err := pause(); err != nil {
				return nil, time.Time{}, err
			}
		}
		for {
			r, err := c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
			if err == nil {
				return r.Content, aws.ToTime(r.GeneratedTime).UTC(), nil
			}
			code := awserr.Code(err)
			if code == "ReportInProgress" {
				if err := pause(); err != nil {
					return nil, time.Time{}, err
				}
				continue
			}
			if (code == "ReportNotPresent" || code == "ReportExpired") && regenerations < maxRegenerations {
				regenerations++
				break // generate it again
			}
			return nil, time.Time{}, fmt.Errorf("get the credential report: %w", err)
		}
	}
}

// filterReportUsers applies Users and PathPrefix, which IAM cannot apply to a report. A name
// matches as MatchAny matches it (case aside, as IAM's own names do), and a name in the report
// is known even when the path prefix leaves it out.
func filterReportUsers(users []keys.User, opts ReportOptions) ([]keys.User, error) {
	var out []keys.User
	for _, u := range users {
		if opts.PathPrefix != "" && !strings.HasPrefix(u.Path, opts.PathPrefix) {
			continue
		}
		if MatchAny(opts.Users, u.Name) {
			out = append(out, u)
		}
	}
	for _, name := range opts.Users {
		if !keys.IsGlob(name) && !slices.ContainsFunc(users, func(u keys.User) bool { return MatchAny([]string{name}, u.Name) }) {
			return nil, &UnknownUserError{Name: name}
		}
	}
	sortUsers(out)
	return out, nil
}
