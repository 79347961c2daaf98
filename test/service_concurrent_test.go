package test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/keys"
	"github.com/keywarden/keywarden/test/emu"
)

// Two rotations of one user at once, the one that wins CreateAccessKey killed after staging
// its key: the one that lost (LimitExceeded) must not remove the winner's record, or the user
// is stranded with two active keys, the new one only in AWSPENDING, and every rerun refused.
func TestServiceRotateLoserLeavesTheWinnersRecord(t *testing.T) {
	_, oldID, oldSecret := svcSetup(t)
	old, _ := json.Marshal(credJSON{1, oldID, oldSecret})
	awsCLI(t, "secretsmanager", "create-secret", "--name", "ci/svc", "--secret-string", string(old))
	to := []string{"--to", "secretsmanager:ci/svc"}
	w := witness(t)
	p := moto(t).Proxy(t)
	held, release := p.HoldNext(t, "CreateAccessKey")
	loser := make(chan result, 1)
	go func() {
		loser <- runBinary(t, p.Env(w[0], w[1]), append([]string{"rotate", "--user", svcUser, "--grace", "0", "--output", "json"}, to...)...)
	}()
	<-held // the loser has written its record and is about to create
	// Aged, as after the loser's time: the winner takes it for an interrupted rotation's.
	ageRecord(t)

	r := svcBin(t, []string{"KEYWARDEN_FAILPOINT=after-stage"}, to...)
	if r.code != 97 {
		t.Fatalf("winner: exit %d, want the failpoint's 97\n%s", r.code, r.stderr)
	}
	record := tagsByCLI(t, svcUser)[keys.RotationTag]
	if record == "" {
		t.Fatal("the winner left no record")
	}
	release()
	l := <-loser
	if l.code == 0 {
		t.Fatalf("the loser claims a rotation:\n%s", l.stderr)
	}
	if got := tagsByCLI(t, svcUser)[keys.RotationTag]; got != record {
		t.Fatalf("the loser changed the winner's record %q to %q\n%s", record, got, l.stderr)
	}

	r = svcBin(t, nil, to...)
	if r.code != 0 {
		t.Fatalf("rerun: exit %d\n%s", r.code, r.stderr)
	}
	sec := secretByCLI(t, "ci/svc", "AWSCURRENT")
	signsAsUser(t, sec)
	k := userKeys(t, svcUser)
	if len(k) != 2 || k[oldID] != "Inactive" || k[sec.AccessKeyId] != "Active" {
		t.Fatalf("keys %v: want the delivered key active and the old one inactive", k)
	}
	if v := tagsByCLI(t, svcUser)[keys.RotationTag]; v != "" {
		t.Fatalf("rotation state left: %s", v)
	}
	if n := p.Count("CreateAccessKey"); n != 1 {
		t.Fatalf("the loser tried CreateAccessKey %d times", n)
	}
}

// A run killed after its UpdateAccessKey landed but before the record of it was settled: the
// rerun finds the old key inactive and must settle that record, or activate skips the key as
// unsettled and the delete rule never counts it.
func TestServiceRotateResumeSettlesTheRetiredKeysRecord(t *testing.T) {
	_, oldID, _ := svcSetup(t)
	w := witness(t)
	p := moto(t).Proxy(t)
	held, _ := p.HoldWhen(t, func(c emu.Call) bool {
		return c.Action == "TagUser" && c.Params.Get("Tags.member.1.Key") == keys.TagKey(oldID) &&
			!strings.HasPrefix(c.Params.Get("Tags.member.1.Value"), "pending:")
	})
	cmd := exec.Command(emu.Binary(t), "rotate", "--user", svcUser, "--grace", "0", "--to", "ssm:/ci/svc")
	cmd.Env = p.Env(w[0], w[1])
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	<-held // deactivated, its record still pending
	cmd.Process.Kill()
	cmd.Wait()
	if st := statusByCLI(t, svcUser, oldID); st != "Inactive" {
		t.Fatalf("old key %s after the kill", st)
	}
	if v := tagsByCLI(t, svcUser)[keys.TagKey(oldID)]; !strings.HasPrefix(v, "pending:deactivated") {
		t.Fatalf("record %q, want the pending intent the kill left", v)
	}

	r := svcBin(t, nil, "--to", "ssm:/ci/svc")
	if r.code != 0 {
		t.Fatalf("rerun: exit %d\n%s", r.code, r.stderr)
	}
	tags := tagsByCLI(t, svcUser)
	if v := tags[keys.TagKey(oldID)]; !strings.HasPrefix(v, "deactivated ") {
		t.Fatalf("the old key's record is %q, want it settled as deactivated", v)
	}
	if v := tags[keys.RotationTag]; v != "" {
		t.Fatalf("rotation state left: %s", v)
	}
}

// A CI system reruns a job killed after its last write: the rotation is finished, and the
// refusal says so (which keys, when) instead of advising --make-room, which would rotate again.
func TestServiceRotateRerunOfAFinishedRotationNamesIt(t *testing.T) {
	_, oldID, _ := svcSetup(t)
	if r := svcKW(t, "--to", "ssm:/ci/svc", "--grace", "0"); r.code != 0 {
		t.Fatalf("first run: exit %d\n%s", r.code, r.stderr)
	}
	newID := paramByCLI(t, "/ci/svc").AccessKeyId
	r := svcKW(t, "--to", "ssm:/ci/svc", "--grace", "0")
	if r.code != 4 || strings.Contains(r.stderr, "make-room") || !containsAll(r.stderr, "finished", newID, oldID, fixedNow.Format(time.RFC3339)) {
		t.Fatalf("rerun: exit %d, want a refusal naming the finished rotation and its time\n%s", r.code, r.stderr)
	}
	if k := userKeys(t, svcUser); len(k) != 2 || k[oldID] != "Inactive" || k[newID] != "Active" {
		t.Fatalf("keys %v", k)
	}
}
