package cloudformation

import (
	"net/url"
	"strconv"

	"github.com/keywarden/keywarden/internal/awsapi/cloudformation/types"
)

// The query protocol's shapes, as the SDK's serializers write them: a member that is nil (or
// an empty enum) is left out; a list is Name.member.1, Name.member.2, …, and an empty but
// non-nil list is "Name=" (the SDK sends it so); a structure's fields are Name.Field.

func str(p url.Values, k string, v *string) {
	if v != nil {
		p.Set(k, *v)
	}
}

func boolean(p url.Values, k string, v *bool) {
	if v != nil {
		p.Set(k, strconv.FormatBool(*v))
	}
}

func enum[T ~string](p url.Values, k string, v T) {
	if v != "" {
		p.Set(k, string(v))
	}
}

// members calls each with the prefix of each element of a list of n: Name.member.N.
func members(p url.Values, name string, isNil bool, n int, each func(i int, prefix string)) {
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

func list[T ~string](p url.Values, name string, vs []T) {
	members(p, name, vs == nil, len(vs), func(i int, k string) { p.Set(k, string(vs[i])) })
}

func parameters(p url.Values, name string, ps []types.Parameter) {
	members(p, name, ps == nil, len(ps), func(i int, k string) {
		str(p, k+".ParameterKey", ps[i].ParameterKey)
		str(p, k+".ParameterValue", ps[i].ParameterValue)
	})
}

func tags(p url.Values, name string, ts []types.Tag) {
	members(p, name, ts == nil, len(ts), func(i int, k string) {
		str(p, k+".Key", ts[i].Key)
		str(p, k+".Value", ts[i].Value)
	})
}
