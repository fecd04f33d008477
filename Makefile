# TeachTrack API. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
DEVDB := scripts/devdb.sh

.PHONY: bench bench-analytics soak run test test-deps test-compose fuzz build db-up redis-up db-down db-status db-reset vet lint-deploy compose-config clean \
	lint-spec docs-assets test-browser browser-test docs-pdf
COMPOSE_YML := docker-compose.replication.yml
CHROMIUM ?= /usr/bin/chromium
# Swagger UI served at /docs; `make docs-assets` vendors this version from npm.
SWAGGER_UI_VERSION := 5.35.0
SWAGGER_UI_FILES := swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css favicon-32x32.png LICENSE
DOCS_STATIC := internal/docs/static

# The CBC curriculum files beside the clone (never committed here): without a
# .env, make run imports them at start (CURRICULUM_DIR) when they exist.
SHARED_CURRICULUM := $(abspath $(wildcard ../shared/teachtrack/curriculum))

## run: start the local cluster if it is down, migrate, serve on :8080
run: db-up
	@if [ -f .env ]; then $(GO) run -ldflags "$(LDFLAGS)" ./cmd/api serve; \
	else env $$($(DEVDB) env | tr '\n' ' ') CURRICULUM_DIR="$${CURRICULUM_DIR:-$(SHARED_CURRICULUM)}" \
		$(GO) run -ldflags "$(LDFLAGS)" ./cmd/api serve; fi

## test: install missing test tools (Debian packages), start the local cluster (and Redis) if down, go vet, every test with the race detector, the compose file check, the real compose stack and /docs in headless Chromium
test: test-deps db-up redis-up
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...
	$(MAKE) --no-print-directory compose-config
	$(MAKE) --no-print-directory test-compose
	$(MAKE) --no-print-directory browser-test

## test-compose: docker compose up of $(COMPOSE_YML) for real (Docker from Debian packages; local stand-in images when no registry answers), checked and taken down
test-compose:
	scripts/compose-test.sh

# test-deps: Chromium, poppler-utils and docker-compose from Debian packages when missing (nothing is skipped)
test-deps:
	scripts/test-deps.sh

## test-browser: /docs in headless Chromium (installed from Debian packages if missing); saves docs/screenshot.png
test-browser: export SCREENSHOT = docs/screenshot.png
test-browser: test-deps db-up
	@$(MAKE) --no-print-directory browser-test

## docs-pdf: docs/scheme-of-work.png, the first page of the PDF of a scheme generated for Grade 4 Mathematics, Term 2 (TestSchemePDF)
docs-pdf: db-up test-deps
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	PDF_SAMPLE_DIR=$$tmp $(GO) test -count=1 -run '^TestSchemePDF$$' ./internal/handlers >/dev/null && \
	pdftoppm -png -r 90 -f 1 -l 1 -singlefile $$tmp/scheme-sample.pdf docs/scheme-of-work && \
	echo "docs/scheme-of-work.png"

# browser-test: the browser test alone; it starts `api serve` on a spare port against the local cluster.
browser-test:
	CHROMIUM=$(CHROMIUM) $(GO) test -tags browser -count=1 -timeout 5m -run '^TestDocsInBrowser$$' -v ./cmd/api

## lint-spec: lint api/openapi.yaml with Redocly's CLI from npm (make test checks it offline too: api.TestSpecIsValid)
lint-spec:
	npx --yes @redocly/cli@2 lint --config api/redocly.yaml api/openapi.yaml

## docs-assets: refresh Swagger UI ($(SWAGGER_UI_VERSION)) in $(DOCS_STATIC) from the npm registry
docs-assets:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	(cd "$$tmp" && npm pack --silent swagger-ui-dist@$(SWAGGER_UI_VERSION) >/dev/null && tar xzf swagger-ui-dist-*.tgz) && \
	for f in $(SWAGGER_UI_FILES); do cp "$$tmp/package/$$f" $(DOCS_STATIC)/; done && \
	sed -i '/sourceMappingURL=/d' $(DOCS_STATIC)/swagger-ui-bundle.js $(DOCS_STATIC)/swagger-ui.css && \
	echo "swagger-ui-dist $(SWAGGER_UI_VERSION) in $(DOCS_STATIC)"

# FUZZTIME is how long `make fuzz` runs each fuzz target (make soak passes a longer one).
FUZZTIME ?= 5s
# FUZZ_TARGETS are package:target pairs; `make test` runs their seed corpora only.
FUZZ_TARGETS := ./internal/handlers:FuzzDecode ./internal/handlers:FuzzUserListQuery ./internal/handlers:FuzzPathID ./internal/models:FuzzStringListScan

## fuzz: run every fuzz target for FUZZTIME each (default 5s), e.g. make fuzz FUZZTIME=1m
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "fuzz $${t#*:} ($${t%%:*}) for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$${t#*:}\$$" -fuzztime $(FUZZTIME) "$${t%%:*}"; \
	done

## build: the static binary at bin/api
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/api ./cmd/api

## lint-deploy: parse $(COMPOSE_YML) with docker-compose (installed from Debian packages if missing)
lint-deploy: test-deps
	@$(MAKE) --no-print-directory compose-config

# compose-config: the file as `cp .env.example .env` leaves it; needs no Docker engine.
# --env-file, not the developer's own .env, so the check is the same everywhere.
compose-config:
	docker-compose --env-file .env.example -f $(COMPOSE_YML) config -q

db-up:
	$(DEVDB) up

redis-up:
	$(DEVDB) redis

db-down:
	$(DEVDB) down

db-status:
	$(DEVDB) status

db-reset:
	$(DEVDB) reset

clean:
	rm -rf bin

## bench: benchmarks on a private cluster (ports 3366-3368): table, bench/results/*.json, SVG charts, bench/README.md; then bench-analytics
bench:
	$(GO) run ./cmd/bench $(BENCHFLAGS)
	$(MAKE) --no-print-directory bench-analytics

## soak: steady load with a replica SIGKILLed and restarted, then a switchover and back, mid-run (<= 10 min); then make fuzz if present
soak:
	$(GO) run ./cmd/bench soak $(SOAKFLAGS)

## bench-analytics: analytics and dashboard reads on 10,000 teachers and 1,000,000 progress rows (ports 3570-3572): p50/p99, EXPLAIN, bench/results/analytics.md
bench-analytics:
	$(GO) run ./cmd/bench analytics -port 3570 $(ANALYTICSFLAGS)
