# The two commands of the README: `make run` and `make test`.
GO ?= go

.PHONY: run test test-deps build

run: ## serve the map's tiles on 127.0.0.1:8080, built from the embedded data
	$(GO) run ./cmd/territoires serve

test: test-deps ## the whole test suite, as CI runs it
	$(GO) vet ./...
	$(GO) test -count=1 ./...

# GDAL's ogrinfo runs the OGC API interoperability test; without it (not
# root, no Debian packages) that one test is skipped, the others run.
test-deps:
	@command -v ogrinfo >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gdal-bin >/dev/null) ; } || \
		echo "gdal-bin could not be installed: the GDAL interoperability test will be skipped"

build:
	$(GO) build -o territoires ./cmd/territoires
