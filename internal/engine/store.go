package engine

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/keys"
)

// Store is where a rotation's state lives between runs. It never holds a secret.
type Store interface {
	// Load returns the rotation in progress, or nil; tags are the user's, just read.
	Load(ctx context.Context, tags map[string]string) (*keys.Rotation, error)
	Save(ctx context.Context, st keys.Rotation) error
	// Clear removes the state if it is still the one this store last loaded or saved; gone
	// says it was (another run's stays).
	Clear(ctx context.Context) (gone bool, err error)
	// Exclusive says no other run can act on this state meanwhile (a lock serialises runs),
	// so a state found is never a live run's and is never held for one.
	Exclusive() bool
	// Tags are the user tags the store itself writes, for which room is made first.
	Tags() []string
	// Forget says how a person removes the state by hand, for refusals.
	Forget() string
	String() string
}

// TagStore keeps the state in one tag on the IAM user (keys.RotationTag), where every runner
// (a laptop, serve, a Lambda) can read it.
func TagStore(c IAM, user string) Store { return &tagStore{c: c, user: user} }

type tagStore struct {
	c    IAM
	user string
	tags map[string]string // the engine's view of the user's tags, kept current
	last string            // the value this run loaded or saved: the only one it clears
}

func (s *tagStore) String() string  { return fmt.Sprintf("the %s tag of %s", keys.RotationTag, s.user) }
func (s *tagStore) Exclusive() bool { return false }
func (s *tagStore) Tags() []string  { return []string{keys.RotationTag} }
func (s *tagStore) Forget() string {
	return fmt.Sprintf("remove the %s tag from %s", keys.RotationTag, s.user)
}

func (s *tagStore) Load(_ context.Context, tags map[string]string) (*keys.Rotation, error) {
	s.tags = tags
	v, ok := tags[keys.RotationTag]
	if !ok {
		return nil, nil
	}
	s.last = v
	st, err := keys.ParseRotation(v)
	if err != nil {
		return nil, &RefusedError{Msg: fmt.Sprintf("user %s has a %s tag keywarden cannot read (%v); remove it after checking the user's keys", s.user, keys.RotationTag, err)}
	}
	return &st, nil
}

func (s *tagStore) Save(ctx context.Context, st keys.Rotation) error {
	k, v := keys.RotationTag, st.String()
	if _, err := s.c.TagUser(ctx, &iam.TagUserInput{UserName: &s.user, Tags: []iamtypes.Tag{{Key: &k, Value: &v}}}); err != nil {
		return err
	}
	s.last = v
	if s.tags != nil {
		s.tags[k] = v
	}
	return nil
}

// Clear reads the value again just before removing it, since IAM has no conditional untag:
// a concurrent run's record is never removed.
func (s *tagStore) Clear(ctx context.Context) (bool, error) {
	now, err := inventory.ListTags(ctx, s.c, s.user)
	if err != nil {
		return false, err
	}
	v, ok := now[keys.RotationTag]
	if !ok {
		return true, nil
	}
	if v != s.last {
		if s.tags != nil {
			delete(s.tags, keys.RotationTag)
		}
		return false, nil
	}
	if _, err := s.c.UntagUser(ctx, &iam.UntagUserInput{UserName: &s.user, TagKeys: []string{keys.RotationTag}}); err != nil {
		return false, err
	}
	if s.tags != nil {
		delete(s.tags, keys.RotationTag)
	}
	return true, nil
}
