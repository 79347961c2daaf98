# keywarden: the two commands a fresh machine needs are `make demo` and `make test`.
GO       ?= go
# The version is the git tag without its v (v0.4.0 -> 0.4.0), as goreleaser stamps a release.
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null | sed 's/^v\([0-9]\)/\1/' || echo dev)
COMMIT   ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
BUILT    ?= $(shell git log -1 --format=%cI 2>/dev/null || echo unknown)
PKG      := github.com/keywarden/keywarden/internal/cli
LDFLAGS  := -s -w -X $(PKG).version=$(VERSION) -X $(PKG).commit=$(COMMIT) -X $(PKG).built=$(BUILT)

.PHONY: build test test-shifted demo bench lint clean release-check release-snapshot release-snapshot-one image

build:
	CGO_ENABLED=0 $(GO) build -trimpath -tags lambda.norpc -ldflags '$(LDFLAGS)' -o keywarden ./cmd/keywarden

# The whole suite: unit and table tests, and integration tests against moto_server, which the
# tests start themselves on free loopback ports.
# -timeout sits well above the real time (about 3 minutes on 2 cores), so a hang ends with a
# goroutine dump instead of go test's 10-minute default cutting a slow machine short.
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...

# The integration tests again with moto_server's clock moved (OFFSET=+400d by default).
test-shifted:
	./scripts/test-shifted.sh $(OFFSET)

demo:
	./scripts/demo.sh

bench:
	./bench/run.sh

# Releases (docs/install.md). Nothing is published from here: a snapshot writes dist/ only.
# goreleaser v2 and cyclonedx-gomod (the SBOMs):
#   go install github.com/goreleaser/goreleaser/v2@v2.15.1
#   go install github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod@v1.10.0
GORELEASER ?= goreleaser

release-check:
	$(GORELEASER) check

# Every platform, package, SBOM and Lambda zip, then the image, then the checks on all of it.
release-snapshot:
	GORELEASER=$(GORELEASER) ./scripts/release-snapshot.sh
	$(MAKE) image
	KEYWARDEN_RELEASE_DIST=$(CURDIR)/dist KEYWARDEN_RELEASE_ALL=1 $(GO) test -count=1 -run TestReleaseArtifacts ./tools/release/

# CI's cut of the same: linux/amd64 only (archive, packages, SBOM, Lambda zip), checked the same way.
release-snapshot-one:
	GORELEASER=$(GORELEASER) ./scripts/release-snapshot.sh --one
	KEYWARDEN_RELEASE_DIST=$(CURDIR)/dist $(GO) test -count=1 -run TestReleaseArtifacts ./tools/release/

# The OCI image of dist/'s two linux binaries, as a layout in dist/keywarden_VERSION_oci.
image:
	$(GO) run ./tools/image -out dist/keywarden_$$(jq -r .version dist/metadata.json)_oci \
	  -version $$(jq -r .version dist/metadata.json) -revision $$(jq -r .commit dist/metadata.json) \
	  -created $$(git log -1 --format=%cI) \
	  $$(jq -r '.[] | select(.type=="Binary" and .extra.ID=="keywarden" and .goos=="linux") | "-binary linux/\(.goarch)=\(.path)"' dist/artifacts.json)

clean:
	rm -rf keywarden dist build/gen
