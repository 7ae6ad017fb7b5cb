#!/usr/bin/env bash
# Checks the Dockerfile where no Docker engine runs: copies the repository's
# files (tracked and new, not ignored) into a temporary folder, runs the
# Dockerfile's RUN lines there in order (same commands, same flags), lays
# out the runtime image's files as its COPY --from lines say, then starts the
# binary as the image would (its ENV, ENTRYPOINT and CMD, a non-root user,
# an empty environment) and checks /healthz, /readyz, a tile, the map page,
# the API, the version and the HEALTHCHECK command. First of all it checks
# that the golang image is the Go release go.mod's toolchain line names.
#
#   bash container/check.sh
#
# Everything listens on 127.0.0.1 (the image's 0.0.0.0:8080 becomes a free
# loopback port). Once Go's build cache is warm, npm ci and the archive build
# take most of the time (3.5 min measured on 2 busy shared cores).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in git go npm node curl; do command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }; done

tmp=$(mktemp -d)
chmod 755 "$tmp" # the non-root user reads the image's files
server=""
cleanup() {
	[ -z "$server" ] || { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
	rm -rf "$tmp"
}
trap cleanup EXIT
say() { printf '== %s\n' "$*"; }
fail() { echo "FAILED: $*" >&2; [ ! -f "$tmp/serve.log" ] || tail -20 "$tmp/serve.log" >&2; exit 1; }

# The image is built with the Go release every make target uses: the golang
# image's tag must be go.mod's toolchain line (which the Makefile reads).
toolchain=$(sed -n 's/^toolchain go//p' go.mod)
[ -n "$toolchain" ] || fail "go.mod has no toolchain line"
images=$(sed -n 's/^FROM golang:\([^ ]*\).*/\1/p' Dockerfile)
[ -n "$images" ] || fail "no golang image in the Dockerfile"
for tag in $images; do
	[ "${tag%%-*}" = "$toolchain" ] || fail "the Dockerfile builds with golang:$tag, go.mod's toolchain is go$toolchain: make them agree"
done
echo "ok  golang:$(head -1 <<<"$images") = go.mod's toolchain go$toolchain"

# The runtime stage is what follows the last FROM.
runtime=$(awk '/^FROM /{ buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' Dockerfile)
workdir=$(sed -n 's/^WORKDIR //p' Dockerfile | sort -u)
[ "$(wc -l <<<"$workdir")" = 1 ] || fail "the build stages should share one WORKDIR, got: $workdir"

say "clean copy of the repository"
src="$tmp/src"
mkdir -p "$src"
git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
	tar --null -T - -cf - | tar -xf - -C "$src"
echo "$(find "$src" -type f | wc -l) files"

say "the Dockerfile's RUN lines, in order"
export VERSION="container-check" # the ARG, as --build-arg VERSION=… would set it
mapfile -t runs < <(sed -n 's/^RUN //p' Dockerfile)
[ "${#runs[@]}" -gt 0 ] || fail "no RUN line in the Dockerfile"
for r in "${runs[@]}"; do
	echo "+ $r"
	(cd "$src" && sh -c "$r") || fail "RUN $r"
done

say "runtime image files (COPY --from lines of the last stage)"
root="$tmp/root"
mkdir -p "$root"
while read -r from to; do
	[[ $from == "$workdir"/* ]] || fail "COPY --from outside $workdir: $from"
	mkdir -p "$(dirname "$root$to")"
	cp "$src/${from#"$workdir"/}" "$root$to"
	echo "$to ($(stat -c %s "$root$to") bytes)"
done < <(sed -n 's/^COPY --from=[a-z]* //p' <<<"$runtime")

# ENV lines of the runtime stage; paths in the image are under $root here.
declare -A env
while IFS='=' read -r k v; do env[$k]=$v; done < <(sed -n 's/^ENV //p' <<<"$runtime")
[ "${env[TERRITOIRES_ADDR]:-}" = "0.0.0.0:8080" ] || fail "the image should listen on 0.0.0.0:8080, ENV says ${env[TERRITOIRES_ADDR]:-nothing}"
grep -qx 'EXPOSE 8080' <<<"$runtime" || fail "no EXPOSE 8080"
grep -qx 'USER nonroot:nonroot' <<<"$runtime" || fail "the image should run as nonroot"
json_args() { sed -n "s/^$1.*\[\(.*\)\]\$/\1/p" <<<"$runtime" | tr -d '",'; }
read -ra entrypoint <<<"$(json_args ENTRYPOINT)"
read -ra cmd <<<"$(json_args CMD)"
read -ra health <<<"$(json_args HEALTHCHECK)"
[ "${#entrypoint[@]}" -gt 0 ] && [ "${#health[@]}" -gt 0 ] || fail "ENTRYPOINT and HEALTHCHECK CMD must be JSON arrays"

port=""
while [ -z "$port" ]; do
	p=$((20000 + RANDOM % 20000))
	ss -Htln "sport = :$p" 2>/dev/null | grep -q . || port=$p
done
image_env=(HOME=/home/nonroot PATH=/usr/local/bin:/usr/bin:/bin)
for k in "${!env[@]}"; do
	v=${env[$k]}
	[[ $v != /* ]] || v=$root$v
	image_env+=("$k=$v")
done
# distroless's nonroot user: uid and gid 65532, when we may switch to it.
as_user=()
if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null || fail "setpriv (util-linux) is needed to run as a non-root user"
	as_user=(setpriv --reuid=65532 --regid=65532 --clear-groups)
fi
in_image() { (cd "$root" && exec env -i "${image_env[@]}" "$@"); }
rooted() { local a=("$@"); a[0]=$root${a[0]}; printf '%s\n' "${a[@]}"; }
mapfile -t serve_cmd < <(rooted "${entrypoint[@]}" "${cmd[@]}")
mapfile -t health_cmd < <(rooted "${health[@]}")

say "start: ${entrypoint[*]} ${cmd[*]} as $([ ${#as_user[@]} -gt 0 ] && echo 'uid 65532' || echo "uid $(id -u)"), listening on 127.0.0.1:$port"
touch "$tmp/started"
# exec: $! is the server itself, whose uid is checked below.
(cd "$root" && exec env -i "${image_env[@]}" TERRITOIRES_ADDR="127.0.0.1:$port" "${as_user[@]}" "${serve_cmd[@]}") >"$tmp/serve.log" 2>&1 &
server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
	kill -0 "$server" 2>/dev/null || fail "the server exited"
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz" || true)" = 200 ] && break
	sleep 0.1
done
[ ${#as_user[@]} = 0 ] || [ "$(awk '/^Uid:/ { print $2 }' "/proc/$server/status")" = 65532 ] ||
	fail "the server does not run as uid 65532"

# get PATH [curl args…]: the body into $tmp/body, the status printed.
get() { local p=$1; shift; curl -s -o "$tmp/body" -w '%{http_code}' "$@" "$base$p"; }
expect() { # what status body-pattern path [curl args…]
	local what=$1 want=$2 pattern=$3 code
	shift 3
	code=$(get "$@")
	[ "$code" = "$want" ] || fail "$what: $1 answered $code, want $want: $(head -c 300 "$tmp/body")"
	grep -aq -- "$pattern" "$tmp/body" || fail "$what: $1 does not contain $pattern: $(head -c 300 "$tmp/body")"
	echo "ok  $what: $1 $code"
}
expect "liveness" 200 '"ok"' /healthz
expect "readiness" 200 '"data_version"' /readyz
expect "TileJSON" 200 '"vector_layers"' /tiles.json
code=$(get /tiles/6/32/22.mvt -H 'Accept-Encoding: gzip' -D "$tmp/headers")
size=$(stat -c %s "$tmp/body")
[ "$code" = 200 ] && [ "$size" -gt 1000 ] && grep -qi '^content-type: application/vnd.mapbox-vector-tile' "$tmp/headers" &&
	grep -qi '^content-encoding: gzip' "$tmp/headers" && [ "$(head -c2 "$tmp/body" | od -An -tx1 | tr -d ' ')" = 1f8b ] ||
	fail "tile 6/32/22: status $code, $size bytes, headers: $(cat "$tmp/headers")"
echo "ok  tile: /tiles/6/32/22.mvt 200, $size bytes of gzip MVT"
expect "map page (assets embedded)" 200 'maplibre' / -H 'Accept: text/html'
expect "search API" 200 'Chalon-sur-Sa' '/api/search?q=chalon'
grep -q 'reusing the archive\|building the tiles' "$tmp/serve.log" && fail "the server built tiles at run time"
[ -z "$(find "$root" -newer "$tmp/started" -print -quit)" ] || fail "the server wrote into the image: $(find "$root" -newer "$tmp/started")"
echo "ok  nothing built or written at run time"

out=$(in_image "$root/territoires" version) && [ "$out" = "territoires $VERSION" ] || fail "version: $out"
echo "ok  version: $out"
# HEALTHCHECK runs with the image's environment: TERRITOIRES_ADDR=0.0.0.0:PORT.
in_image TERRITOIRES_ADDR="0.0.0.0:$port" "${as_user[@]}" "${health_cmd[@]}" >"$tmp/health.out" 2>&1 ||
	fail "HEALTHCHECK ${health[*]} failed on a running server: $(cat "$tmp/health.out")"
echo "ok  HEALTHCHECK ${health[*]}: $(cat "$tmp/health.out")"
kill "$server"
wait "$server" 2>/dev/null || true
server=""
if in_image TERRITOIRES_ADDR="0.0.0.0:$port" "${as_user[@]}" "${health_cmd[@]}" >"$tmp/health.out" 2>&1; then
	fail "HEALTHCHECK succeeded with the server stopped"
fi
echo "ok  HEALTHCHECK fails once the server is stopped: $(cat "$tmp/health.out")"
echo "container check passed in ${SECONDS}s"
