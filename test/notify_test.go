package test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/keywarden/keywarden/internal/keys"
)

// hook is a Slack-style webhook on loopback that records what it is sent.
type hook struct {
	mu     sync.Mutex
	texts  []string
	status int
	srv    *httptest.Server
}

func newHook(t *testing.T) *hook {
	h := &hook{status: 200}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]string
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &m)
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.status == 200 {
			h.texts = append(h.texts, m["text"])
		}
		w.WriteHeader(h.status)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) got() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.texts...)
}

func tagOwner(t *testing.T, c *iam.Client, user, owner string) {
	t.Helper()
	_, err := c.TagUser(context.Background(), &iam.TagUserInput{UserName: aws.String(user),
		Tags: []iamtypes.Tag{{Key: aws.String("owner"), Value: aws.String(owner)}}})
	if err != nil {
		t.Fatal(err)
	}
}

// sesSent is how many emails moto's SES accepted (the AWS CLI is the witness).
func sesSent(t *testing.T) int {
	t.Helper()
	var o struct {
		SendDataPoints []struct{ DeliveryAttempts int }
	}
	if err := json.Unmarshal(awsCLI(t, "ses", "get-send-statistics"), &o); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range o.SendDataPoints {
		n += p.DeliveryAttempts
	}
	return n
}

const notifyYAML = `notify:
  fallback: security@example.com
  email: {from: keywarden@example.com}
  sns: {topic_arn: TOPIC}
  webhook: {url: "HOOK/services/T000/B000/SECRETPATH"}
jobs:
  curfew:
    select: {users: [alice, bob, carol]}
    do: [{deactivate: {}}]
  hygiene:
    select: {users: [dave]}
    do: [{deactivate: {older_than: 90d, warn: 100d}}]
`

