# The two commands of the README: `make run` and `make test`.
GO ?= go

.PHONY: run test build

run: ## serve the map's tiles on 127.0.0.1:8080, built from the embedded data
	$(GO) run ./cmd/territoires serve

test: ## the whole test suite, as CI runs it
	$(GO) vet ./...
	$(GO) test -count=1 ./...

build:
	$(GO) build -o territoires ./cmd/territoires
