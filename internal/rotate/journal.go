package rotate

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/keywarden/keywarden/internal/credfile"
)

// State is a journalled step of a rotation.
type State string

const (
	StateCreating    State = "creating"
	StateStored      State = "stored"
	StateVerified    State = "verified"
	StateRetired     State = "retired"
	StateRollingBack State = "rolling-back"
)

// Journal is the durable record of one rotation in progress. It holds key ids, never secrets.
type Journal struct {
	Version    int       `json:"version"`
	Profile    string    `json:"profile"`
	State      State     `json:"state"`
	User       string    `json:"user"`
	UserARN    string    `json:"user_arn"`
	OldKeyID   string    `json:"old_access_key_id"`
	NewKeyID   string    `json:"new_access_key_id,omitempty"`
	KeysBefore []string  `json:"keys_before"`
	Retire     Retire    `json:"retire"`
	Token      string    `json:"token,omitempty"` // keys.TokenDigest of the request token
	Started    time.Time `json:"started"`
	History    []Entry   `json:"history"`
}

// Entry is one state the journal passed through.
type Entry struct {
	State State     `json:"state"`
	At    time.Time `json:"at"`
}

const journalVersion = 1

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
		return nil, fmt.Errorf("rotation journal %s has version %d, want %d", path, j.Version, journalVersion)
	}
	return &j, nil
}

// save moves the journal to state s and writes it durably (fsync, atomic rename, 0600).
func (j *Journal) save(path string, s State, now time.Time) error {
	j.State = s
	j.History = append(j.History, Entry{State: s, At: now.UTC()})
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	if err := credfile.WriteFile(path, append(b, '\n')); err != nil {
		return fmt.Errorf("write rotation journal: %w", err)
	}
	return nil
}

func removeJournal(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove rotation journal: %w", err)
	}
	return nil
}
