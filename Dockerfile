# syntax=docker/dockerfile:1

# terngate container image.
#
#   docker build --build-arg VERSION=$(git describe --tags --always) --build-arg COMMIT=$(git rev-parse HEAD) -t terngate .
#   docker run -p 9000:9000 -v terngate-data:/data terngate
#
# The build stage compiles a static binary; the final stage is distroless
# (no shell, no package manager) and runs as the unprivileged user 65532.
# dockerfile/dockerfile_test.go parses this file and runs the build command
# below on the host, so keep that RUN a plain `go build` command line.

ARG GO_VERSION=1.26

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
# No separate `go mod download` layer: it would fetch every module of the
# repository's tests too. The cache mounts keep modules and build results
# between builds, and `go build` fetches only what ./gateway imports.
COPY . .
ARG VERSION=dev
# The build context has no .git, so Go cannot stamp the commit itself.
ARG COMMIT=
ARG TARGETOS
ARG TARGETARCH
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -trimpath -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" -o /out/terngate ./gateway
# The data directory, created here because the final stage has no mkdir.
RUN mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
LABEL org.opencontainers.image.title="terngate" \
      org.opencontainers.image.description="S3-compatible gateway for TernFS, with an embedded local-disk store" \
      org.opencontainers.image.source="https://github.com/terngate/terngate" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /out/terngate /terngate
COPY --from=build --chown=65532:65532 /out/data /data
ENV TERNGATE_DATA_DIR=/data \
    TERNGATE_LISTEN=0.0.0.0:9000 \
    TERNGATE_ADMIN_LISTEN=0.0.0.0:9001
VOLUME ["/data"]
# 9000: S3 API. 9001: admin (/metrics, /healthz, /readyz).
EXPOSE 9000 9001
USER 65532:65532
ENTRYPOINT ["/terngate"]
