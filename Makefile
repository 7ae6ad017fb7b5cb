# The two commands of the README: `make run` and `make test`.
GO ?= go

.PHONY: run test test-deps build assets browser-deps

run: assets ## serve the map and its tiles on 127.0.0.1:8080, built from the embedded data
	$(GO) run ./cmd/territoires serve

# As root (CI) the browser tests must run: a missing Chromium is a failure.
test: assets test-deps browser-deps ## the whole test suite, as CI runs it
	$(GO) vet ./...
	TERRITOIRES_REQUIRE_BROWSER=$$([ "$$(id -u)" = 0 ] && echo 1 || echo 0) $(GO) test -count=1 ./...

# The front end's npm dependencies (MapLibre GL JS, the DSFR, playwright-core
# for the tests), and the files the binary embeds copied into static/vendor.
# Redone only when the lock file or the copy script change.
assets: static/vendor/versions.json

static/node_modules/.package-lock.json: static/package.json static/package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js 20+) is needed to install the map's front-end assets"; exit 1; }
	npm ci --prefix static --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

static/vendor/versions.json: static/node_modules/.package-lock.json static/scripts/vendor.mjs
	node static/scripts/vendor.mjs

# GDAL's ogrinfo runs the OGC API interoperability test; without it (not
# root, no Debian packages) that one test is skipped, the others run.
test-deps:
	@command -v ogrinfo >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gdal-bin >/dev/null) ; } || \
		echo "gdal-bin could not be installed: the GDAL interoperability test will be skipped"

# Debian's Chromium for the browser tests, when we can install it.
browser-deps:
	@[ -x /usr/bin/chromium ] || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ; } || \
		echo "chromium could not be installed: the browser tests will be skipped"

build: assets
	$(GO) build -o territoires ./cmd/territoires
