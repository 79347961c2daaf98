package rotate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/keywarden/keywarden/internal/credfile"
	"github.com/keywarden/keywarden/internal/keys"
)

// Journal is the durable state of one self-rotation in progress, beside the credentials file
// (the engine's state with what only a profile's rotation needs: the profile, the user, how
// the old key is retired, and the phases it passed through). It holds key ids, never secrets.
type Journal struct {
	Version    int        `json:"version"`
	Profile    string     `json:"profile"`
	Phase      keys.Phase `json:"phase"`
	User       string     `json:"user"`
	UserARN    string     `json:"user_arn"`
	OldKeyID   string     `json:"old_access_key_id"`
	NewKeyID   string     `json:"new_access_key_id,omitempty"`
	KeysBefore []string   `json:"keys_before"`
	Retire     Retire     `json:"retire"`
	Token      string     `json:"token,omitempty"` // keys.TokenDigest of the request token
	Dests      string     `json:"destinations"`    // keys.Digest of the profile destination
	Retiring   bool       `json:"retiring,omitempty"`
	Started    time.Time  `json:"started"`
	Delivered  time.Time  `json:"delivered,omitzero"`
	History    []Entry    `json:"history"`
}

// Entry is one phase the journal passed through.
type Entry struct {
	Phase keys.Phase `json:"phase"`
	At    time.Time  `json:"at"`
}

const journalVersion = 2

// JournalPath is where the journal of a rotation of credentialsFile lives.
func JournalPath(credentialsFile string) string { return credentialsFile + ".keywarden-rotate.json" }

// LockPath is the file whose flock serialises rotations of credentialsFile.
func LockPath(credentialsFile string) string { return credentialsFile + ".keywarden-rotate.lock" }

// ReadJournal returns the journal at path, or nil if there is none.
func ReadJournal(path string) (*Journal, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read rotation journal: %w", err)
	}
	var j Journal
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("rotation journal %s is unreadable (%v); if no rotation is running, inspect it and remove it", path, err)
	}
	if j.Version != journalVersion {
		return nil, fmt.Errorf("rotation journal %s has version %d, written by another keywarden release; finish the rotation with that release, or check the keys of %s and remove the journal", path, j.Version, orNone(j.User))
	}
	return &j, nil
}

// journalStore is the engine's state store for a self-rotation. The flock on the credentials
// file serialises runs, so the journal is never a live run's: it is exclusive.
type journalStore struct {
	path, profile, user, arn string
	retire                   Retire
	now                      func() time.Time
	j                        *Journal
}

func (s *journalStore) String() string  { return "the journal " + s.path }
func (s *journalStore) Exclusive() bool { return true }
func (s *journalStore) Tags() []string  { return nil }
func (s *journalStore) Forget() string {
	return "remove the journal " + s.path
}

func (s *journalStore) Load(context.Context, map[string]string) (*keys.Rotation, error) {
	if s.j == nil {
		return nil, nil
	}
	j := s.j
	return &keys.Rotation{Phase: j.Phase, OldKeyID: j.OldKeyID, NewKeyID: j.NewKeyID, Before: j.KeysBefore,
		Started: j.Started, Delivered: j.Delivered, Dests: j.Dests, Token: j.Token, Retiring: j.Retiring}, nil
}

func (s *journalStore) Save(_ context.Context, st keys.Rotation) error {
	if s.j == nil {
		s.j = &Journal{Version: journalVersion, Profile: s.profile, User: s.user, UserARN: s.arn, Retire: s.retire}
	}
	j := s.j
	j.Phase, j.OldKeyID, j.NewKeyID, j.KeysBefore = st.Phase, st.OldKeyID, st.NewKeyID, st.Before
	j.Started, j.Delivered, j.Dests, j.Token, j.Retiring = st.Started.UTC(), st.Delivered.UTC(), st.Dests, st.Token, st.Retiring
	if n := len(j.History); n == 0 || j.History[n-1].Phase != st.Phase {
		j.History = append(j.History, Entry{Phase: st.Phase, At: s.now().UTC()})
	}
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	if err := credfile.WriteFile(s.path, append(b, '\n')); err != nil {
		return fmt.Errorf("write rotation journal: %w", err)
	}
	return nil
}

func (s *journalStore) Clear(context.Context) (bool, error) {
	if err := os.Remove(s.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("remove rotation journal: %w", err)
	}
	s.j = nil
	return true, nil
}
