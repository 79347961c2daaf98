package accounts

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// keyOwners answers GetAccessKeyInfo from a table, as STS does for keys it knows.
type keyOwners map[string]string

func (k keyOwners) GetAccessKeyInfo(_ context.Context, in *sts.GetAccessKeyInfoInput, _ ...func(*sts.Options)) (*sts.GetAccessKeyInfoOutput, error) {
	acct, ok := k[aws.ToString(in.AccessKeyId)]
	if !ok {
		return nil, errors.New("InvalidAccessKeyId")
	}
	return &sts.GetAccessKeyInfoOutput{Account: aws.String(acct)}, nil
}

func TestLocateKeepsOnlyTheAccountsThatHoldAKey(t *testing.T) {
	owners := keyOwners{"AKIA1": "111111111111", "AKIA2": "333333333333", "AKIA3": "111111111111", "AKIAX": "999999999999"}
	accts := []Account{{ID: "111111111111"}, {ID: "222222222222"}, {ID: "333333333333"}}
	cases := []struct {
		name      string
		ids       []string
		wantIDs   []string
		wantIn    map[string][]string
		wantErrAs any
	}{
		{"keys in two of three accounts, in the accounts' order", []string{"AKIA2", "AKIA1", "AKIA3"},
			[]string{"111111111111", "333333333333"}, map[string][]string{"111111111111": {"AKIA1", "AKIA3"}, "333333333333": {"AKIA2"}}, nil},
		{"a key of an account the run does not cover", []string{"AKIA1", "AKIAX"}, nil, nil, new(*OutsideError)},
		{"a key STS does not know", []string{"AKIANONE"}, nil, nil, new(*LookupError)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, in, err := Locate(context.Background(), owners, c.ids, accts)
			if c.wantErrAs != nil {
				if err == nil || !errors.As(err, c.wantErrAs) || out != nil {
					t.Fatalf("err = %v (%T), accounts %v; want %T and no accounts", err, err, out, c.wantErrAs)
				}
				return
			}
			var ids []string
			for _, a := range out {
				ids = append(ids, a.ID)
			}
			if err != nil || !reflect.DeepEqual(ids, c.wantIDs) || !reflect.DeepEqual(in, c.wantIn) {
				t.Errorf("Locate = %v %v %v, want %v %v", ids, in, err, c.wantIDs, c.wantIn)
			}
		})
	}
}
