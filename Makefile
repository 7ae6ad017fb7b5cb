# The two commands of the README: `make run` and `make test`.
GO ?= go

# Every go command below, and every script they start (container/check.sh,
# container/build.sh), runs the Go release named by go.mod's toolchain line:
# the go command downloads it once from the module proxy, even where the
# installed go is older or says GOTOOLCHAIN=local (its go.env, or the
# environment, as in golang container images). go.mod is the one place that
# names it; `make GOTOOLCHAIN=go1.x.y …` overrides it.
GOTOOLCHAIN := $(shell sed -n 's/^toolchain //p' go.mod)
ifeq ($(GOTOOLCHAIN),)
$(error go.mod has no toolchain line)
endif
export GOTOOLCHAIN

.PHONY: run test test-deps build assets browser-deps race vulncheck fuzz container-check

run: assets ## serve the map and its tiles on 127.0.0.1:8080, built from the embedded data
	$(GO) run ./cmd/territoires serve

# As root (CI) the browser tests must run: a missing Chromium is a failure.
test: assets test-deps browser-deps ## the whole test suite, as CI runs it
	$(GO) vet ./...
	TERRITOIRES_REQUIRE_BROWSER=$$([ "$$(id -u)" = 0 ] && echo 1 || echo 0) $(GO) test -count=1 ./...
	$(MAKE) --no-print-directory race fuzz vulncheck container-check

# The race detector over the packages whose code runs goroutines: the
# server (atomic swaps, caches, limits, storage probes), the API (its
# catalog swap and buffer pool), the tile reader and builder and its
# on-disk sort (writers share one file), the index, serve's reloads and
# signals. -short and -skip leave to the plain run above
# what has no concurrency but takes minutes under the detector (5 to 10
# times slower): the full-data archive build, GDAL, the browser, the wait
# for a rate-limit window, and the brute-force equivalence checks, named
# Test…Equal… (one goroutine comparing answers over the real data).
RACE_PACKAGES := ./server ./api ./tiles ./internal/spill ./index ./cmd/territoires
race:
	$(GO) test -race -short -skip '^Test.*Equal' -count=1 $(RACE_PACKAGES)

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

# GDAL's ogrinfo and ogr2ogr run the OGC API interoperability tests;
# without them (not root, no Debian packages) those tests are skipped, the
# others run. As root (CI) they must run, like the browser test.
test-deps:
	@command -v ogrinfo >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gdal-bin >/dev/null) ; } || \
		echo "gdal-bin could not be installed: the GDAL interoperability tests will be skipped"

# Debian's Chromium for the browser tests, when we can install it.
browser-deps:
	@[ -x /usr/bin/chromium ] || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ; } || \
		echo "chromium could not be installed: the browser tests will be skipped"

build: assets
	$(GO) build -o territoires ./cmd/territoires

# Every fuzz target of the repository (every `func Fuzz…` in a _test.go
# file), one after the other, each for its number of executions in
# FUZZ_EXECS: a crash fails the build and go test saves the input under the
# package's testdata/fuzz. Counts, not durations: under CPU load a duration
# budget (-fuzztime=4s) can end in Go's fuzz coordinator failing on its own
# deadline (golang/go#75804, a bare "context deadline exceeded" with no
# crashing input); a count has no deadline, a loaded machine only takes
# longer. Targets differ a hundredfold in speed, hence one count each, sized
# for a few seconds of fuzzing on 2 shared cores (measured: FuzzDecodeLayer ~15,000
# execs/s, FuzzReader 2,000-10,000, FuzzParseTilePath ~1,200 (the server
# test binary's coverage map is large), FuzzAPIQuery ~90, after ~25 s of
# set-up: each worker loads the real dataset). The warm-up run of the seed and
# cached corpus counts towards the number. A new target needs its line here:
# make fuzz fails on a target without one.
FUZZ_EXECS := \
	FuzzAPIQuery=300 \
	FuzzAcceptsGzip=2000 \
	FuzzCSVText=20000 \
	FuzzDecodeLayer=40000 \
	FuzzParseTilePath=4000 \
	FuzzReadPiece=20000 \
	FuzzReader=8000
fuzz:
	@grep -rIo --include='*_test.go' --exclude-dir=node_modules '^func Fuzz[A-Za-z0-9_]*' . | sort | \
	while IFS=: read -r file fn; do \
		name=$${fn#func }; \
		execs=$$(printf '%s\n' $(FUZZ_EXECS) | sed -n "s/^$$name=//p"); \
		[ -n "$$execs" ] || { echo "make fuzz: $$name ($$file) has no execution count: add $$name=N to FUZZ_EXECS in the Makefile" >&2; exit 1; }; \
		echo "fuzz $$name ($$(dirname $$file), $$execs executions)"; \
		$(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$${execs}x "./$$(dirname $${file#./})" || exit 1; \
	done

# govulncheck with the Go vulnerability database, both from the Go module
# proxy: the database module's OSV files are indexed into the format
# govulncheck reads (its own indexdb command), once per database version,
# in .cache/. The standard library is checked as of the toolchain every
# other target builds with (GOTOOLCHAIN above), which govulncheck names.
VULN_VERSION ?= v1.9.0
VULNDB_VERSION ?= v0.0.0-20261105234957-e22db6528018
VULNDB_DIR := .cache/vulndb/$(VULNDB_VERSION)

vulncheck: $(VULNDB_DIR)/index/db.json
	@echo "govulncheck with $$($(GO) version)"
	$(GO) run golang.org/x/vuln/cmd/govulncheck@$(VULN_VERSION) -db file://$(CURDIR)/$(VULNDB_DIR) ./...

$(VULNDB_DIR)/index/db.json:
	rm -rf $(VULNDB_DIR).tmp
	osv=$$(cd / && $(GO) mod download -json golang.org/x/vulndb@$(VULNDB_VERSION) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p')/data/osv && \
	$(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VERSION) -vulns "$$osv" -out $(VULNDB_DIR).tmp
	rm -rf $(VULNDB_DIR) && mv $(VULNDB_DIR).tmp $(VULNDB_DIR)

# The Dockerfile's steps run as a script (no Docker engine needed), and the
# result started as the image would start it.
container-check:
	bash container/check.sh
