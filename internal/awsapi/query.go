package awsapi

import (
	"net/url"
	"strconv"
)

// The query protocol's shapes (CloudFormation, SES, SNS), as the SDK's serializers write
// them: a member that is nil is left out; a list is Name.member.1, Name.member.2, …, and an
// empty but non-nil list is "Name=" (the SDK sends it so); a structure's fields are Name.Field.

// QueryString sets k to *v, unless v is nil.
func QueryString(p url.Values, k string, v *string) {
	if v != nil {
		p.Set(k, *v)
	}
}

// QueryMembers calls each with the prefix of each element of a list of n: Name.member.N.
func QueryMembers(p url.Values, name string, isNil bool, n int, each func(i int, prefix string)) {
	if isNil {
		return
	}
	if n == 0 {
		p.Set(name, "")
		return
	}
	for i := range n {
		each(i, name+".member."+strconv.Itoa(i+1))
	}
}

// QueryList sets a list of strings.
func QueryList[T ~string](p url.Values, name string, vs []T) {
	QueryMembers(p, name, vs == nil, len(vs), func(i int, k string) { p.Set(k, string(vs[i])) })
}
