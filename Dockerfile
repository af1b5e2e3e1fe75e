# syntax=docker/dockerfile:1
# Image for the cxflow API server, Temporal worker and migration tool; the
# compose file picks the program per service. SQL migrations are embedded in
# the binaries, so only the binaries are copied.

FROM golang:1.26-bookworm AS build
# The image says GOTOOLCHAIN=local; the build needs Go 1.27.3 (Go 1.26.8's
# standard library has known vulnerabilities; docs/development.md, "Known
# vulnerabilities"), which the go command fetches through the module proxy.
ENV GOTOOLCHAIN=go1.27.3
WORKDIR /src
# Dependencies first: this layer is reused while only our code changes.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Static binaries: the runtime image needs no libc match.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/ ./cmd/server ./cmd/worker ./cmd/migrate

FROM debian:bookworm-slim
# ca-certificates for TLS to external services, tzdata for CXFLOW_TIMEZONE.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin cxflow
COPY --from=build /out/server /out/worker /out/migrate /usr/local/bin/
USER cxflow
ENV CXFLOW_HTTP_ADDR=:8080 \
    CXFLOW_TIMEZONE=Asia/Shanghai \
    CXFLOW_LOG_LEVEL=info
EXPOSE 8080
CMD ["/usr/local/bin/server"]
