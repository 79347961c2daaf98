// Package oci builds keywarden's container image as an OCI layout on disk, from local files
// only: no Docker daemon, no registry, no base image to pull. Each platform's image is two
// layers on an empty image: the root file system a static Go binary needs (a non-root user,
// CA certificates, tzdata, /tmp) and the binary. It is a separate program's package, so
// go-containerregistry never enters the keywarden binary.
package oci

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// UID is the user the image runs as: distroless's nonroot, so a switch to that base keeps
// file ownership and Kubernetes' runAsUser the same.
const UID = 65532

// BinaryPath is where the binary lives in the image, and the entrypoint.
const BinaryPath = "/usr/local/bin/keywarden"

// Options say what goes into the image.
type Options struct {
	// Binaries maps a platform ("linux/amd64") to a static keywarden built for it.
	Binaries map[string]string
	Version  string
	Revision string
	// Created stamps the config, the labels and every file; the commit's time makes the same
	// commit give the same digests.
	Created time.Time
	// CACerts is a PEM bundle (default /etc/ssl/certs/ca-certificates.crt); ZoneInfo is a
	// tzdata tree (default /usr/share/zoneinfo).
	CACerts, ZoneInfo string
	Source            string
}

// Build writes the multi-platform image into an OCI layout at dir (replaced if present) and
// returns the image index's digest. The index is tagged Version (org.opencontainers.image.ref.name),
// so `skopeo copy oci:DIR:VERSION docker://…` finds it.
func Build(dir string, o Options) (v1.Hash, error) {
	if len(o.Binaries) == 0 {
		return v1.Hash{}, errors.New("no binaries: pass -binary linux/amd64=PATH (and linux/arm64=PATH)")
	}
	if o.CACerts == "" {
		o.CACerts = "/etc/ssl/certs/ca-certificates.crt"
	}
	if o.ZoneInfo == "" {
		o.ZoneInfo = "/usr/share/zoneinfo"
	}
	rootfs, err := rootLayer(o)
	if err != nil {
		return v1.Hash{}, err
	}
	platforms := make([]string, 0, len(o.Binaries))
	for p := range o.Binaries {
		platforms = append(platforms, p)
	}
	sort.Strings(platforms)
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range platforms {
		img, plat, err := platformImage(p, o.Binaries[p], rootfs, o)
		if err != nil {
			return v1.Hash{}, err
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: plat}})
	}
	if err := os.RemoveAll(dir); err != nil {
		return v1.Hash{}, err
	}
	lp, err := layout.Write(dir, empty.Index)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("write layout %s: %w", dir, err)
	}
	if err := lp.AppendIndex(idx, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": o.Version})); err != nil {
		return v1.Hash{}, fmt.Errorf("write layout %s: %w", dir, err)
	}
	return idx.Digest()
}

// Labels are the OCI annotations every platform's config carries.
func Labels(o Options) map[string]string {
	return map[string]string{
		"org.opencontainers.image.title":       "keywarden",
		"org.opencontainers.image.description": "Guards AWS IAM user access keys: curfews, safe rotation, audit, policy",
		"org.opencontainers.image.version":     o.Version,
		"org.opencontainers.image.revision":    o.Revision,
		"org.opencontainers.image.created":     o.Created.UTC().Format(time.RFC3339),
		"org.opencontainers.image.source":      o.Source,
	}
}

