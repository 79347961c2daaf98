package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keywarden/keywarden/internal/credfile"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/keys"
)

// The checker reads everything itself, straight from moto (never through the proxy, never
// through keywarden's code paths): the destinations with the SDK, IAM as the admin, and whether
// a key works by signing STS with it (moto checks signatures) and reading its status (moto lets
// an inactive key sign, IAM does not).

// readDest returns dest's current value: AWSCURRENT, the parameter, the profile's key.
func (b *svcBench) readDest(ctx context.Context, dest string) (cred, error) {
	kind, name, _ := strings.Cut(dest, ":")
	var raw string
	switch kind {
	case "secretsmanager":
		o, err := secretsmanager.NewFromConfig(b.adm).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name), VersionStage: aws.String("AWSCURRENT")})
		if err != nil {
			return cred{}, err
		}
		raw = aws.ToString(o.SecretString)
	case "ssm":
		o, err := ssm.NewFromConfig(b.adm).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
		if err != nil {
			return cred{}, err
		}
		raw = aws.ToString(o.Parameter.Value)
	default:
		prof, file, _ := strings.Cut(name, "@")
		f, err := credfile.Load(file)
		if err != nil {
			return cred{}, err
		}
		p, ok := f.Profile(prof)
		if !ok {
			return cred{}, fmt.Errorf("%s: no profile %s", file, prof)
		}
		return cred{1, p.AccessKeyID, p.SecretAccessKey}, nil
	}
	var c cred
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return cred{}, fmt.Errorf("%s holds no credential JSON: %w", dest, err)
	}
	return c, nil
}

// works says whether c signs as user and is active; why says what is wrong when not.
func (b *svcBench) works(ctx context.Context, user string, c cred) (ok bool, why string) {
	o, err := sts.NewFromConfig(b.s.Config(c.AccessKeyId, c.SecretAccessKey)).GetCallerIdentity(ctx, nil)
	if err != nil {
		return false, fmt.Sprintf("%s: sts: %v", c.AccessKeyId, err)
	}
	if !strings.HasSuffix(aws.ToString(o.Arn), ":user/"+user) {
		return false, fmt.Sprintf("%s signs as %s", c.AccessKeyId, aws.ToString(o.Arn))
	}
	st, err := b.keys(ctx, user)
	if err != nil {
		return false, fmt.Sprintf("list keys: %v", err)
	}
	if st[c.AccessKeyId] != keys.Active {
		return false, fmt.Sprintf("%s is %q in IAM", c.AccessKeyId, st[c.AccessKeyId])
	}
	return true, ""
}

// keys returns the user's key ids and statuses.
func (b *svcBench) keys(ctx context.Context, user string) (map[string]string, error) {
	ks, err := inventory.ListKeys(ctx, iam.NewFromConfig(b.adm), user)
	out := map[string]string{}
	for _, k := range ks {
		out[k.AccessKeyID] = k.Status
	}
	return out, err
}

// failures are one trial's broken invariants, each with what was seen.
type failures map[string][]string

func (f failures) add(inv, format string, a ...any) {
	f[inv] = append(f[inv], fmt.Sprintf(format, a...))
}

const (
	invWorks      = "dest not working"
	invTwo        = "> 2 keys"
	invOrphan     = "key in no dest"
	invPending    = "pending left"
	invDishonest  = "dishonest exit"
	invUnconverge = "unconverged"
	invBadRead    = "bad reads"
)

var invariants = []string{invWorks, invTwo, invOrphan, invPending, invDishonest, invUnconverge, invBadRead}

// snapshot is what the destinations hold and the keys IAM has, read at one moment.
type snapshot struct {
	dest map[string]cred
	keys map[string]string
	tags map[string]string
}

func (t *trial) snapshot(ctx context.Context) snapshot {
	s := snapshot{dest: map[string]cred{}}
	for _, d := range t.dests {
		c, err := t.b.readDest(ctx, d)
		must(err)
		s.dest[d] = c
	}
	var err error
	s.keys, err = t.b.keys(ctx, t.user)
	must(err)
	s.tags, err = inventory.ListTags(ctx, iam.NewFromConfig(t.b.adm), t.user)
	must(err)
	return s
}

// always checks what must hold at any moment: every destination's current value works, and
// the user has at most two keys.
func (t *trial) always(ctx context.Context, f failures, when string) snapshot {
	s := t.snapshot(ctx)
	for d, c := range s.dest {
		if ok, why := t.b.works(ctx, t.user, c); !ok {
			f.add(invWorks, "%s: %s holds a key that does not work: %s", when, d, why)
		}
	}
	if len(s.keys) > 2 {
		f.add(invTwo, "%s: %d keys %v", when, len(s.keys), s.keys)
	}
	return s
}

// honest checks a run that exited 0: every destination holds one new key that works, the one
// the run reported.
func (t *trial) honest(ctx context.Context, f failures, r run, s snapshot, when string) {
	if r.code != 0 {
		return
	}
	var held string
	for d, c := range s.dest {
		switch {
		case c.AccessKeyId == t.old.AccessKeyId:
			f.add(invDishonest, "%s: exit 0 but %s still holds the old key %s", when, d, c.AccessKeyId)
		case held != "" && c.AccessKeyId != held:
			f.add(invDishonest, "%s: exit 0 but the destinations hold %s and %s", when, held, c.AccessKeyId)
		}
		held = c.AccessKeyId
		if ok, why := t.b.works(ctx, t.user, c); !ok {
			f.add(invDishonest, "%s: exit 0 but %s holds a key that does not work: %s", when, d, why)
		}
	}
	for _, o := range r.out {
		if o.NewKeyID != "" && o.NewKeyID != held {
			f.add(invDishonest, "%s: exit 0 reporting %s, but the destinations hold %s", when, o.NewKeyID, held)
		}
	}
}

// converged says whether the rotation is over: no rotation record, exactly one active key, not
// the old one, held by every destination.
func (t *trial) converged(s snapshot) bool {
	if _, ok := s.tags[keys.RotationTag]; ok {
		return false
	}
	active := ""
	for id, st := range s.keys {
		if st == keys.Active {
			if active != "" {
				return false
			}
			active = id
		}
	}
	if active == "" || active == t.old.AccessKeyId {
		return false
	}
	for _, c := range s.dest {
		if c.AccessKeyId != active {
			return false
		}
	}
	return true
}

// final checks the converged state: every active key is the one every destination holds (the
// old key is left inactive by --grace 0, as designed), and no record is left pending.
func (t *trial) final(f failures, s snapshot) {
	for id, st := range s.keys {
		if st != keys.Active {
			continue
		}
		for d, c := range s.dest {
			if c.AccessKeyId != id {
				f.add(invOrphan, "the active key %s is not in %s (which holds %s)", id, d, c.AccessKeyId)
			}
		}
	}
	if v, ok := s.tags[keys.RotationTag]; ok {
		f.add(invPending, "the rotation record is left: %s", v)
	}
	u := keys.User{Tags: s.tags}
	for k := range s.tags {
		if id, ok := keys.KeyIDFromTag(k); ok {
			if rec, ok := u.Provenance(id); ok && rec.State == keys.Pending {
				f.add(invPending, "the record of %s is pending: %s", id, s.tags[k])
			}
		}
	}
}
