package deploy

import (
	"archive/zip"
	"bytes"
	"context"
	"debug/elf"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestZipIsReproducible(t *testing.T) {
	bin := bytes.Repeat([]byte("\x7fELF keywarden "), 1000)
	a, err := Zip(bin)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Zip(append([]byte(nil), bin...))
	if !bytes.Equal(a, b) {
		t.Fatal("the same binary zipped twice gave different bytes")
	}
	c, _ := Zip(append(bin, '!'))
	if bytes.Equal(a, c) || PackageKey("kw", "arm64", a) == PackageKey("kw", "arm64", c) {
		t.Fatal("a different binary gave the same package or key")
	}
	r, err := zip.NewReader(bytes.NewReader(a), int64(len(a)))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.File) != 1 || r.File[0].Name != "bootstrap" || r.File[0].Mode().Perm() != 0o755 || !r.File[0].Modified.Equal(zipEpoch) {
		t.Fatalf("package holds %+v", r.File[0].FileHeader)
	}
	f, _ := r.File[0].Open()
	got, _ := io.ReadAll(f)
	if !bytes.Equal(got, bin) {
		t.Fatal("bootstrap in the zip is not the binary")
	}
	if k := PackageKey("kw", "arm64", a); !strings.HasPrefix(k, "keywarden/kw/arm64-") || !strings.HasSuffix(k, ".zip") {
		t.Fatalf("key = %s", k)
	}
}

func TestBootstrapChecksPrebuiltBinary(t *testing.T) {
	dir := t.TempDir()
	notELF := filepath.Join(dir, "script")
	os.WriteFile(notELF, []byte("#!/bin/sh\n"), 0o755)
	self, err := os.Executable() // this test binary, an ELF of the host's architecture
	if err != nil {
		t.Fatal(err)
	}
	other := "arm64"
	if runtime.GOARCH == "arm64" {
		other = "amd64"
	}
	tests := []struct {
		name, path, arch, want string
	}{
		{"not an executable", notELF, "arm64", "not a linux (ELF) executable"},
		{"wrong architecture", self, other, "built for EM_"},
		{"missing", filepath.Join(dir, "nope"), "arm64", "read --binary"},
		{"bad arch", self, "386", `architecture "386"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Bootstrap(context.Background(), BinaryOptions{GOARCH: tt.arch, Path: tt.path})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
	b, from, err := Bootstrap(context.Background(), BinaryOptions{GOARCH: runtime.GOARCH, Path: self})
	if err != nil || from != self || len(b) == 0 {
		t.Fatalf("an amd64 ELF as --binary for amd64: %v", err)
	}
}

// TestBootstrapBuildsFromSource cross-builds the function for arm64 from this checkout, as
// deploy does on a developer's amd64 laptop, and checks the result is a static arm64 binary
// whose package is the same bytes when built twice.
func TestBootstrapBuildsFromSource(t *testing.T) {
	var logged string
	b, from, err := Bootstrap(context.Background(), BinaryOptions{GOARCH: "arm64", Dir: "../..",
		Log: func(f string, a ...any) { logged = f }})
	if err != nil {
		t.Fatal(err)
	}
	if err := checkELF(b, elf.EM_AARCH64); err != nil || !isStatic(b) {
		t.Fatalf("built %s: %v, static %v", from, err, isStatic(b))
	}
	if !strings.HasPrefix(from, "go build from the module source") || logged == "" {
		t.Fatalf("from = %q, logged %q", from, logged)
	}
	b2, _, err := Bootstrap(context.Background(), BinaryOptions{GOARCH: "arm64", Dir: "../.."})
	if err != nil {
		t.Fatal(err)
	}
	z1, _ := Zip(b)
	z2, _ := Zip(b2)
	if !bytes.Equal(z1, z2) {
		t.Fatal("two builds of the same source gave different packages")
	}
	t.Logf("arm64 package: %d bytes (binary %d)", len(z1), len(b))
}

func zipWith(t *testing.T, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "lambda.zip")
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	f, _ := w.Create(name)
	f.Write(content)
	w.Close()
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func otherArch() string {
	if runtime.GOARCH == "arm64" {
		return "amd64"
	}
	return "arm64"
}

func TestBootstrapFromReleaseZip(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin, _ := os.ReadFile(self)
	good := zipWith(t, "bootstrap", bin)
	got, from, err := Bootstrap(context.Background(), BinaryOptions{GOARCH: runtime.GOARCH, Package: good})
	if err != nil || from != good || !bytes.Equal(got, bin) {
		t.Fatalf("the release zip's bootstrap: from %q, %d bytes, %v", from, len(got), err)
	}
	notZip := filepath.Join(t.TempDir(), "x.zip")
	os.WriteFile(notZip, []byte("not a zip"), 0o644)
	for _, tt := range []struct{ name, pkg, arch, bin, want string }{
		{"wrong architecture", good, otherArch(), "", "bootstrap: built for EM_"},
		{"no bootstrap", zipWith(t, "keywarden", bin), runtime.GOARCH, "", "holds no bootstrap"},
		{"bootstrap not an executable", zipWith(t, "bootstrap", []byte("#!/bin/sh\n")), runtime.GOARCH, "", "not a linux (ELF) executable"},
		{"not a zip", notZip, runtime.GOARCH, "", "not a zip file"},
		{"missing", filepath.Join(t.TempDir(), "nope.zip"), runtime.GOARCH, "", "no such file"},
		{"both given", good, runtime.GOARCH, self, "--binary and --package both"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Bootstrap(context.Background(), BinaryOptions{GOARCH: tt.arch, Package: tt.pkg, Path: tt.bin})
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %v, want one line with %q", err, tt.want)
			}
		})
	}
}

// A released binary of the other architecture, without Go, is told exactly what to pass.
func TestBootstrapWithoutGoNamesTheReleaseZip(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	self, _ := os.Executable()
	arch := otherArch()
	_, _, err := Bootstrap(context.Background(), BinaryOptions{GOARCH: arch, Self: self, Dir: t.TempDir(), Version: "0.4.0"})
	want := "pass --package keywarden_0.4.0_lambda_" + arch + ".zip (the release's Lambda zip)"
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "no Go toolchain") {
		t.Fatalf("err = %v, want %q", err, want)
	}
	if runtime.GOOS == "linux" && !strings.Contains(err.Error(), "or --arch "+runtime.GOARCH+" to deploy this binary") {
		t.Fatalf("err = %v, want the --arch alternative", err)
	}
}
