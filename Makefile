# Developer entry points; see docs/development.md.
GO ?= go
# Extra arguments for `make run` / `make bench`, e.g. make run ARGS=-v
ARGS ?=

.DEFAULT_GOAL := build
.PHONY: build run test fmt-check vet unit-test composecheck bench clean clean-data postgres chromium

build:
	$(GO) build -o bin/ ./cmd/...

# The launcher starts PostgreSQL and the Temporal dev server (data in .data/),
# then the worker and the API in one process.
run: bin/temporal postgres
	$(GO) run ./cmd/cxflow $(ARGS)

# One recipe so the steps run in this order even under make -j.
test: bin/temporal postgres chromium fmt-check
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...
	cd deploy/composecheck && $(GO) test -count=1 ./...

# find, not `gofmt -l .`: .data/ holds a PostgreSQL cluster that may belong
# to another user and has nothing to format.
fmt-check:
	@files="$$(find . \( -path ./.data -o -path ./bin -o -path ./.git \) -prune -o -name '*.go' -print | xargs -r gofmt -l)"; \
	if [ -n "$$files" ]; then echo "gofmt needed on:"; echo "$$files"; exit 1; fi

vet:
	$(GO) vet ./...

unit-test: bin/temporal postgres
	$(GO) test -count=1 -timeout 20m ./...

# Separate module: compose-go's dependencies stay out of the application's go.mod.
composecheck:
	cd deploy/composecheck && $(GO) test -count=1 ./...

bench: bin/temporal postgres
	$(GO) run ./cmd/bench $(ARGS)

# The Temporal CLI is built from the module proxy in its own module
# (tools/temporal) because its server dependencies clash with the SDK version
# the application uses. Rebuilt only when missing or its requirements change;
# the touch keeps make from retrying when go build finds nothing to rewrite.
bin/temporal: tools/temporal/go.mod tools/temporal/go.sum
	cd tools/temporal && $(GO) build -o ../../bin/temporal github.com/temporalio/cli/cmd/temporal
	touch $@

# PostgreSQL server binaries for the local stack and the tests (installed from
# Debian's packages when missing and running as root).
postgres:
	@scripts/ensure-postgres

# Headless Chromium for the web console's browser test (skipped without it).
chromium:
	@scripts/ensure-chromium

clean:
	rm -rf bin/

clean-data:
	rm -rf .data/
