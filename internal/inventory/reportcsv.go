package inventory

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
)

// The report's row for the account's root user; it has no access keys keywarden manages.
const rootRow = "<root_account>"

// ParseReport reads the credential report CSV into users and their key slots, in report order.
// Columns are found by header name, so extra or reordered columns (IAM adds some over the
// years; moto writes a subset) do not matter. "N/A", "no_information" and "not_supported"
// mean the value is absent. A slot holds a key when it is active or has a creation date
// (access_key_N_last_rotated: for access keys, which cannot be changed in place, that is the
// creation date). Keys carry no id: the report has none.
func ParseReport(content []byte) ([]keys.User, error) {
	r := csv.NewReader(bytes.NewReader(content))
	header, err := r.Read()
	if err == io.EOF {
		return nil, errors.New("credential report is empty")
	}
	if err != nil {
		return nil, fmt.Errorf("credential report: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	required := []string{"user", "arn", "user_creation_time"}
	for _, n := range []string{"1", "2"} {
		required = append(required, "access_key_"+n+"_active", "access_key_"+n+"_last_rotated", "access_key_"+n+"_last_used_date")
	}
	for _, name := range required {
		if _, ok := col[name]; !ok {
			return nil, fmt.Errorf("credential report has no %q column; is it a credential report?", name)
		}
	}
	var users []keys.User
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return users, nil
		}
		if err != nil {
			return nil, fmt.Errorf("credential report: %w", err)
		}
		line, _ := r.FieldPos(0)
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return absent(rec[i])
			}
			return ""
		}
		if get("user") == rootRow {
			continue
		}
		u, err := reportUser(get)
		if err != nil {
			return nil, fmt.Errorf("credential report line %d: %w", line, err)
		}
		users = append(users, u)
	}
}

func reportUser(get func(string) string) (keys.User, error) {
	u := keys.User{Name: get("user"), ARN: get("arn")}
	if u.Name == "" {
		return u, errors.New("no user name")
	}
	u.Path = pathFromARN(u.ARN, u.Name)
	var err error
	if u.Created, err = reportTime(get("user_creation_time")); err != nil {
		return u, fmt.Errorf("user %s: user_creation_time: %w", u.Name, err)
	}
	u.Keys = []keys.Key{}
	for _, n := range []string{"1", "2"} {
		p := "access_key_" + n + "_"
		active, err := reportBool(get(p + "active"))
		if err != nil {
			return u, fmt.Errorf("user %s: %sactive: %w", u.Name, p, err)
		}
		created, err := reportTime(get(p + "last_rotated"))
		if err != nil {
			return u, fmt.Errorf("user %s: %slast_rotated: %w", u.Name, p, err)
		}
		if !active && created.IsZero() {
			continue // an empty slot
		}
		k := keys.Key{User: u.Name, Status: keys.Inactive, Created: created}
		if active {
			k.Status = keys.Active
		}
		used, err := reportTime(get(p + "last_used_date"))
		if err != nil {
			return u, fmt.Errorf("user %s: %slast_used_date: %w", u.Name, p, err)
		}
		if !used.IsZero() {
			k.LastUsed = &keys.LastUsed{Date: used, Service: get(p + "last_used_service"), Region: get(p + "last_used_region")}
		}
		u.Keys = append(u.Keys, k)
	}
	return u, nil
}

// absent maps the report's words for "no value" to "".
func absent(s string) string {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "n/a", "no_information", "not_supported":
		return ""
	}
	return s
}

func reportTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an ISO 8601 time", s)
	}
	return t.UTC(), nil
}

func reportBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true":
		return true, nil
	case "false", "":
		return false, nil
	}
	return false, fmt.Errorf("%q is neither true nor false", s)
}

// pathFromARN takes the user's path from arn:aws:iam::ACCOUNT:user/PATH/NAME, which is the
// only place the report gives it. An ARN that does not end in the name gives "/".
func pathFromARN(arn, name string) string {
	_, res, ok := strings.Cut(arn, ":user/")
	if !ok {
		return "/"
	}
	p, ok := strings.CutSuffix(res, name)
	if !ok || !strings.HasSuffix("/"+p, "/") {
		return "/"
	}
	return "/" + p
}
