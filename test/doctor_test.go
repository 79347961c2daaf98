package test

import (
	"strings"
	"testing"

	"github.com/keywarden/keywarden/test/emu"
)

// doctor names the missing permission in the account that lacks it, says ready for the
// others, and exits 1.
func TestDoctorNamesMissingPermissionInItsAccount(t *testing.T) {
	fresh(t)
	g := mkOrg(t, admin(t), 2)
	mkOrgUsers(t, g)
	w := witness(t)
	p := moto(t).Proxy(t)
	r := kw(t, p.Config(w[0], w[1]), "doctor", "--org")
	if r.code != 0 || strings.Count(r.stdout, " ready\n") != 3 {
		t.Fatalf("doctor on a healthy org: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// A role that cannot be assumed is said as such.
	lacking := g.members[1]
	p.FailWhen(assumeIn(lacking), emu.Denied)
	r = kw(t, p.Config(w[0], w[1]), "doctor", "--org")
	want := lacking + " not ready: assume arn:aws:iam::" + lacking + ":role/KeywardenMember (sts:AssumeRole): access denied"
	if r.code != 1 || !strings.Contains(r.stdout, want) || strings.Count(r.stdout, " ready\n") != 2 {
		t.Errorf("doctor with %s's role not assumable: exit %d\n%s%s", lacking, r.code, r.stdout, r.stderr)
	}
	// A role whose policy lacks a read: calls signed with anything but the admin's key are a
	// member role's session, and only one member is checked.
	p.ClearFaults()
	p.FailWhen(func(c emu.Call) bool { return c.Action == "ListUserTags" && c.AccessKeyID != w[0] }, emu.Denied)
	r = kw(t, p.Config(w[0], w[1]), "doctor", "--accounts", g.mgmt+","+lacking)
	want = lacking + " not ready: iam:ListUserTags is denied; add it to the member role's policy"
	if r.code != 1 || !strings.Contains(r.stdout, want) || !strings.Contains(r.stdout, g.mgmt+" ready") {
		t.Errorf("doctor with ListUserTags denied in %s: exit %d\n%s%s", lacking, r.code, r.stdout, r.stderr)
	}
}
