package cli

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/keys"
)

// Audit sources (--source).
const (
	sourceAuto   = "auto"
	sourceAPI    = "api"
	sourceReport = "report"
)

func (o *auditOptions) checkSource() error {
	switch o.Source {
	case sourceAuto, sourceAPI, sourceReport:
	default:
		return usagef("--source %q: use auto, api or report", o.Source)
	}
	// IAM's ListUsers honours MaxItems up to 1000; the probe below asks for threshold users.
	if o.ReportThreshold < 1 || o.ReportThreshold > 1000 {
		return usagef("--report-threshold %d: use a number of users from 1 to 1000", o.ReportThreshold)
	}
	return nil
}

// readInventory reads keys from the source --source names.
//
// The credential report serves audit only: it has no key ids, so nothing can act on what it
// says. Commands that change keys (deactivate, apply, rotate) read ids live, and apply re-reads
// every key right before it acts (check-then-act), so a report up to 4 hours old never decides
// a change.
//
// Over accounts, each account decides auto for itself: a large account reads its report in O(1)
// calls while a small one keeps its key ids.
func (o *auditOptions) readInventory(ctx context.Context, c *iam.Client, progress bool) (keys.Inventory, error) {
	src := o.Source
	if src == sourceAuto {
		var err error
		if src, err = o.autoSource(ctx, c); err != nil {
			return keys.Inventory{}, awsErr("count users", err)
		}
	}
	if src == sourceReport {
		inv, err := inventory.ReadReport(ctx, c, inventory.ReportOptions{
			Users: o.Users, PathPrefix: o.Path, Sleep: sleepCtx,
		})
		if err != nil {
			return keys.Inventory{}, awsErr("read the credential report", err)
		}
		return inv, nil
	}
	// Findings need no tags, so audit skips ListUserTags: one call a user fewer.
	opts := inventory.Options{Users: o.Users, PathPrefix: o.Path, Concurrency: o.Concurrency, SkipTags: true}
	if progress {
		opts.Progress = o.progress("reading users")
	}
	inv, err := inventory.Read(ctx, c, opts)
	if err != nil {
		return keys.Inventory{}, awsErr("read the inventory", err)
	}
	return inv, nil
}

// autoSource picks the report only where it pays. Exact user names cost one GetUser each on the
// api path, and give key ids, so they always use the api. Otherwise one ListUsers call asking for
// threshold users tells whether there are more (IsTruncated): a small account keeps the api path
// and its key ids for one extra call; a large one trades ids for O(1) calls instead of several
// per user. The probe counts all users under --path, not those a --user glob will match, as
// the api path lists them all anyway.
func (o *auditOptions) autoSource(ctx context.Context, c inventory.IAM) (string, error) {
	if len(o.Users) > 0 && inventory.AllLiteral(o.Users) {
		return sourceAPI, nil
	}
	in := &iam.ListUsersInput{MaxItems: aws.Int32(int32(o.ReportThreshold))}
	if o.Path != "" {
		in.PathPrefix = aws.String(o.Path)
	}
	page, err := c.ListUsers(ctx, in)
	if err != nil {
		return "", err
	}
	if page.IsTruncated {
		return sourceReport, nil
	}
	return sourceAPI, nil
}
