package cli

import (
	"encoding/json"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionFrom(t *testing.T) {
	vcs := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-11-30T10:00:00Z"},
	}}
	cases := []struct {
		name                   string
		version, commit, built string
		bi                     *debug.BuildInfo
		want                   versionInfo
	}{
		{"stamped by goreleaser", "0.4.0", "abc1234", "2026-12-01T09:00:00Z", vcs,
			versionInfo{Version: "0.4.0", Commit: "abc1234", Built: "2026-12-01T09:00:00Z"}},
		{"stamped from a v-tag", "v0.4.0-3-gabc1234", "abc1234", "", nil,
			versionInfo{Version: "0.4.0-3-gabc1234", Commit: "abc1234", Built: "unknown"}},
		{"a checkout build: the toolchain's vcs stamp", "dev", "", "", vcs,
			versionInfo{Version: "dev", Commit: "0123456789abcdef0123456789abcdef01234567", Built: "2026-11-30T10:00:00Z"}},
		{"go install at a tag", "dev", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.4.0"}},
			versionInfo{Version: "0.4.0", Commit: "unknown", Built: "unknown"}},
		{"nothing known", "dev", "", "", nil, versionInfo{Version: "dev", Commit: "unknown", Built: "unknown"}},
		{"a version named v-something is not a tag", "vnext", "", "", nil, versionInfo{Version: "vnext", Commit: "unknown", Built: "unknown"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := versionFrom(c.version, c.commit, c.built, c.bi)
			c.want.Go, c.want.OS, c.want.Arch = runtime.Version(), runtime.GOOS, runtime.GOARCH
			if got != c.want {
				t.Fatalf("got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestVersionLine(t *testing.T) {
	v := versionInfo{Version: "0.4.0", Commit: "0123456789abcdef0123", Built: "2026-12-01T09:00:00Z", Go: "go1.26.8"}
	if got, want := versionLine(v), "keywarden 0.4.0 (commit 0123456789ab, built 2026-12-01T09:00:00Z, go1.26.8)"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestVersionCommand(t *testing.T) {
	code, out, errOut := runRoot(t, "version")
	if code != 0 || !strings.HasPrefix(out, "keywarden ") || !strings.Contains(out, ", built ") || errOut != "" {
		t.Fatalf("version: code %d, out %q, err %q", code, out, errOut)
	}
	code, out, _ = runRoot(t, "version", "-o", "json")
	var v versionInfo
	if err := json.Unmarshal([]byte(out), &v); code != 0 || err != nil || v.Go != runtime.Version() || v.Version == "" || v.Built == "" {
		t.Fatalf("version -o json: code %d, %v, %q", code, err, out)
	}
	code, _, errOut = runRoot(t, "version", "-o", "csv")
	if code != 2 || !strings.HasPrefix(errOut, "keywarden: ") || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("version -o csv: code %d, err %q", code, errOut)
	}
}
