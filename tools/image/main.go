// Command image builds keywarden's multi-platform container image into an OCI layout on
// disk, without a Docker daemon or a registry (see package oci and docs/install.md).
//
//	go run ./tools/image -out dist/keywarden_0.4.0_oci -version 0.4.0 \
//	    -binary linux/amd64=dist/keywarden_linux_amd64_v1/keywarden \
//	    -binary linux/arm64=dist/keywarden_linux_arm64_v8.0/keywarden
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/keywarden/keywarden/tools/image/oci"
)

type binaries map[string]string

func (b binaries) String() string { return fmt.Sprint(map[string]string(b)) }
func (b binaries) Set(s string) error {
	p, path, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("%q: want PLATFORM=PATH, as in linux/amd64=dist/keywarden", s)
	}
	b[p] = path
	return nil
}

func main() {
	o := oci.Options{Binaries: binaries{}}
	out := flag.String("out", "", "the OCI layout directory to write (replaced)")
	created := flag.String("created", "", "RFC 3339 time stamped on the image (default: SOURCE_DATE_EPOCH, else 1970-01-01)")
	flag.Var(binaries(o.Binaries), "binary", "PLATFORM=PATH of a static keywarden, repeatable")
	flag.StringVar(&o.Version, "version", "dev", "the version (org.opencontainers.image.version and the layout's tag)")
	flag.StringVar(&o.Revision, "revision", "", "the commit (org.opencontainers.image.revision)")
	flag.StringVar(&o.Source, "source", "https://github.com/keywarden/keywarden", "org.opencontainers.image.source")
	flag.StringVar(&o.CACerts, "ca-certs", "", "PEM bundle of CA certificates (default /etc/ssl/certs/ca-certificates.crt)")
	flag.StringVar(&o.ZoneInfo, "zoneinfo", "", "tzdata tree (default /usr/share/zoneinfo)")
	flag.Parse()
	if *out == "" {
		fail(2, "pass -out DIR, the OCI layout to write")
	}
	t, err := createdTime(*created, os.Getenv("SOURCE_DATE_EPOCH"))
	if err != nil {
		fail(2, err.Error())
	}
	o.Created = t
	d, err := oci.Build(*out, o)
	if err != nil {
		fail(1, err.Error())
	}
	fmt.Printf("image: %s (%d platforms) in %s, tag %s\n", d, len(o.Binaries), *out, o.Version)
}

func createdTime(flagVal, epoch string) (time.Time, error) {
	if flagVal != "" {
		t, err := time.Parse(time.RFC3339, flagVal)
		if err != nil {
			return t, fmt.Errorf("-created %q: want an RFC 3339 time such as 2026-12-01T09:00:00Z", flagVal)
		}
		return t.UTC(), nil
	}
	if epoch != "" {
		var s int64
		if _, err := fmt.Sscan(epoch, &s); err != nil {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: want seconds since 1970", epoch)
		}
		return time.Unix(s, 0).UTC(), nil
	}
	return time.Unix(0, 0).UTC(), nil
}

func fail(code int, msg string) {
	fmt.Fprintln(os.Stderr, "image:", msg)
	os.Exit(code)
}
