package securityhub

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/keywarden/keywarden/internal/awsapi"
	"github.com/keywarden/keywarden/internal/awsapi/securityhub"
	"github.com/keywarden/keywarden/internal/awsapi/securityhub/types"
)

// API is the part of Security Hub keywarden uses.
type API interface {
	GetFindings(ctx context.Context, in *securityhub.GetFindingsInput, optFns ...func(*securityhub.Options)) (*securityhub.GetFindingsOutput, error)
	BatchImportFindings(ctx context.Context, in *securityhub.BatchImportFindingsInput, optFns ...func(*securityhub.Options)) (*securityhub.BatchImportFindingsOutput, error)
}

// NewClient is the Security Hub client of cfg, built where it is used: it links no SDK client
// of its own (internal/awsapi), and only audit --to securityhub needs it.
func NewClient(cfg aws.Config) API { return securityhub.NewFromConfig(cfg) }

// batchSize is BatchImportFindings' limit of findings per call.
const batchSize = 100

// Sync is one run's view of the keys it read.
type Sync struct {
	Target Target
	Keys   []Key
	Now    time.Time
	// Covered reports whether this run read the given user, so an earlier finding of a user
	// the run did not look at (a --user filter) is left as it is rather than archived.
	Covered func(user string) bool
}

// Result counts what a sync did.
type Result struct {
	New, Updated, Archived int
}

// Run imports the run's findings and archives keywarden's earlier findings that no longer hold
// for a user the run covered (the key was fixed, deactivated or deleted).
func Run(ctx context.Context, api API, s Sync) (Result, error) {
	earlier, err := activeFindings(ctx, api, s.Target)
	if err != nil {
		return Result{}, fmt.Errorf("read keywarden's earlier findings (securityhub:GetFindings): %w", err)
	}
	created := map[string]string{}
	for id, f := range earlier {
		created[id] = aws.ToString(f.CreatedAt)
	}
	current := Build(s.Target, s.Keys, s.Now, created)
	var res Result
	now := map[string]bool{}
	for _, f := range current {
		now[aws.ToString(f.Id)] = true
		if _, ok := earlier[aws.ToString(f.Id)]; ok {
			res.Updated++
		} else {
			res.New++
		}
	}
	batch := current
	for id, f := range earlier {
		if !now[id] && s.Covered(userOf(f)) {
			batch = append(batch, archived(f, s.Now))
			res.Archived++
		}
	}
	for i := 0; i < len(batch); i += batchSize {
		part := batch[i:min(i+batchSize, len(batch))]
		out, err := api.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: part})
		if err != nil {
			return Result{}, fmt.Errorf("import findings (securityhub:BatchImportFindings): %w", err)
		}
		if n := aws.ToInt32(out.FailedCount); n > 0 {
			first := out.FailedFindings[0]
			return Result{}, fmt.Errorf("security hub refused %d of %d findings; %s: %s %s", n, len(part),
				aws.ToString(first.Id), aws.ToString(first.ErrorCode), aws.ToString(first.ErrorMessage))
		}
	}
	return res, nil
}

// activeFindings reads keywarden's active findings in the target, by Id. The filters go to
// Security Hub, and are checked again here: a finding another tool or account wrote must never
// be archived by keywarden, whatever the server did with the filter.
func activeFindings(ctx context.Context, api API, t Target) (map[string]types.AwsSecurityFinding, error) {
	in := &securityhub.GetFindingsInput{
		Filters: &types.AwsSecurityFindingFilters{
			ProductArn:   []types.StringFilter{{Comparison: types.StringFilterComparisonEquals, Value: aws.String(t.ProductArn())}},
			AwsAccountId: []types.StringFilter{{Comparison: types.StringFilterComparisonEquals, Value: aws.String(t.Account)}},
			GeneratorId:  []types.StringFilter{{Comparison: types.StringFilterComparisonPrefix, Value: aws.String(generatorPrefix)}},
			RecordState:  []types.StringFilter{{Comparison: types.StringFilterComparisonEquals, Value: aws.String(string(types.RecordStateActive))}},
		},
		MaxResults: aws.Int32(100),
	}
	out := map[string]types.AwsSecurityFinding{}
	for {
		page, err := api.GetFindings(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, f := range page.Findings {
			if aws.ToString(f.ProductArn) == t.ProductArn() && aws.ToString(f.AwsAccountId) == t.Account &&
				strings.HasPrefix(aws.ToString(f.GeneratorId), generatorPrefix) && f.RecordState == types.RecordStateActive {
				out[aws.ToString(f.Id)] = f
			}
		}
		if !awsapi.MorePages(in.NextToken, page.NextToken) {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}

// userOf is the IAM user an earlier finding is about.
func userOf(f types.AwsSecurityFinding) string {
	if u, ok := f.ProductFields["keywarden/UserName"]; ok {
		return u
	}
	for _, r := range f.Resources {
		if r.Details != nil && r.Details.AwsIamAccessKey != nil {
			return aws.ToString(r.Details.AwsIamAccessKey.PrincipalName)
		}
	}
	return ""
}
