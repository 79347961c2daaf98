package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/internal/report"
	"github.com/keywarden/keywarden/internal/securityhub"
)

const toSecurityHub = "securityhub"

// checkTo validates --to before anything is read. Security Hub's finding ids are built from
// access key ids, which the credential report lacks, so --to reads keys with the api; and
// findings are facts about now, so --at (a what-if) cannot be sent.
func (o *auditOptions) checkTo() error {
	switch o.To {
	case "":
		return nil
	case toSecurityHub:
	default:
		return usagef("--to %q: the one destination is securityhub", o.To)
	}
	if o.At != "" {
		return usagef("--to securityhub sends what is true now; drop --at, which asks what will be")
	}
	switch o.Source {
	case sourceReport:
		return usagef("--to securityhub needs access key ids, which the credential report lacks; use --source api")
	case sourceAuto:
		o.Source = sourceAPI
	}
	return nil
}

// sendFindings imports the run's findings into Security Hub when --to asks for it.
func (o *auditOptions) sendFindings(ctx context.Context, s *session, inv keys.Inventory, rows []report.AuditRow, now time.Time) error {
	if o.To != toSecurityHub {
		return nil
	}
	if s.cfg.Region == "" {
		return usagef("--to securityhub needs a region: set AWS_REGION or pass --region")
	}
	id, err := s.whoami(ctx)
	if err != nil {
		return err
	}
	t := securityhub.Target{Account: id.Account, Region: s.cfg.Region}
	ks := make([]securityhub.Key, 0, len(rows))
	for _, r := range rows {
		k := securityhub.Key{User: r.User, AccessKeyID: r.AccessKeyID, Status: r.Status, Findings: r.Findings}
		if r.Created != nil {
			k.Created = *r.Created
		}
		ks = append(ks, k)
	}
	res, err := securityhub.Run(ctx, securityhub.NewClient(s.cfg), securityhub.Sync{
		Target: t, Keys: ks, Now: now, Covered: o.covered(inv),
	})
	if err != nil {
		return awsErr("send findings to Security Hub in "+t.Region, err)
	}
	fmt.Fprintf(o.Stderr, "keywarden: security hub %s: %d findings (%d new, %d updated), %d archived as fixed\n",
		t.ProductArn(), res.New+res.Updated, res.New, res.Updated, res.Archived)
	return nil
}

// covered says which users this run looked at: all of them without --user or --path, else the
// ones it read. An earlier finding of a user outside the run stays as it is.
func (o *auditOptions) covered(inv keys.Inventory) func(string) bool {
	if len(o.Users) == 0 && o.Path == "" {
		return func(string) bool { return true }
	}
	read := map[string]bool{}
	for _, u := range inv.Users {
		read[u.Name] = true
	}
	return func(user string) bool { return read[user] }
}
