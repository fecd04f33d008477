# TeachTrack API. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
DEVDB := scripts/devdb.sh

.PHONY: run test build db-up db-down db-status db-reset vet lint-deploy compose-config clean \
	lint-spec docs-assets test-browser browser-test
COMPOSE_YML := docker-compose.replication.yml
CHROMIUM ?= /usr/bin/chromium
# Swagger UI served at /docs; `make docs-assets` vendors this version from npm.
SWAGGER_UI_VERSION := 5.35.0
SWAGGER_UI_FILES := swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css favicon-32x32.png LICENSE
DOCS_STATIC := internal/docs/static

## run: start the local cluster if it is down, migrate, serve on :8080
run: db-up
	@if [ -f .env ]; then $(GO) run -ldflags "$(LDFLAGS)" ./cmd/api serve; \
	else env $$($(DEVDB) env | tr '\n' ' ') $(GO) run -ldflags "$(LDFLAGS)" ./cmd/api serve; fi

## test: start the local cluster if it is down, go vet, and every test with the race detector
test: db-up
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...
	@if command -v docker-compose >/dev/null 2>&1; then $(MAKE) --no-print-directory compose-config; \
	else echo "docker-compose not installed: $(COMPOSE_YML) checked by internal/deploy only (make lint-deploy installs it)"; fi
	@if [ -x $(CHROMIUM) ]; then $(MAKE) --no-print-directory browser-test; \
	else echo; echo "SKIPPED: the /docs browser test (TestDocsInBrowser) did not run: no Chromium at $(CHROMIUM)."; \
	echo "         make test-browser installs Debian's chromium and runs it."; echo; fi

## test-browser: /docs in headless Chromium (installed from Debian packages if missing); saves docs/screenshot.png
test-browser: db-up
	@if [ ! -x $(CHROMIUM) ]; then \
		sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
		echo "installing chromium from Debian packages"; \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi
	@$(MAKE) --no-print-directory browser-test

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

## build: the static binary at bin/api
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/api ./cmd/api

## lint-deploy: parse $(COMPOSE_YML) with docker-compose, installing Debian's package if missing
lint-deploy:
	@if ! command -v docker-compose >/dev/null 2>&1; then \
		sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
		echo "installing docker-compose from Debian packages"; \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; \
	fi
	@$(MAKE) --no-print-directory compose-config

# compose-config: the file as `cp .env.example .env` leaves it; needs no Docker engine.
# --env-file, not the developer's own .env, so the check is the same everywhere.
compose-config:
	docker-compose --env-file .env.example -f $(COMPOSE_YML) config -q

db-up:
	$(DEVDB) up

db-down:
	$(DEVDB) down

db-status:
	$(DEVDB) status

db-reset:
	$(DEVDB) reset

clean:
	rm -rf bin
