package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/keywarden/keywarden/internal/awsapi/secretsmanager"

	"github.com/keywarden/keywarden/internal/accounts"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/jobs"
	"github.com/keywarden/keywarden/internal/svcrotate"
)

// RotationEvent is what Secrets Manager sends a secret's rotation function, once per step.
// RotationToken (sent for cross-account rotation) is accepted and not needed.
type RotationEvent struct {
	Step               string
	SecretID           string `json:"SecretId"`
	ClientRequestToken string
	RotationToken      string `json:",omitempty"`
}

// parseRotationEvent tells a Secrets Manager rotation event from a job event by its Step field.
func parseRotationEvent(payload []byte) (RotationEvent, bool, error) {
	var probe map[string]json.RawMessage
	if json.Unmarshal(bytes.TrimSpace(payload), &probe) != nil || probe["Step"] == nil {
		return RotationEvent{}, false, nil
	}
	var ev RotationEvent
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	const want = `want {"Step": "createSecret", "SecretId": "…", "ClientRequestToken": "…"} as Secrets Manager sends it`
	if err := dec.Decode(&ev); err != nil {
		return ev, true, fmt.Errorf("bad rotation event: %s; %s", jsonProblem(err), want)
	}
	if ev.SecretID == "" || ev.ClientRequestToken == "" {
		return ev, true, fmt.Errorf("bad rotation event: no SecretId or ClientRequestToken; %s", want)
	}
	return ev, true, nil
}

// rotateSecret answers one step of a Secrets Manager rotation through svcrotate.SecretStep.
// It needs no keywarden.yaml: the secret names its user.
func (h *Handler) rotateSecret(ctx context.Context, r Result, ev RotationEvent, log *slog.Logger) (Result, error) {
	r.Mode, r.Step, r.Secret = "secretsmanager-rotation", ev.Step, ev.SecretID
	s, err := jobs.Open(ctx, accounts.Caller(h.AWS))
	if err != nil {
		return r, err
	}
	res, err := svcrotate.SecretStep{
		IAM: s.IAM, SM: secretsmanager.NewFromConfig(h.AWS), Connect: svcrotate.ConnectWith(h.AWS),
		Step: ev.Step, SecretID: ev.SecretID, Token: ev.ClientRequestToken, SelfKeyID: s.SelfKeyID,
		Wait: engine.WaitOptions{Wait: 2 * time.Minute, Sleep: h.Sleep}, Now: h.Now,
		Progress: func(msg string) { log.Info("rotation", "secret", ev.SecretID, "step", ev.Step, "msg", msg) },
	}.Run(ctx)
	r.Rotation = &res
	if err != nil {
		return r, fmt.Errorf("%s of %s: %w", ev.Step, ev.SecretID, err)
	}
	return r, nil
}
