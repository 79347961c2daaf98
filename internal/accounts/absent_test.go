package accounts

import (
	"reflect"
	"testing"
)

func TestFindAbsent(t *testing.T) {
	cases := []struct {
		name      string
		names     []string
		searched  []string
		unmatched map[string][]string
		nowhere   []string
		lacking   map[string][]string
	}{
		{"everywhere", []string{"dev"}, []string{"1", "2"}, nil, nil, map[string][]string{}},
		{"in some accounts", []string{"dev"}, []string{"1", "2", "3"}, map[string][]string{"2": {"dev"}},
			nil, map[string][]string{"2": {"dev"}}},
		{"nowhere", []string{"dev", "ci"}, []string{"1", "2"}, map[string][]string{"1": {"dev"}, "2": {"dev", "ci"}},
			[]string{"dev"}, map[string][]string{"2": {"ci"}}},
		{"a glob nowhere", []string{"nobody-*"}, []string{"1"}, map[string][]string{"1": {"nobody-*"}},
			[]string{"nobody-*"}, map[string][]string{}},
		{"an unread account proves nothing", []string{"dev"}, []string{"1"}, map[string][]string{"1": {"dev"}, "9": {"dev"}},
			[]string{"dev"}, map[string][]string{}},
		{"no account searched", []string{"dev"}, nil, nil, nil, map[string][]string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := FindAbsent(c.names, c.searched, c.unmatched)
			if !reflect.DeepEqual(a.Nowhere, c.nowhere) || !reflect.DeepEqual(a.Lacking, c.lacking) {
				t.Fatalf("FindAbsent = %+v; want nowhere %v, lacking %v", a, c.nowhere, c.lacking)
			}
		})
	}
}