func TestApplyTellsEachOwnerOnceThroughEveryChannel(t *testing.T) {
	c := fresh(t)
	var secrets []string
	for _, u := range []string{"alice", "bob", "carol", "dave"} {
		mkUser(t, c, u, 0)
		_, s := mkKey(t, c, u)
		secrets = append(secrets, s)
	}
	tagOwner(t, c, "alice", "alice@example.com")
	tagOwner(t, c, "bob", "@bob")
	tagOwner(t, c, "dave", "alice@example.com")
	daveKey := userKeyIDs(t, c, "dave")[0]
	// keywarden's clock is moto's: dave's key, just made, reaches 90 days within the 100-day warning.
	now := createdAt(t, c, "dave", daveKey)

	awsCLI(t, "ses", "verify-email-identity", "--email-address", "keywarden@example.com")
	var topic struct{ TopicArn string }
	json.Unmarshal(awsCLI(t, "sns", "create-topic", "--name", "keywarden"), &topic)
	// botocore aims sqs at its legacy global endpoint whatever AWS_ENDPOINT_URL says.
	var queue struct{ QueueUrl string }
	json.Unmarshal(awsCLI(t, "sqs", "create-queue", "--endpoint-url", moto(t).URL, "--queue-name", "keywarden-notices"), &queue)
	awsCLI(t, "sns", "subscribe", "--topic-arn", topic.TopicArn, "--protocol", "sqs",
		"--notification-endpoint", "arn:aws:sqs:us-east-1:"+moto(t).AccountID+":keywarden-notices")
	h := newHook(t)
	cfg := writeConfig(t, "", strings.NewReplacer("TOPIC", topic.TopicArn, "HOOK", h.srv.URL).Replace(notifyYAML))

	// plan says who would be told, and sends nothing.
	r := kwAt(t, now, admin(t), "plan", "-c", cfg)
	if r.code != 0 || !strings.Contains(r.stderr, "would tell alice@example.com: 1 key deactivated, 1 warning") ||
		!strings.Contains(r.stderr, "ahead: job hygiene will deactivate "+daveKey+" of dave") {
		t.Fatalf("plan: exit %d\n%s", r.code, r.stderr)
	}
	if len(h.got()) != 0 || sesSent(t) != 0 {
		t.Fatal("plan sent notices")
	}

	r = kwAt(t, now, admin(t), "apply", "-c", cfg, "--yes")
	if r.code != 0 || !strings.Contains(r.stderr, "told 3 owners (4 notices): email 2 sent, sns 1 sent, webhook 3 sent") {
		t.Fatalf("apply: exit %d\n%s", r.code, r.stderr)
	}
	texts := h.got()
	joined := strings.Join(texts, "\n")
	for _, want := range []string{"For alice@example.com: keywarden: 1 key deactivated, 1 warning", "For @bob:", "For security@example.com:",
		"of carol was deactivated by job curfew", "of dave will be deactivated on", "rotate the key before then"} {
		if !strings.Contains(joined, want) {
			t.Errorf("webhook messages lack %q:\n%s", want, joined)
		}
	}
	if n := sesSent(t); n != 2 {
		t.Errorf("SES sent %d emails, want 2 (alice@example.com and the fallback; @bob is a chat handle)", n)
	}
	var msgs struct{ Messages []struct{ Body string } }
	json.Unmarshal(awsCLI(t, "sqs", "receive-message", "--endpoint-url", moto(t).URL, "--queue-url", queue.QueueUrl, "--max-number-of-messages", "10"), &msgs)
	if len(msgs.Messages) != 1 || !strings.Contains(msgs.Messages[0].Body, daveKey) {
		t.Errorf("SNS delivered %d messages to SQS, want 1 naming %s: %+v", len(msgs.Messages), daveKey, msgs.Messages)
	}
	for _, s := range append(secrets, "SECRETPATH") {
		if strings.Contains(joined+r.stderr+r.stdout, s) {
			t.Fatalf("a notice or the output holds a secret (%q)", s)
		}
	}
	if tags := tagsByCLI(t, "dave"); tags[keys.WarnedTag] != daveKey+"=hygiene/deactivate" {
		t.Errorf("dave's warned tag = %q", tags[keys.WarnedTag])
	}

	// The second run changes nothing and has told every warning already: nobody hears again.
	r = kwAt(t, now, admin(t), "apply", "-c", cfg, "--yes")
	if r.code != 0 || len(h.got()) != len(texts) || sesSent(t) != 2 {
		t.Fatalf("second apply sent again: exit %d, %d webhook messages, %d emails\n%s", r.code, len(h.got()), sesSent(t), r.stderr)
	}
}

func TestFailedChannelIsReportedAndTheChangeStands(t *testing.T) {
	c := fresh(t)
	mkUser(t, c, "alice", 0)
	id, _ := mkKey(t, c, "alice")
	h := newHook(t)
	h.status = 500
	cfg := writeConfig(t, "", "notify:\n  fallback: \"@ops\"\n  webhook: {url: \""+h.srv.URL+"/hook\"}\njobs:\n  curfew:\n    select: {users: [alice]}\n    do: [{deactivate: {}}]\n")
	r := kw(t, admin(t), "apply", "-c", cfg, "--yes")
	if r.code != 1 || !strings.Contains(r.stderr, "notify: webhook failed: webhook http://127.0.0.1:") ||
		!strings.Contains(r.stderr, "answered HTTP 500") || !strings.Contains(r.stderr, "the key changes above stand") {
		t.Fatalf("exit %d, want 1 naming the failed webhook\n%s", r.code, r.stderr)
	}
	if st := statusByCLI(t, "alice", id); st != "Inactive" {
		t.Fatalf("the key is %s: a failed notice must not undo the change", st)
	}
	if !strings.Contains(r.stdout, id+" alice deactivated") {
		t.Errorf("stdout %q", r.stdout)
	}
	r = kw(t, admin(t), "apply", "-c", cfg, "--yes", "--no-notify")
	if r.code != 0 || strings.Contains(r.stderr, "webhook") {
		t.Fatalf("--no-notify: exit %d\n%s", r.code, r.stderr)
	}
}