func platformImage(platform, binary string, rootfs v1.Layer, o Options) (v1.Image, *v1.Platform, error) {
	osName, arch, ok := strings.Cut(platform, "/")
	if !ok || osName != "linux" {
		return nil, nil, fmt.Errorf("platform %q: want linux/ARCH", platform)
	}
	bin, err := os.ReadFile(binary)
	if err != nil {
		return nil, nil, fmt.Errorf("binary for %s: %w", platform, err)
	}
	binLayer, err := layerOf([]entry{{name: BinaryPath, mode: 0o755, data: bin}}, o.Created)
	if err != nil {
		return nil, nil, err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.AppendLayers(img, rootfs, binLayer)
	if err != nil {
		return nil, nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = osName, arch
	cf.Created = v1.Time{Time: o.Created}
	cf.Config = v1.Config{
		User:       fmt.Sprintf("%d:%d", UID, UID),
		Entrypoint: []string{BinaryPath},
		// The scheduler daemon by default; any other command replaces it (`… audit`).
		Cmd:        []string{"serve", "-c", "/etc/keywarden/keywarden.yaml"},
		Env:        []string{"HOME=/home/nonroot", "PATH=/usr/local/bin:/usr/bin:/bin", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"},
		WorkingDir: "/home/nonroot",
		Labels:     Labels(o),
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, nil, err
	}
	return img, &v1.Platform{OS: osName, Architecture: arch}, nil
}

type entry struct {
	name     string
	mode     int64
	dir      bool
	link     string
	uid, gid int
	data     []byte
}

// rootLayer is what a static binary needs of an OS: a passwd naming the non-root user, a
// home it owns, a sticky /tmp, CA certificates and the zone files (time zones of jobs).
func rootLayer(o Options) (v1.Layer, error) {
	ca, err := os.ReadFile(o.CACerts)
	if err != nil {
		return nil, fmt.Errorf("CA certificates: %w", err)
	}
	es := []entry{
		{name: "/etc", dir: true, mode: 0o755},
		{name: "/etc/passwd", mode: 0o644, data: fmt.Appendf(nil, "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%d:%d:nonroot:/home/nonroot:/sbin/nologin\n", UID, UID)},
		{name: "/etc/group", mode: 0o644, data: fmt.Appendf(nil, "root:x:0:\nnonroot:x:%d:\n", UID)},
		{name: "/etc/keywarden", dir: true, mode: 0o755},
		{name: "/etc/ssl", dir: true, mode: 0o755},
		{name: "/etc/ssl/certs", dir: true, mode: 0o755},
		{name: "/etc/ssl/certs/ca-certificates.crt", mode: 0o644, data: ca},
		{name: "/home", dir: true, mode: 0o755},
		{name: "/home/nonroot", dir: true, mode: 0o700, uid: UID, gid: UID},
		{name: "/tmp", dir: true, mode: 0o1777},
		{name: "/usr", dir: true, mode: 0o755},
		{name: "/usr/local", dir: true, mode: 0o755},
		{name: "/usr/local/bin", dir: true, mode: 0o755},
		{name: "/usr/share", dir: true, mode: 0o755},
	}
	zi, err := zoneEntries(o.ZoneInfo)
	if err != nil {
		return nil, err
	}
	return layerOf(append(es, zi...), o.Created)
}

func zoneEntries(root string) ([]entry, error) {
	var es []entry
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		name := "/usr/share/zoneinfo"
		if rel != "." {
			name += "/" + filepath.ToSlash(rel)
		}
		switch {
		case d.IsDir():
			es = append(es, entry{name: name, dir: true, mode: 0o755})
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			es = append(es, entry{name: name, link: target, mode: 0o777})
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			es = append(es, entry{name: name, mode: 0o644, data: b})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("zoneinfo: %w", err)
	}
	if len(es) < 100 {
		return nil, fmt.Errorf("zoneinfo %s holds %d files; want the tzdata tree", root, len(es))
	}
	return es, nil
}

// layerOf makes a gzip layer of the entries, every one stamped at t, in the order given.
func layerOf(es []entry, t time.Time) (v1.Layer, error) {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range es {
		h := &tar.Header{Name: strings.TrimPrefix(e.name, "/"), Mode: e.mode, Uid: e.uid, Gid: e.gid, ModTime: t, Format: tar.FormatPAX}
		switch {
		case e.dir:
			h.Typeflag, h.Name = tar.TypeDir, h.Name+"/"
		case e.link != "":
			h.Typeflag, h.Linkname = tar.TypeSymlink, e.link
		default:
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write(e.data); err != nil {
				return nil, err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	data := b.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithMediaType(types.OCILayer))
}
