// Package release checks what `make release-snapshot` (or CI's one-target cut) left in dist/:
// the artefacts a person without Go installs from. It runs only when KEYWARDEN_RELEASE_DIST
// names that directory; KEYWARDEN_RELEASE_ALL=1 requires every platform.
package release

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

type artifact struct {
	Name   string `json:"name"`
	Path   string `json:"path"`
	Type   string `json:"type"`
	Goos   string `json:"goos"`
	Goarch string `json:"goarch"`
	Extra  struct {
		ID     string `json:"ID"`
		Format string `json:"Format"`
	} `json:"extra"`
}

func TestReleaseArtifacts(t *testing.T) {
	dist := os.Getenv("KEYWARDEN_RELEASE_DIST")
	if dist == "" {
		t.Skip("KEYWARDEN_RELEASE_DIST is not set; make release-snapshot sets it after building dist/")
	}
	all := os.Getenv("KEYWARDEN_RELEASE_ALL") == "1"
	var meta struct{ Version, Commit string }
	readJSON(t, filepath.Join(dist, "metadata.json"), &meta)
	committed = commitTime(t, meta.Commit)
	var arts []artifact
	readJSON(t, filepath.Join(dist, "artifacts.json"), &arts)
	have := func(typ, id, goos, goarch string) *artifact {
		for i, a := range arts {
			if a.Type == typ && (id == "" || a.Extra.ID == id) && a.Goos == goos && a.Goarch == goarch {
				return &arts[i]
			}
		}
		return nil
	}
	platforms := [][2]string{{"linux", "amd64"}}
	if all {
		platforms = [][2]string{{"linux", "amd64"}, {"linux", "arm64"}, {"darwin", "amd64"}, {"darwin", "arm64"}, {"windows", "amd64"}, {"windows", "arm64"}}
	}
	for _, p := range platforms {
		a := have("Archive", "keywarden", p[0], p[1])
		if a == nil {
			t.Errorf("no archive for %s/%s", p[0], p[1])
			continue
		}
		sbom := filepath.Join(dist, "keywarden_"+meta.Version+"_"+p[0]+"_"+p[1]+".cdx.json")
		checkSBOM(t, sbom)
		checkArchive(t, filepath.Join(dist, a.Name), p[0])
	}
	for _, p := range platforms {
		if p[0] != "linux" {
			continue
		}
		if a := have("Archive", "lambda", p[0], p[1]); a == nil {
			t.Errorf("no Lambda zip for %s", p[1])
		} else {
			checkLambdaZip(t, filepath.Join(dist, a.Name), p[1])
		}
		for _, format := range []string{"deb", "rpm", "apk"} {
			found := false
			for _, a := range arts {
				found = found || (a.Type == "Linux Package" && a.Goarch == p[1] && a.Extra.Format == format)
			}
			if !found {
				t.Errorf("no .%s for linux/%s", format, p[1])
			}
		}
		if deb := filepath.Join(dist, "keywarden_"+meta.Version+"_linux_"+p[1]+".deb"); p[1] == "amd64" {
			checkDeb(t, deb, meta.Version)
		}
		checkAPK(t, filepath.Join(dist, "keywarden_"+meta.Version+"_linux_"+p[1]+".apk"))
	}
	if all {
		path := filepath.Join(dist, "homebrew", "Formula", "keywarden.rb")
		formula, err := os.ReadFile(path)
		if err != nil || !bytes.Contains(formula, []byte(`bin.install "keywarden"`)) || !bytes.Contains(formula, []byte("sha256")) ||
			!bytes.Contains(formula, []byte(`man1.install`)) || !bytes.Contains(formula, []byte(`zsh_completion.install`)) {
			t.Errorf("Homebrew formula: %v\n%s", err, formula)
		}
		if _, err := exec.LookPath("ruby"); err == nil {
			if out, err := exec.Command("ruby", "-c", path).CombinedOutput(); err != nil {
				t.Errorf("ruby -c %s: %v\n%s", path, err, out)
			}
		}
	}
	checkChecksums(t, dist)
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// checkChecksums verifies checksums.txt in Go and, where installed, with sha256sum -c as a
// person would.
func checkChecksums(t *testing.T, dist string) {
	b, err := os.ReadFile(filepath.Join(dist, "checksums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for _, l := range lines {
		sum, name, ok := strings.Cut(l, "  ")
		if !ok {
			t.Fatalf("checksums.txt line %q", l)
		}
		f, err := os.ReadFile(filepath.Join(dist, name))
		got := sha256.Sum256(f)
		if err != nil || hex.EncodeToString(got[:]) != sum {
			t.Errorf("checksums.txt: %s does not match (%v)", name, err)
		}
	}
	if len(lines) < 2 {
		t.Errorf("checksums.txt lists %d files", len(lines))
	}
	if _, err := exec.LookPath("sha256sum"); err == nil {
		cmd := exec.Command("sha256sum", "-c", "checksums.txt")
		cmd.Dir = dist
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("sha256sum -c checksums.txt: %v\n%s", err, out)
		}
	}
}

func checkSBOM(t *testing.T, path string) {
	var bom struct {
		BOMFormat string `json:"bomFormat"`
		// Absent: a random serial or the time it was made would make every build's SBOM differ.
		SerialNumber string `json:"serialNumber"`
		Metadata     struct {
			Timestamp string `json:"timestamp"`
		} `json:"metadata"`
		Components []struct {
			Name, Version, Purl string
		} `json:"components"`
	}
	readJSON(t, path, &bom)
	var aws []string
	for _, c := range bom.Components {
		if strings.HasPrefix(c.Name, "github.com/aws/aws-sdk-go-v2") {
			aws = append(aws, c.Name+"@"+c.Version)
		}
	}
	if bom.BOMFormat != "CycloneDX" || !slices.ContainsFunc(aws, func(s string) bool { return strings.HasPrefix(s, "github.com/aws/aws-sdk-go-v2/service/iam@") }) {
		t.Errorf("%s: format %q, AWS SDK modules %v; want CycloneDX listing service/iam", filepath.Base(path), bom.BOMFormat, aws)
	}
	if bom.SerialNumber != "" || bom.Metadata.Timestamp != "" {
		t.Errorf("%s: serial %q, timestamp %q; want neither, so the same tag gives the same SBOM", filepath.Base(path), bom.SerialNumber, bom.Metadata.Timestamp)
	}
}

// checkArchive looks for the binary, README, completions and man pages, and runs the binary
// when it is this machine's.
func checkArchive(t *testing.T, path, goos string) {
	files := map[string][]byte{}
	if strings.HasSuffix(path, ".zip") {
		zr, err := zip.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			rc, _ := f.Open()
			files[f.Name], _ = io.ReadAll(rc)
			rc.Close()
			sameTime(t, path, f.Name, f.Modified)
		}
	} else {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		gz, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(gz)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			files[h.Name], _ = io.ReadAll(tr)
			sameTime(t, path, h.Name, h.ModTime)
		}
	}
	bin := "keywarden"
	if goos == "windows" {
		bin += ".exe"
	}
	for _, want := range []string{bin, "README.md", "docs/install.md", "completions/keywarden.bash", "completions/keywarden.zsh", "completions/keywarden.fish", "man/keywarden.1", "man/keywarden-deploy.1"} {
		if len(files[want]) == 0 {
			t.Errorf("%s lacks %s", filepath.Base(path), want)
		}
	}
	if goos != runtime.GOOS || !strings.Contains(path, "_"+runtime.GOARCH+".") {
		return
	}
	exe := filepath.Join(t.TempDir(), bin)
	os.WriteFile(exe, files[bin], 0o755)
	var meta struct{ Version string }
	readJSON(t, filepath.Join(filepath.Dir(path), "metadata.json"), &meta)
	out, err := exec.Command(exe, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "keywarden "+meta.Version+" (commit ") {
		t.Errorf("%s's keywarden version: %v %q, want the release's %s", filepath.Base(path), err, out, meta.Version)
	}
}

