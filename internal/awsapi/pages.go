package awsapi

import "github.com/aws/aws-sdk-go-v2/aws"

// MorePages says whether a paginated walk goes on after a page: one sent with token sent
// answered next. An empty next ends the walk, and so does one the service repeats, where the
// walk would never end; the SDK's paginators stop at both.
func MorePages(sent, next *string) bool {
	n := aws.ToString(next)
	return n != "" && n != aws.ToString(sent)
}
