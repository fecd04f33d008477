# The TeachTrack API image: a static binary on distroless, running as non-root.
#
#   docker build --build-arg VERSION="$(git describe --tags --always --dirty)" -t teachtrack-api .
#
# Plain Dockerfile syntax (no BuildKit-only features), so docker-compose v1 builds it too.
# internal/deploy checks that the builder's Go matches go.mod's `go` line.

FROM golang:1.26-bookworm AS build
WORKDIR /src
# Modules first: editing the code does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Shown by `api version` and in /healthz.
ARG VERSION=dev
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/api ./cmd/api \
	&& /out/api version \
	&& mkdir -p /out/data/uploads

# static-debian12: no libc, no shell, no curl, hence `api healthcheck` below.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/api /api
# STORAGE=local keeps uploads here (a volume in compose), writable by the non-root user.
COPY --from=build --chown=65532:65532 /out/data /data
# 65532, distroless's nonroot; numeric so runtimes can verify it is not root.
USER 65532:65532
EXPOSE 8080
# Asks /readyz on HTTP_ADDR (default :8080): healthy while the primary answers.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["/api", "healthcheck"]
ENTRYPOINT ["/api"]
CMD ["serve"]
