# Developer entry points; see docs/development.md.
GO ?= go
# Extra arguments for `make run` / `make bench`, e.g. make run ARGS=-v
ARGS ?=

.DEFAULT_GOAL := build
.PHONY: build run test fmt-check vet workflowcheck unit-test composecheck bench clean clean-data postgres chromium

# workflowcheck flags non-deterministic code in workflow functions. It is
# pinned in its own module (tools/workflowcheck) and built into bin/ under its
# version, so a new pin builds a new binary. Its known false positives are
# listed, each with its reason, in tools/workflowcheck/config.yaml.
WORKFLOWCHECK_VERSION := $(shell awk '$$1 == "go.temporal.io/sdk/contrib/tools/workflowcheck" { print $$2 }' tools/workflowcheck/go.mod)
WORKFLOWCHECK := bin/workflowcheck-$(WORKFLOWCHECK_VERSION)
WORKFLOWCHECK_RUN = $(WORKFLOWCHECK) -config tools/workflowcheck/config.yaml ./...

build:
	$(GO) build -o bin/ ./cmd/...

# The launcher starts PostgreSQL and the Temporal dev server (data in .data/),
# then the worker and the API in one process.
run: bin/temporal postgres
	$(GO) run ./cmd/cxflow $(ARGS)

# One recipe so the steps run in this order even under make -j.
test: bin/temporal $(WORKFLOWCHECK) postgres chromium fmt-check
	$(GO) vet ./...
	$(WORKFLOWCHECK_RUN)
	$(GO) test -count=1 -timeout 20m ./...
	cd deploy/composecheck && $(GO) test -count=1 ./...

# find, not `gofmt -l .`: .data/ holds a PostgreSQL cluster that may belong
# to another user and has nothing to format.
fmt-check:
	@files="$$(find . \( -path ./.data -o -path ./bin -o -path ./.git \) -prune -o -name '*.go' -print | xargs -r gofmt -l)"; \
	if [ -n "$$files" ]; then echo "gofmt needed on:"; echo "$$files"; exit 1; fi

vet:
	$(GO) vet ./...

workflowcheck: $(WORKFLOWCHECK)
	$(WORKFLOWCHECK_RUN)

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

# Built when missing or when its requirements change (a new pin is a new
# file name); the touch as for bin/temporal.
$(WORKFLOWCHECK): tools/workflowcheck/go.mod tools/workflowcheck/go.sum
	cd tools/workflowcheck && $(GO) build -o ../../$@ go.temporal.io/sdk/contrib/tools/workflowcheck
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
