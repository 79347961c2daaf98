package lambda

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/accounts"
	"github.com/keywarden/keywarden/internal/incident"
	"github.com/keywarden/keywarden/internal/jobs"
	"github.com/keywarden/keywarden/internal/notify"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/trail"
)

// respond answers an AWS event about a leaked key with keywarden respond's response, for each
// key it names, in the account it names. Nothing changes unless keywarden.yaml's incident:
// block answers this kind of event.
func (h *Handler) respond(ctx context.Context, r Result, src *Source, tr Trigger, arrived time.Time, log *slog.Logger) (Result, error) {
	r.Trigger = &tr
	var cfg *policy.Config
	if src.Seed == nil {
		cfg = src.Config
	}
	switch {
	case cfg == nil || cfg.Incident == nil:
		return r, fmt.Errorf("a %s event arrived but keywarden.yaml has no incident: block; add incident: {%s: true} to answer it", tr.Kind, tr.Kind)
	case tr.Kind == "health" && !cfg.Incident.Health, tr.Kind == "guardduty" && !cfg.Incident.GuardDuty:
		return r, fmt.Errorf("a %s event arrived but incident.%s is off in keywarden.yaml: nothing done", tr.Kind, tr.Kind)
	case tr.Ignore != "":
		log.Info("incident ignored", "trigger", tr.Kind, "account", tr.Account, "user", tr.User, "why", tr.Ignore)
		return r, nil
	}
	d := incident.Deps{Config: cfg, Rotate: h.rotateOptions(log), Account: tr.Account}
	sess, err := h.open(ctx, cfg, tr.Account)
	if err != nil {
		return r, err
	}
	d.Session = sess
	// What the key did, from CloudTrail over the week before the event: the owner's notice
	// names the calls an attacker made, as respond's does.
	now := h.Now()
	d.Activity = incident.Trail{
		Source: trail.NewSource(sess.Config, nil, sess.IAM),
		Since:  now.Add(-incident.DefaultSince), Until: now,
		IAM: incident.LastUsed{IAM: sess.IAM},
	}
	if cfg.Notify != nil {
		d.Sender = h.Sender
		if d.Sender == nil {
			d.Sender = notify.New(h.AWS, cfg.Notify, h.Sleep)
		}
	}
	reason := tr.Reason
	if p := cfg.Incident.ReasonPrefix; p != "" {
		reason = p + " " + reason
	}
	var bad []error
	for _, id := range tr.KeyIDs {
		rep, err := incident.Respond(ctx, d, incident.Request{KeyID: id, Reason: reason, Quarantine: cfg.Incident.Quarantine, Now: h.Now})
		r.Responses = append(r.Responses, rep)
		attrs := []any{"trigger", tr.Kind, "access_key_id", id, "user", rep.User, "account", tr.Account, "reason", reason}
		for _, s := range rep.Steps {
			attrs = append(attrs, s.Step, s.Outcome)
			if s.Step == "deactivate" && !s.At.IsZero() {
				attrs = append(attrs, "deactivated_after_ms", s.At.Sub(arrived).Milliseconds())
			}
		}
		switch {
		case err != nil:
			r.Failed++
			bad = append(bad, fmt.Errorf("respond to %s: %w", id, err))
			log.Error("incident", append(attrs, "error", err.Error())...)
		case rep.Failed():
			r.Failed++
			bad = append(bad, fmt.Errorf("respond to %s of %s: %s", id, rep.User, failedSteps(rep)))
			log.Error("incident", attrs...)
		default:
			r.Changed++
			log.Info("incident", attrs...)
		}
	}
	return r, errors.Join(bad...)
}

// open is the session in the event's account: the function's own, or with an accounts:
// block the member account through its role, which must be one the config covers.
func (h *Handler) open(ctx context.Context, cfg *policy.Config, account string) (jobs.Session, error) {
	if cfg.Accounts == nil {
		return jobs.Open(ctx, accounts.Caller(h.AWS))
	}
	accts, err := accounts.For(ctx, h.AWS, cfg.Accounts)
	if err != nil {
		return jobs.Session{}, fmt.Errorf("incident in account %s: %w", account, err)
	}
	for _, a := range accts {
		if a.ID == account {
			s, err := jobs.Open(ctx, a)
			if err != nil {
				return jobs.Session{}, fmt.Errorf("open account %s: %w", account, err)
			}
			return s, nil
		}
	}
	return jobs.Session{}, fmt.Errorf("incident in account %s, which keywarden.yaml's accounts: does not cover: nothing done; add it to accounts: to answer its events", account)
}

func failedSteps(rep incident.Report) string {
	var out []string
	for _, s := range rep.Steps {
		if s.Outcome == incident.Failed {
			out = append(out, s.Step+": "+s.Detail)
		}
	}
	return strings.Join(out, "; ")
}