func checkLambdaZip(t *testing.T, path, arch string) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" {
		t.Fatalf("%s holds %d files, want bootstrap alone", filepath.Base(path), len(zr.File))
	}
	rc, _ := zr.File[0].Open()
	b, _ := io.ReadAll(rc)
	rc.Close()
	want := elf.EM_X86_64
	if arch == "arm64" {
		want = elf.EM_AARCH64
	}
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil || f.Machine != want {
		t.Errorf("%s: bootstrap is not a linux/%s binary: %v", filepath.Base(path), arch, err)
	}
}

// checkDeb lists the package as dpkg would install it, unpacks it into a throwaway root and
// runs the binary from there.
func checkDeb(t *testing.T, deb, version string) {
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		t.Log("dpkg-deb is not installed; the .deb is not opened")
		return
	}
	out, err := exec.Command("dpkg-deb", "-c", deb).CombinedOutput()
	if err != nil {
		t.Fatalf("dpkg-deb -c %s: %v\n%s", deb, err, out)
	}
	for _, want := range []string{"./usr/bin/keywarden", "./usr/share/bash-completion/completions/keywarden",
		"./usr/share/zsh/site-functions/_keywarden", "./usr/share/fish/vendor_completions.d/keywarden.fish", "./usr/share/man/man1/keywarden.1"} {
		if !bytes.Contains(out, []byte(want+"\n")) && !bytes.Contains(out, []byte(want+" ")) {
			t.Errorf("%s does not install %s:\n%s", filepath.Base(deb), want, out)
		}
	}
	tarball, err := exec.Command("dpkg-deb", "--fsys-tarfile", deb).Output()
	if err != nil {
		t.Fatalf("dpkg-deb --fsys-tarfile %s: %v", deb, err)
	}
	tr := tar.NewReader(bytes.NewReader(tarball))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		sameTime(t, deb, h.Name, h.ModTime)
	}
	if runtime.GOARCH != "amd64" {
		return
	}
	root := t.TempDir()
	if out, err := exec.Command("dpkg-deb", "-x", deb, root).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -x: %v\n%s", err, out)
	}
	out, err = exec.Command(filepath.Join(root, "usr/bin/keywarden"), "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "keywarden "+version+" (") {
		t.Errorf("the .deb's keywarden version: %v %q", err, out)
	}
}

