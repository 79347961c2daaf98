// Package keys holds the plain data keywarden reasons about: users, their access keys, and
// keywarden's own provenance records. It imports no AWS package, so deciding (policy) can be
// tested on plain values and never reaches the network.
package keys

import "time"

// Key statuses as IAM spells them.
const (
	Active   = "Active"
	Inactive = "Inactive"
)

// LastUsed is what GetAccessKeyLastUsed reports. A nil *LastUsed means the key was never used.
type LastUsed struct {
	Date    time.Time `json:"date"`
	Service string    `json:"service,omitempty"`
	Region  string    `json:"region,omitempty"`
}

// Key is one IAM access key. It never carries a secret.
type Key struct {
	User        string    `json:"user"`
	AccessKeyID string    `json:"access_key_id"`
	Status      string    `json:"status"`
	Created     time.Time `json:"created"`
	LastUsed    *LastUsed `json:"last_used"`
}

// User is an IAM user with its keys and tags.
type User struct {
	Name    string            `json:"name"`
	ARN     string            `json:"arn"`
	Path    string            `json:"path"`
	Created time.Time         `json:"created"`
	Tags    map[string]string `json:"tags,omitempty"`
	Keys    []Key             `json:"keys"`
}

// Provenance returns keywarden's record for one of the user's keys, if there is one.
func (u User) Provenance(keyID string) (Record, bool) {
	v, ok := u.Tags[TagKey(keyID)]
	if !ok {
		return Record{}, false
	}
	r, err := ParseRecord(v)
	if err != nil {
		return Record{}, false
	}
	return r, true
}

// Inventory is everything read from IAM in one pass.
type Inventory struct {
	Users []User `json:"users"`
	// Source says how it was read: "api" (one call per user) or "credential-report".
	Source string `json:"source"`
	// ReportTime is when the credential report was generated (zero for the api source).
	ReportTime time.Time `json:"report_time,omitzero"`
}

// Keys returns every key of every user, in user order.
func (inv Inventory) Keys() []Key {
	var out []Key
	for _, u := range inv.Users {
		out = append(out, u.Keys...)
	}
	return out
}

// User finds a user by name.
func (inv Inventory) User(name string) (User, bool) {
	for _, u := range inv.Users {
		if u.Name == name {
			return u, true
		}
	}
	return User{}, false
}
