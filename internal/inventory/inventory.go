// Package inventory reads users, their access keys, each key's last use and the users' tags
// from IAM. It is the only place that pages through IAM: every list call follows IsTruncated and
// Marker to the end (two well-known tools stop at the first 100 users; keywarden must not).
package inventory

import (
	"context"
	"fmt"
	"log/slog"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/keywarden/keywarden/internal/awserr"
	"github.com/keywarden/keywarden/internal/keys"
)

// IAM is the part of the IAM API the inventory reads.
type IAM interface {
	ListUsers(context.Context, *iam.ListUsersInput, ...func(*iam.Options)) (*iam.ListUsersOutput, error)
	GetUser(context.Context, *iam.GetUserInput, ...func(*iam.Options)) (*iam.GetUserOutput, error)
	ListAccessKeys(context.Context, *iam.ListAccessKeysInput, ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error)
	GetAccessKeyLastUsed(context.Context, *iam.GetAccessKeyLastUsedInput, ...func(*iam.Options)) (*iam.GetAccessKeyLastUsedOutput, error)
	ListUserTags(context.Context, *iam.ListUserTagsInput, ...func(*iam.Options)) (*iam.ListUserTagsOutput, error)
}

// Options narrow and pace the read.
type Options struct {
	// Users are names or path.Match globs; empty means every user.
	Users []string
	// PathPrefix is IAM's user path prefix, e.g. "/team/".
	PathPrefix string
	// Concurrency bounds the users read at once (default 8).
	Concurrency int
	// SkipLastUsed leaves LastUsed nil, for callers that only need ids and status.
	SkipLastUsed bool
	// SkipTags leaves Tags nil, for callers that use neither provenance nor tag selections
	// (audit): one call a user fewer.
	SkipTags bool
	// ActiveLastUsed reads last use of active keys only (the only ones a rule on last use
	// decides on); an inactive key's LastUsed is left nil.
	ActiveLastUsed bool
	// TagsIfInactive reads the tags only of users with an inactive key (only a delete rule,
	// which reads keywarden's records of inactive keys, needs them); others' Tags stay nil.
	TagsIfInactive bool
	// SkipUnknown leaves out an exactly named user that does not exist instead of failing
	// with UnknownUserError: across accounts a name means "this user wherever it exists", and
	// the caller says where it does not (Unmatched).
	SkipUnknown bool
	// Progress, if set, is called after each user is read.
	Progress func(done, total int)
}

// UnknownUserError says a user named exactly (not by a glob) does not exist.
type UnknownUserError struct{ Name string }

func (e *UnknownUserError) Error() string {
	return fmt.Sprintf("user %q not found; list users with 'aws iam list-users'", e.Name)
}

// Read returns the inventory for opts, users sorted by name.
func Read(ctx context.Context, c IAM, opts Options) (keys.Inventory, error) {
	users, err := selectUsers(ctx, c, opts)
	if err != nil {
		return keys.Inventory{}, err
	}
	slog.Debug("read inventory", "users", len(users), "concurrency", opts.Concurrency)
	n := opts.Concurrency
	if n <= 0 {
		n = 8
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		done     int
		sem      = make(chan struct{}, n)
	)
	for i := range users {
		wg.Add(1)
		sem <- struct{}{}
		go func(u *keys.User) {
			defer wg.Done()
			defer func() { <-sem }()
			err := fillUser(ctx, c, u, opts)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
				cancel()
			}
			done++
			if opts.Progress != nil {
				opts.Progress(done, len(users))
			}
		}(&users[i])
	}
	wg.Wait()
	if firstErr != nil {
		return keys.Inventory{}, firstErr
	}
	return keys.Inventory{Users: users, Source: "api"}, nil
}

// Users returns the users opts names, without their keys or tags: for a caller that reads
// each user again itself before acting on it (a service rotation).
func Users(ctx context.Context, c IAM, opts Options) ([]keys.User, error) {
	return selectUsers(ctx, c, opts)
}

// selectUsers names the users to read. Exact names are fetched with GetUser (one call each, and
// a missing one is an error); anything else lists every user and filters.
func selectUsers(ctx context.Context, c IAM, opts Options) ([]keys.User, error) {
	if len(opts.Users) > 0 && AllLiteral(opts.Users) {
		var out []keys.User
		seen := map[string]bool{}
		for _, name := range opts.Users {
			if seen[name] {
				continue
			}
			seen[name] = true
			o, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
			if err != nil {
				if awserr.Classify(err) == awserr.NotFound {
					if opts.SkipUnknown {
						continue
					}
					return nil, &UnknownUserError{Name: name}
				}
				return nil, fmt.Errorf("get user %s: %w", name, err)
			}
			u := fromIAMUser(*o.User)
			if opts.PathPrefix != "" && !strings.HasPrefix(u.Path, opts.PathPrefix) {
				continue
			}
			out = append(out, u)
		}
		sortUsers(out)
		return out, nil
	}
	var out []keys.User
	in := &iam.ListUsersInput{}
	if opts.PathPrefix != "" {
		in.PathPrefix = aws.String(opts.PathPrefix)
	}
	p := iam.NewListUsersPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		for _, iu := range page.Users {
			if MatchAny(opts.Users, aws.ToString(iu.UserName)) {
				out = append(out, fromIAMUser(iu))
			}
		}
	}
	sortUsers(out)
	return out, nil
}

