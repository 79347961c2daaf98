package test

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/keywarden/keywarden/tools/image/oci"
)

// testImage builds the image as the release does (tools/image), opens the layout with
// go-containerregistry as a registry client would, checks both platforms' config and files,
// and runs the binary taken out of this platform's layers against moto.
func testImage(t *testing.T, bin string) {
	c := fresh(t)
	dir := filepath.Join(t.TempDir(), "oci")
	created := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	opts := oci.Options{
		Binaries: map[string]string{"linux/" + runtime.GOARCH: bin, "linux/" + otherArch(): tinyFor(t, otherArch())},
		Version:  releaseVersion, Revision: "0123456789abcdef", Created: created, Source: "https://github.com/keywarden/keywarden",
	}
	digest, err := oci.Build(dir, opts)
	if err != nil {
		t.Fatal(err)
	}

	lp, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	top, err := lp.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	tm, err := top.IndexManifest()
	if err != nil || len(tm.Manifests) != 1 || tm.Manifests[0].Digest != digest ||
		tm.Manifests[0].Annotations["org.opencontainers.image.ref.name"] != releaseVersion {
		t.Fatalf("index.json: %v %+v, want one index %s tagged %s", err, tm, digest, releaseVersion)
	}
	idx, err := top.ImageIndex(digest)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var platforms []string
	for _, m := range im.Manifests {
		if m.Platform == nil {
			t.Fatalf("manifest %s has no platform", m.Digest)
		}
		p := m.Platform.OS + "/" + m.Platform.Architecture
		platforms = append(platforms, p)
		img, err := idx.Image(m.Digest)
		if err != nil {
			t.Fatal(err)
		}
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if cf.OS+"/"+cf.Architecture != p || cf.Config.User != "65532:65532" ||
			!slices.Equal(cf.Config.Entrypoint, []string{oci.BinaryPath}) || !cf.Created.Time.Equal(created) {
			t.Errorf("%s config: os/arch %s/%s, user %q, entrypoint %q, created %s", p, cf.OS, cf.Architecture, cf.Config.User, cf.Config.Entrypoint, cf.Created)
		}
		for k, v := range map[string]string{
			"org.opencontainers.image.version":  releaseVersion,
			"org.opencontainers.image.revision": "0123456789abcdef",
			"org.opencontainers.image.created":  "2026-12-01T09:00:00Z",
			"org.opencontainers.image.title":    "keywarden",
			"org.opencontainers.image.source":   "https://github.com/keywarden/keywarden",
		} {
			if cf.Config.Labels[k] != v {
				t.Errorf("%s label %s = %q, want %q", p, k, cf.Config.Labels[k], v)
			}
		}
		files := imageFiles(t, img)
		arch := m.Platform.Architecture
		ef, err := elf.NewFile(bytes.NewReader(files[strings.TrimPrefix(oci.BinaryPath, "/")].data))
		if err != nil || ef.Machine != elfMachineOf(arch) {
			t.Fatalf("%s: %s is not a linux/%s binary: %v", p, oci.BinaryPath, arch, err)
		}
		if h := files[strings.TrimPrefix(oci.BinaryPath, "/")].hdr; h == nil || h.Mode&0o111 == 0 {
			t.Errorf("%s: the binary is not executable: %o", p, h.Mode)
		}
		if !bytes.Contains(files["etc/ssl/certs/ca-certificates.crt"].data, []byte("BEGIN CERTIFICATE")) {
			t.Errorf("%s: no CA certificates", p)
		}
		if !bytes.HasPrefix(files["usr/share/zoneinfo/Asia/Tokyo"].data, []byte("TZif")) {
			t.Errorf("%s: no tzdata for Asia/Tokyo", p)
		}
		if !bytes.Contains(files["etc/passwd"].data, []byte("nonroot:x:65532:65532:")) || files["home/nonroot"].hdr == nil || files["home/nonroot"].hdr.Uid != 65532 {
			t.Errorf("%s: no nonroot user owning its home", p)
		}
		if arch != runtime.GOARCH {
			continue
		}
		// This platform's binary, as the image holds it, run as a user would run the image.
		extracted := filepath.Join(t.TempDir(), "keywarden")
		os.WriteFile(extracted, files[strings.TrimPrefix(oci.BinaryPath, "/")].data, 0o755)
		env := append(witnessEnv(t), "SSL_CERT_FILE="+writeTemp(t, files["etc/ssl/certs/ca-certificates.crt"].data))
		out := runExtracted(t, extracted, env, "version")
		if !strings.HasPrefix(out, "keywarden "+releaseVersion+" (") {
			t.Errorf("version from the image: %q", out)
		}
		keys := mkUser(t, c, "image-user", 1)
		out = runExtracted(t, extracted, env, "audit", "--source", "api", "--output", "csv")
		if !strings.Contains(out, "image-user,"+keys[0]+",Active") {
			t.Errorf("audit from the image's binary does not list image-user's key %s:\n%s", keys[0], out)
		}
	}
	slices.Sort(platforms)
	if want := []string{"linux/amd64", "linux/arm64"}; !slices.Equal(platforms, want) {
		t.Fatalf("platforms %v, want %v", platforms, want)
	}
}

type imageFile struct {
	hdr  *tar.Header
	data []byte
}

// imageFiles is the image's file system as a container runtime would flatten its layers.
func imageFiles(t *testing.T, img v1.Image) map[string]imageFile {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	files := map[string]imageFile{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		files[strings.TrimSuffix(strings.TrimPrefix(h.Name, "./"), "/")] = imageFile{hdr: h, data: b}
	}
}

func writeTemp(t *testing.T, b []byte) string {
	p := filepath.Join(t.TempDir(), "f")
	os.WriteFile(p, b, 0o600)
	return p
}

func runExtracted(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("keywarden %s from the image: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
