# keywarden as a container: the same static binary as the CLI and the Lambda function.
#   docker build -t keywarden .
#   docker run --rm -e AWS_PROFILE -v ~/.aws:/home/nonroot/.aws:ro keywarden audit
# The default command is the scheduler daemon (keywarden serve) reading /etc/keywarden.yaml.
# As a Lambda container image it needs no change: Lambda sets AWS_LAMBDA_RUNTIME_API and the
# binary serves invocations instead of running CMD.

FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first, so a source change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY cmd ./cmd
COPY internal ./internal
# TARGETOS/TARGETARCH come from buildx (--platform linux/arm64); plain docker build uses the host's.
ARG TARGETOS=linux
ARG TARGETARCH
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags="-s -w" -buildvcs=false -o /out/keywarden ./cmd/keywarden

# distroless/static: CA certificates and tzdata, no shell, no package manager; uid 65532.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/keywarden /usr/local/bin/keywarden
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/keywarden"]
CMD ["serve", "-c", "/etc/keywarden.yaml"]
