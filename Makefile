# TeachTrack API. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
DEVDB := scripts/devdb.sh

.PHONY: run test build db-up db-down db-status db-reset vet lint-deploy clean

## run: start the local cluster if it is down, migrate, serve on :8080
run: db-up
	@if [ -f .env ]; then $(GO) run -ldflags "$(LDFLAGS)" ./cmd/api serve; \
	else env $$($(DEVDB) env | tr '\n' ' ') $(GO) run -ldflags "$(LDFLAGS)" ./cmd/api serve; fi

## test: start the local cluster if it is down, go vet, and every test with the race detector
test: db-up
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...

## build: the static binary at bin/api
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/api ./cmd/api

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
