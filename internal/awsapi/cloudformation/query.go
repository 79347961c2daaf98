package cloudformation

import (
	"net/url"
	"strconv"

	"github.com/keywarden/keywarden/internal/awsapi"
	"github.com/keywarden/keywarden/internal/awsapi/cloudformation/types"
)

// CloudFormation's own shapes over awsapi's query helpers.

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

func parameters(p url.Values, name string, ps []types.Parameter) {
	awsapi.QueryMembers(p, name, ps == nil, len(ps), func(i int, k string) {
		awsapi.QueryString(p, k+".ParameterKey", ps[i].ParameterKey)
		awsapi.QueryString(p, k+".ParameterValue", ps[i].ParameterValue)
	})
}

func tags(p url.Values, name string, ts []types.Tag) {
	awsapi.QueryMembers(p, name, ts == nil, len(ts), func(i int, k string) {
		awsapi.QueryString(p, k+".Key", ts[i].Key)
		awsapi.QueryString(p, k+".Value", ts[i].Value)
	})
}
