package organizations

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

type pages []string // the NextToken each page answers with

func (p pages) ListAccounts(_ context.Context, in *ListAccountsInput, _ ...func(*Options)) (*ListAccountsOutput, error) {
	i := 0
	if in.NextToken != nil {
		i = int(aws.ToString(in.NextToken)[0] - 'a' + 1)
	}
	out := &ListAccountsOutput{Accounts: []Account{{Id: aws.String(string(rune('0' + i)))}}}
	if p[i] != "" {
		out.NextToken = aws.String(p[i])
	}
	return out, nil
}

func TestPaginatorWalksTokensAndStopsWhereTheSDKsDo(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tokens pages
		ids    string
	}{
		{"one page", pages{""}, "0"},
		{"three pages", pages{"a", "b", ""}, "012"},
		{"a repeated token", pages{"a", "a"}, "01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ids string
			p := NewListAccountsPaginator(tc.tokens, &ListAccountsInput{})
			for p.HasMorePages() {
				page, err := p.NextPage(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range page.Accounts {
					ids += aws.ToString(a.Id)
				}
			}
			if ids != tc.ids {
				t.Fatalf("accounts %q; want %q", ids, tc.ids)
			}
		})
	}
}
