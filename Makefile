# Developer entry points; see docs/development.md.
GO ?= go
# Extra arguments for `make run` / `make bench`, e.g. make run ARGS=-v
ARGS ?=
# Every recipe's go runs Go 1.27.3, which the go command fetches through the
# module proxy the first time (a machine starts on its own Go): Go 1.26.8's
# standard library has known vulnerabilities (see docs/development.md, "Known
# vulnerabilities"). `:=` so that a GOTOOLCHAIN=local in the environment does
# not win; another one with make GOTOOLCHAIN=... Keep .ci/run, go.mod's
# toolchain line and the README in step.
export GOTOOLCHAIN := go1.27.3
# The analysers below (workflowcheck, govulncheck) type-check the standard
# library's source, which only the go/types of the same Go release (or newer)
# can do: their binaries are named after the toolchain too.
TOOLS_GO := $(GOTOOLCHAIN)

.DEFAULT_GOAL := build
.PHONY: build run test fmt-check vet workflowcheck unit-test composecheck bench drill clean clean-data postgres chromium
.PHONY: vulncheck

# workflowcheck flags non-deterministic code in workflow functions. It is
# pinned in its own module (tools/workflowcheck) and built into bin/ under its
# version, so a new pin builds a new binary. Its known false positives are
# listed, each with its reason, in tools/workflowcheck/config.yaml.
WORKFLOWCHECK_VERSION := $(shell awk '$$1 == "go.temporal.io/sdk/contrib/tools/workflowcheck" { print $$2 }' tools/workflowcheck/go.mod)
WORKFLOWCHECK := bin/workflowcheck-$(WORKFLOWCHECK_VERSION)-$(TOOLS_GO)
WORKFLOWCHECK_RUN = $(WORKFLOWCHECK) -config tools/workflowcheck/config.yaml ./...

# govulncheck fails on known vulnerabilities reachable from our code. Its
# database is built offline from a pinned golang.org/x/vulndb (the public one
# is out of reach). Both pins live in tools/govulncheck (go.mod, vulndb.pin)
# and name their files in bin/: a new pin builds anew, nothing else does.
GOVULNCHECK_VERSION := $(shell awk '$$1 == "golang.org/x/vuln" { print $$2 }' tools/govulncheck/go.mod)
GOVULNCHECK := bin/govulncheck-$(GOVULNCHECK_VERSION)-$(TOOLS_GO)
VULNDB_VERSION := $(shell awk '$$1 == "golang.org/x/vulndb" { print $$2 }' tools/govulncheck/vulndb.pin)
VULNDB := bin/vulndb-$(VULNDB_VERSION)
GOVULNCHECK_RUN = $(GOVULNCHECK) -db file://$(CURDIR)/$(VULNDB) ./...
OLD_VULNDBS = $(filter-out $(VULNDB),$(wildcard bin/vulndb-*))

build:
	$(GO) build -o bin/ ./cmd/...

# The launcher starts PostgreSQL and the Temporal dev server (data in .data/),
# then the worker and the API in one process.
run: bin/temporal bin/mailpit postgres
	$(GO) run ./cmd/cxflow $(ARGS)

# One recipe so the steps run in this order even under make -j.
test: bin/temporal bin/mailpit $(WORKFLOWCHECK) $(GOVULNCHECK) $(VULNDB) postgres chromium fmt-check
	$(GO) vet ./...
	$(GOVULNCHECK_RUN)
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

# See docs/development.md, "Known vulnerabilities".
vulncheck: $(GOVULNCHECK) $(VULNDB)
	$(GOVULNCHECK_RUN)

unit-test: bin/temporal bin/mailpit postgres
	$(GO) test -count=1 -timeout 20m ./...

# Separate module: compose-go's dependencies stay out of the application's go.mod.
composecheck:
	cd deploy/composecheck && $(GO) test -count=1 ./...

bench: bin/temporal bin/mailpit postgres
	$(GO) run ./cmd/bench $(ARGS)

# The power-cut drill of issue #19: the whole `make run` stack killed with
# SIGKILL while clients drive complaints, started again, checked (see
# docs/development.md). Takes minutes; never part of `make test`.
# make drill ARGS="-runs 1 -complaints 12 -clients 4"
drill: bin/temporal bin/mailpit postgres
	$(GO) run ./cmd/drill $(ARGS)

# The Temporal CLI is built from the module proxy in its own module
# (tools/temporal) because its server dependencies clash with the SDK version
# the application uses. Rebuilt only when missing or its requirements change;
# the touch keeps make from retrying when go build finds nothing to rewrite.
bin/temporal: tools/temporal/go.mod tools/temporal/go.sum
	cd tools/temporal && $(GO) build -o ../../bin/temporal github.com/temporalio/cli/cmd/temporal
	touch $@

# Mailpit, the SMTP catcher of make run and the tests (devstack.StartMailpit),
# is built like the Temporal CLI: in its own module (tools/mailpit), pinned by
# its go.mod and go.sum, rebuilt only when they change. The version is stamped
# in so that `bin/mailpit version` names the pin rather than "dev".
MAILPIT_VERSION := $(shell awk '$$1 == "github.com/axllent/mailpit" { print $$2 }' tools/mailpit/go.mod)
bin/mailpit: tools/mailpit/go.mod tools/mailpit/go.sum
	cd tools/mailpit && $(GO) build -ldflags "-X github.com/axllent/mailpit/config.Version=$(MAILPIT_VERSION)" -o ../../bin/mailpit github.com/axllent/mailpit
	touch $@

# Built when missing or when its requirements change (a new pin is a new
# file name); the touch as for bin/temporal.
$(WORKFLOWCHECK): tools/workflowcheck/go.mod tools/workflowcheck/go.sum
	cd tools/workflowcheck && $(GO) build -o ../../$@ go.temporal.io/sdk/contrib/tools/workflowcheck
	touch $@

# As for workflowcheck.
$(GOVULNCHECK): tools/govulncheck/go.mod tools/govulncheck/go.sum
	cd tools/govulncheck && $(GO) build -o ../../$@ golang.org/x/vuln/cmd/govulncheck
	touch $@

# A directory, complete once it exists (build-db moves it into place when
# done); a new vulndb pin is a new directory, and the old ones go.
$(VULNDB):
	tools/govulncheck/build-db $@
	$(if $(OLD_VULNDBS),rm -rf $(OLD_VULNDBS))

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
