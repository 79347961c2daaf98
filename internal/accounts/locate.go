package accounts

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// KeyInfo is the STS call that says which account an access key id belongs to. It needs no
// access to that account, so a key is placed with one call, not one search per account.
type KeyInfo interface {
	GetAccessKeyInfo(context.Context, *sts.GetAccessKeyInfoInput, ...func(*sts.Options)) (*sts.GetAccessKeyInfoOutput, error)
}

// OutsideError is keys of accounts a run does not cover: bad input, nothing is changed.
type OutsideError struct {
	Keys []string // "AKIA… is in account 1111…", sorted
}

func (e *OutsideError) Error() string {
	return fmt.Sprintf("access key %s, which this run does not cover; add the account to --accounts (or drop it from exclude:) and run again",
		strings.Join(e.Keys, ", "))
}

// LookupError is an STS lookup of a key's account that failed; Err is the SDK's.
type LookupError struct {
	KeyID string
	Err   error
}

func (e *LookupError) Error() string {
	return "find the account of access key " + e.KeyID + ": " + e.Err.Error()
}
func (e *LookupError) Unwrap() error { return e.Err }

// Locate places each key in its account and keeps only the accounts that hold one, in their
// order, with the keys of each.
func Locate(ctx context.Context, c KeyInfo, ids []string, accts []Account) ([]Account, map[string][]string, error) {
	covered := map[string]bool{}
	for _, a := range accts {
		covered[a.ID] = true
	}
	in := map[string][]string{}
	var outside []string
	for _, id := range ids {
		o, err := c.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(id)})
		if err != nil {
			return nil, nil, &LookupError{KeyID: id, Err: err}
		}
		acct := aws.ToString(o.Account)
		if !covered[acct] {
			outside = append(outside, id+" is in account "+acct)
			continue
		}
		in[acct] = append(in[acct], id)
	}
	if len(outside) > 0 {
		sort.Strings(outside)
		return nil, nil, &OutsideError{Keys: outside}
	}
	var out []Account
	for _, a := range accts {
		if len(in[a.ID]) > 0 {
			out = append(out, a)
		}
	}
	return out, in, nil
}
