#!/bin/sh
# The build steps of the container image, one per argument. The Dockerfile
# runs them (RUN container/build.sh STEP) and container/check.sh runs the
# Dockerfile's RUN lines without Docker, so the two cannot drift apart.
#   assets   the front end's npm packages, vendored into static/vendor (as `make assets`)
#   binary   out/territoires: static, stripped, version from $VERSION
#   archive  out/territoires.pmtiles, the tiles of the embedded data
set -eu
for step in "$@"; do
	case $step in
	assets)
		npm ci --prefix static --ignore-scripts --no-audit --no-fund --loglevel=error
		node static/scripts/vendor.mjs
		;;
	binary)
		CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION:-dev}" -o out/territoires ./cmd/territoires
		;;
	archive)
		out/territoires build -o out/territoires.pmtiles
		;;
	*)
		echo "unknown step $step (assets, binary, archive)" >&2
		exit 2
		;;
	esac
done