// committed is the release commit's time, which every file of an archive or package carries.
var committed time.Time

func commitTime(t *testing.T, commit string) time.Time {
	t.Helper()
	out, err := exec.Command("git", "show", "-s", "--format=%ct", commit).Output()
	if err != nil {
		t.Fatalf("git show %s: %v", commit, err)
	}
	secs, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		t.Fatalf("commit time %q: %v", out, err)
	}
	return time.Unix(secs, 0)
}

// sameTime says when an entry carries another time than the commit's (or the epoch, which a
// package format may give its directories): the build's or the checkout's would make the same
// tag archive different bytes.
func sameTime(t *testing.T, archive, name string, at time.Time) {
	t.Helper()
	// A zip without an extended timestamp field keeps the time to 2 seconds.
	if d := at.Sub(committed).Abs(); d > 2*time.Second && at.Unix() != 0 {
		t.Errorf("%s: %s is dated %s, not the commit's %s", filepath.Base(archive), name, at.UTC().Format(time.RFC3339), committed.UTC().Format(time.RFC3339))
	}
}

// checkAPK lists the Alpine package (gzip streams of tar: signature, control, data) and looks
// for the files a person installs it for, dated as the commit.
func checkAPK(t *testing.T, apk string) {
	f, err := os.Open(apk)
	if err != nil {
		t.Errorf("no .apk: %v", err)
		return
	}
	defer f.Close()
	gz, err := gzip.NewReader(f) // multistream: the package's gzip members read as one
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", apk, err)
		}
		names[h.Name] = true
		if !strings.HasPrefix(h.Name, ".") {
			sameTime(t, apk, h.Name, h.ModTime)
		}
	}
	for _, want := range []string{"usr/bin/keywarden", "usr/share/bash-completion/completions/keywarden", "usr/share/man/man1/keywarden.1"} {
		if !names[want] {
			t.Errorf("%s does not install %s", filepath.Base(apk), want)
		}
	}
}