func fillUser(ctx context.Context, c IAM, u *keys.User, opts Options) error {
	ks, err := ListKeys(ctx, c, u.Name)
	if err != nil {
		return err
	}
	inactive := false
	for _, k := range ks {
		inactive = inactive || k.Status == keys.Inactive
	}
	if !opts.SkipLastUsed {
		for i := range ks {
			if opts.ActiveLastUsed && ks[i].Status != keys.Active {
				continue
			}
			lu, _, err := LastUsed(ctx, c, ks[i].AccessKeyID)
			if err != nil {
				return err
			}
			ks[i].LastUsed = lu
		}
	}
	u.Keys = ks
	if opts.SkipTags || (opts.TagsIfInactive && !inactive) {
		return nil
	}
	tags, err := ListTags(ctx, c, u.Name)
	if err != nil {
		return err
	}
	u.Tags = tags
	return nil
}

// ListKeys returns every access key of one user, without last-use data.
func ListKeys(ctx context.Context, c IAM, user string) ([]keys.Key, error) {
	var out []keys.Key
	p := iam.NewListAccessKeysPaginator(c, &iam.ListAccessKeysInput{UserName: aws.String(user)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			if awserr.Classify(err) == awserr.NotFound {
				return nil, &UnknownUserError{Name: user}
			}
			return nil, fmt.Errorf("list access keys of %s: %w", user, err)
		}
		for _, m := range page.AccessKeyMetadata {
			out = append(out, keys.Key{
				User:        user,
				AccessKeyID: aws.ToString(m.AccessKeyId),
				Status:      string(m.Status),
				Created:     aws.ToTime(m.CreateDate).UTC(),
			})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, nil
}

// ListTags returns all tags of one user.
func ListTags(ctx context.Context, c IAM, user string) (map[string]string, error) {
	tags := map[string]string{}
	var marker *string
	for {
		o, err := c.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String(user), Marker: marker})
		if err != nil {
			return nil, fmt.Errorf("list tags of %s: %w", user, err)
		}
		for _, t := range o.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		if !o.IsTruncated || o.Marker == nil {
			return tags, nil
		}
		marker = o.Marker
	}
}

// UnknownKeyError says no user in the account has the access key.
type UnknownKeyError struct{ KeyID string }

func (e *UnknownKeyError) Error() string {
	return fmt.Sprintf("access key %s not found in this account; check the id, or the profile in use", e.KeyID)
}

// NotTheirKeyError is a key named together with users it does not belong to: bad input.
type NotTheirKeyError struct {
	KeyID, Owner string
	Users        []string
}

func (e *NotTheirKeyError) Error() string {
	return fmt.Sprintf("access key %s belongs to user %s, not %s", e.KeyID, e.Owner, strings.Join(e.Users, ", "))
}

// LastUsed reports a key's last use (nil if never used) and the user that owns it. This is also
// how a bare key id is resolved to its owner.
func LastUsed(ctx context.Context, c IAM, keyID string) (*keys.LastUsed, string, error) {
	o, err := c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(keyID)})
	if err != nil {
		if awserr.Classify(err) == awserr.NotFound {
			return nil, "", &UnknownKeyError{KeyID: keyID}
		}
		return nil, "", fmt.Errorf("get last use of %s: %w", keyID, err)
	}
	owner := aws.ToString(o.UserName)
	lu := o.AccessKeyLastUsed
	if lu == nil || lu.LastUsedDate == nil || lu.LastUsedDate.IsZero() {
		return nil, owner, nil
	}
	return &keys.LastUsed{
		Date:    lu.LastUsedDate.UTC(),
		Service: naToEmpty(aws.ToString(lu.ServiceName)),
		Region:  naToEmpty(aws.ToString(lu.Region)),
	}, owner, nil
}

// Owner returns the user that owns keyID.
func Owner(ctx context.Context, c IAM, keyID string) (string, error) {
	_, owner, err := LastUsed(ctx, c, keyID)
	if err == nil && owner == "" {
		return "", &UnknownKeyError{KeyID: keyID}
	}
	return owner, err
}

// IAM reports "N/A" for the service and region of a key never used.
func naToEmpty(s string) string {
	if s == "N/A" {
		return ""
	}
	return s
}

func fromIAMUser(u iamtypes.User) keys.User {
	return keys.User{
		Name:    aws.ToString(u.UserName),
		ARN:     aws.ToString(u.Arn),
		Path:    aws.ToString(u.Path),
		Created: aws.ToTime(u.CreateDate).UTC(),
	}
}

func sortUsers(us []keys.User) {
	sort.Slice(us, func(i, j int) bool { return us[i].Name < us[j].Name })
}

// AllLiteral reports whether every pattern is an exact name (each can be read with GetUser).
func AllLiteral(ps []string) bool {
	for _, p := range ps {
		if keys.IsGlob(p) {
			return false
		}
	}
	return true
}

// MatchAny reports whether name matches one of the globs; IAM user names are compared
// case-insensitively, as IAM itself treats them.
func MatchAny(patterns []string, name string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if keys.MatchUser(p, name) {
			return true
		}
	}
	return false
}

// Unmatched returns the patterns (names or globs) that match none of users, in their order.
func Unmatched(patterns []string, users []keys.User) []string {
	var out []string
	for _, p := range patterns {
		found := false
		for _, u := range users {
			if keys.MatchUser(p, u.Name) {
				found = true
				break
			}
		}
		if !found {
			out = append(out, p)
		}
	}
	return out
}

// ValidatePatterns rejects malformed globs before any call is made.
func ValidatePatterns(ps []string) error {
	for _, p := range ps {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("--user %q is not a valid glob (use *, ? and [a-z]; escape with \\)", p)
		}
	}
	return nil
}