func userKeyIDs(t *testing.T, c *iam.Client, user string) []string {
	t.Helper()
	o, err := c.ListAccessKeys(context.Background(), &iam.ListAccessKeysInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, k := range o.AccessKeyMetadata {
		ids = append(ids, aws.ToString(k.AccessKeyId))
	}
	return ids
}

// IAM allows 50 tags a user (moto does not check): remembering a warning makes room the way
// every record does, by dropping a stale record of a deleted key, never someone else's tag.
func TestRememberingAWarningKeepsWithinFiftyTags(t *testing.T) {
	c := fresh(t)
	mkUser(t, c, "dave", 0)
	id, _ := mkKey(t, c, "dave")
	var tags []iamtypes.Tag
	for i := range 49 {
		tags = append(tags, iamtypes.Tag{Key: aws.String(fmt.Sprintf("team-%02d", i)), Value: aws.String("x")})
	}
	stale := keys.Record{Action: keys.ActionDeleted, Time: fixedNow, Origin: "job:hygiene"}
	tags = append(tags, iamtypes.Tag{Key: aws.String(keys.TagKey("AKIAGONEGONEGONEGONE")), Value: aws.String(stale.String())})
	if _, err := c.TagUser(context.Background(), &iam.TagUserInput{UserName: aws.String("dave"), Tags: tags}); err != nil {
		t.Fatal(err)
	}
	h := newHook(t)
	cfg := writeConfig(t, "", "notify:\n  fallback: \"@ops\"\n  webhook: {url: \""+h.srv.URL+"/hook\"}\njobs:\n  hygiene:\n    select: {users: [dave]}\n    do: [{deactivate: {older_than: 90d, warn: 100d}}]\n")
	r := kwAt(t, createdAt(t, c, "dave", id), admin(t), "apply", "-c", cfg, "--yes")
	if r.code != 0 || len(h.got()) != 1 {
		t.Fatalf("exit %d, %d notices\n%s", r.code, len(h.got()), r.stderr)
	}
	got := tagsByCLI(t, "dave")
	if len(got) > 50 || got[keys.WarnedTag] != id+"=hygiene/deactivate" || got["team-48"] != "x" {
		t.Fatalf("%d tags (IAM allows 50), warned %q, team-48 %q", len(got), got[keys.WarnedTag], got["team-48"])
	}
	if _, ok := got[keys.TagKey("AKIAGONEGONEGONEGONE")]; ok {
		t.Error("the stale record of a deleted key was kept and another tag would have been refused")
	}
}

// The warnings are remembered after the run's changes, which wrote records of their own: the
// 50-tag limit is judged on the tags as they are then, not as the plan read them.
func TestRememberingAWarningCountsTheRecordsTheRunWrote(t *testing.T) {
	c := fresh(t)
	mkUser(t, c, "dave", 0)
	id, _ := mkKey(t, c, "dave")
	var tags []iamtypes.Tag
	for i := range 48 {
		tags = append(tags, iamtypes.Tag{Key: aws.String(fmt.Sprintf("team-%02d", i)), Value: aws.String("x")})
	}
	stale := keys.Record{Action: keys.ActionDeleted, Time: fixedNow, Origin: "job:hygiene"}
	tags = append(tags, iamtypes.Tag{Key: aws.String(keys.TagKey("AKIAGONEGONEGONEGONE")), Value: aws.String(stale.String())})
	if _, err := c.TagUser(context.Background(), &iam.TagUserInput{UserName: aws.String("dave"), Tags: tags}); err != nil {
		t.Fatal(err)
	}
	h := newHook(t)
	// Job now deactivates the key (one more record: 50 tags); job later warns of it (51).
	cfg := writeConfig(t, "", "notify:\n  fallback: \"@ops\"\n  webhook: {url: \""+h.srv.URL+"/hook\"}\njobs:\n  now:\n    select: {users: [dave]}\n    do: [{deactivate: {older_than: 1d}}]\n  later:\n    select: {users: [dave]}\n    do: [{deactivate: {older_than: 90d, warn: 100d}}]\n")
	r := kwAt(t, createdAt(t, c, "dave", id).Add(48*time.Hour), admin(t), "apply", "-c", cfg, "--yes")
	if r.code != 0 || len(h.got()) != 1 {
		t.Fatalf("exit %d, %d notices\n%s", r.code, len(h.got()), r.stderr)
	}
	got := tagsByCLI(t, "dave")
	if len(got) > 50 || !strings.HasPrefix(got[keys.TagKey(id)], "deactivated ") || got[keys.WarnedTag] != id+"=later/deactivate" {
		t.Fatalf("%d tags (IAM allows 50): record %q, warned %q", len(got), got[keys.TagKey(id)], got[keys.WarnedTag])
	}
	if _, ok := got[keys.TagKey("AKIAGONEGONEGONEGONE")]; ok {
		t.Error("the stale record of a deleted key was kept and the warned tag would have been refused")
	}
}

// notify.webhook.url by reference: the URL is kept in an SSM SecureString or a Secrets Manager
// secret (put there with the AWS CLI) and read when there is something to send; a reference
// to nothing fails the notice, naming the reference, never a URL, and the change stands.
func TestWebhookURLByReference(t *testing.T) {
	c := fresh(t)
	h := newHook(t)
	// The AWS CLI (v1) would fetch an http:// argument as its value: hand it a file instead.
	asFile := func(v string) string {
		p := filepath.Join(t.TempDir(), "v")
		if err := os.WriteFile(p, []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
		return "file://" + p
	}
	awsCLI(t, "ssm", "put-parameter", "--name", "/keywarden/hook", "--type", "SecureString", "--value", asFile(h.srv.URL+"/services/T0/B0/SECRETPATH"))
	awsCLI(t, "secretsmanager", "create-secret", "--name", "keywarden/hook", "--secret-string", asFile(h.srv.URL+"/services/T0/B1/SECRETPATH"))
	for i, ref := range []string{"ssm:/keywarden/hook", "secretsmanager:keywarden/hook"} {
		user := []string{"alice", "bob"}[i]
		mkUser(t, c, user, 0)
		id, _ := mkKey(t, c, user)
		cfg := writeConfig(t, "", "notify:\n  fallback: \"@ops\"\n  webhook: {url: \""+ref+"\"}\njobs:\n  curfew:\n    select: {users: ["+user+"]}\n    do: [{deactivate: {}}]\n")
		r := kw(t, admin(t), "apply", "-c", cfg, "--yes")
		if r.code != 0 || len(h.got()) != i+1 || !strings.Contains(h.got()[i], id) {
			t.Fatalf("%s: exit %d, hook got %q\n%s", ref, r.code, h.got(), r.stderr)
		}
		if strings.Contains(r.stderr, "SECRETPATH") {
			t.Errorf("%s: stderr shows the URL:\n%s", ref, r.stderr)
		}
	}
	mkUser(t, c, "carol", 0)
	id, _ := mkKey(t, c, "carol")
	cfg := writeConfig(t, "", "notify:\n  fallback: \"@ops\"\n  webhook: {url: \"ssm:/keywarden/none\"}\njobs:\n  curfew:\n    select: {users: [carol]}\n    do: [{deactivate: {}}]\n")
	r := kw(t, admin(t), "apply", "-c", cfg, "--yes")
	if r.code != 1 || !strings.Contains(r.stderr, "read the webhook URL from ssm:/keywarden/none") {
		t.Fatalf("a reference to nothing: exit %d, want 1 naming it\n%s", r.code, r.stderr)
	}
	if st := statusByCLI(t, "carol", id); st != "Inactive" {
		t.Fatalf("carol's key is %s: a failed notice must not undo the change", st)
	}
}
