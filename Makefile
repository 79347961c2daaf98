# keywarden: the two commands a fresh machine needs are `make demo` and `make test`.
GO       ?= go
# The version is the git tag without its v (v0.4.0 -> 0.4.0), as goreleaser stamps a release.
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null | sed 's/^v\([0-9]\)/\1/' || echo dev)
COMMIT   ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
BUILT    ?= $(shell git log -1 --format=%cI 2>/dev/null || echo unknown)
PKG      := github.com/keywarden/keywarden/internal/cli
LDFLAGS  := -s -w -X $(PKG).version=$(VERSION) -X $(PKG).commit=$(COMMIT) -X $(PKG).built=$(BUILT)

.PHONY: build test test-shifted demo bench lint clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o keywarden ./cmd/keywarden

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

clean:
	rm -f keywarden
