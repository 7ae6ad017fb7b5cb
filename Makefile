# The two commands of the README: `make run` and `make test`.
GO ?= go

.PHONY: run test build bench-build

run: ## build the archive of the embedded default data
	$(GO) run ./cmd/territoires build -o territoires.pmtiles

test: ## the whole test suite, as CI runs it
	$(GO) vet ./...
	$(GO) test -count=1 ./...

build:
	$(GO) build -o territoires ./cmd/territoires
