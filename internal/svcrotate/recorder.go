package svcrotate

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/keywarden/keywarden/internal/keys"
)

// TagRecorder writes a record as the user tag keys.TagKey(keyID), the format apply and
// self-rotation write. It stands in for the one shared provenance writer.
type TagRecorder struct{ IAM IAM }

func (t TagRecorder) Record(ctx context.Context, user, keyID string, rec keys.Record) error {
	k, v := keys.TagKey(keyID), rec.String()
	_, err := t.IAM.TagUser(ctx, &iam.TagUserInput{UserName: &user, Tags: []iamTag{{Key: &k, Value: &v}}})
	return err
}
