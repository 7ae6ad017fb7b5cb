#!/usr/bin/env bash
# Soak test: builds the server and its archive (the embedded data), starts
# it on 127.0.0.1, and sends DURATION seconds of mixed traffic at RATE
# requests per second (./soak: tiles from a simulated map-session list,
# /api/nearby, /api/search, /api/reverse, OGC /collections/{id}/items).
# Reports throughput, p50/p99 per kind, errors (must be 0; 429s from rate
# limiting are counted apart) and the server's RSS and Go heap at the start
# and the end (must stay flat). Fails otherwise. See README.md.
#
#   bash server/bench/soak.sh                       # 300 s at 200 req/s
#   DURATION=60 RATE=100 bash server/bench/soak.sh  # a shorter check
#   bash server/bench/soak.sh path/to.pmtiles       # an existing archive
#
# Environment: DURATION (seconds, 10–7200, default 300), RATE (req/s,
# 1–5000, default 200), CONNS (in flight at most, default 64), WARMUP
# (seconds, default 15), MIX (default tiles=60,nearby=10,search=10,reverse=10,items=10),
# SEED, BIN (a prebuilt server binary), LIMITS (on: keep the default
# per-client rate limits).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -f go.mod ] && grep -q '^module github.com/territoires-industrie/carte' go.mod || { echo "run from the repository" >&2; exit 2; }

DURATION=${DURATION:-300}
RATE=${RATE:-200}
CONNS=${CONNS:-64}
WARMUP=${WARMUP:-15}
MIX=${MIX:-tiles=60,nearby=10,search=10,reverse=10,items=10}
HOST=127.0.0.1 # every request of this script goes to this address only
[[ $DURATION =~ ^[0-9]+$ ]] && ((DURATION >= 10 && DURATION <= 7200)) || { echo "DURATION: whole seconds from 10 to 7200, got $DURATION" >&2; exit 2; }
[[ $RATE =~ ^[0-9]+$ ]] && ((RATE >= 1 && RATE <= 5000)) || { echo "RATE: 1 to 5000 requests per second, got $RATE" >&2; exit 2; }
[[ $WARMUP =~ ^[0-9]+$ ]] && ((WARMUP <= 600)) || { echo "WARMUP: 0 to 600 seconds, got $WARMUP" >&2; exit 2; }
for tool in go curl; do command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }; done

tmp=$(mktemp -d)
server=""
cleanup() {
	[ -z "$server" ] || { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
	rm -rf "$tmp"
}
trap cleanup EXIT
say() { printf '\n== %s\n' "$*"; }

say "machine"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); cores (nproc): $(nproc); CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo); $(go version); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "NOTE: the load generator and the server share these $(nproc) cores."

say "build"
if [ -n "${BIN:-}" ]; then
	cp "$BIN" "$tmp/territoires"
	echo "server: $BIN (prebuilt)"
else
	go build -o "$tmp/territoires" ./cmd/territoires
fi
go build -o "$tmp/soak" ./server/bench/soak
archive=${1:-}
if [ -z "$archive" ]; then
	archive="$tmp/territoires.pmtiles"
	"$tmp/territoires" build -o "$archive" >/dev/null
fi
echo "archive: $(basename "$archive"), $(stat -c %s "$archive") bytes"
go run ./server/bench/extract -in "$archive" -paths "$tmp/paths.txt" -seed "${SEED:-1}"

say "start the server"
port=""
while [ -z "$port" ]; do
	p=$((20000 + RANDOM % 20000))
	ss -Htln "sport = :$p" 2>/dev/null | grep -q . || port=$p
done
# One address plays every user here, so the per-client rate limits are off
# unless LIMITS=on (then the API's share of the traffic mostly gets 429).
limits=(--rate-limit-api 0 --rate-limit-tiles 0)
[ "${LIMITS:-off}" = on ] && limits=()
"$tmp/territoires" serve --tiles "$archive" --addr "$HOST:$port" --access-log=false "${limits[@]}" >"$tmp/server.log" 2>&1 &
server=$!
for i in $(seq 1 300); do
	kill -0 "$server" 2>/dev/null || { echo "the server exited:" >&2; cat "$tmp/server.log" >&2; exit 1; }
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$HOST:$port/readyz" || true)" = 200 ] && break
	sleep 0.1
done
echo "ready on $HOST:$port"

say "soak: $RATE req/s for ${DURATION}s (after ${WARMUP}s of warm-up), at most $CONNS in flight, mix $MIX"
cpu0=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$server/stat")
status=0
"$tmp/soak" -base "http://$HOST:$port" -paths "$tmp/paths.txt" -rate "$RATE" -duration "${DURATION}s" \
	-warmup "${WARMUP}s" -conns "$CONNS" -mix "$MIX" -seed "${SEED:-1}" | tee "$tmp/soak.out" || status=$?
cpu1=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$server/stat")
kill -0 "$server" 2>/dev/null || { echo "FAILED: the server died during the soak" >&2; cat "$tmp/server.log" >&2; exit 1; }
grep -qi 'panic' "$tmp/server.log" && { echo "FAILED: the server logged a panic" >&2; grep -i -A5 panic "$tmp/server.log" >&2; exit 1; }

say "summary"
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
total=$(grep '^SOAK_TOTAL' "$tmp/soak.out" || true)
res=$(grep '^SOAK_RESULT' "$tmp/soak.out" || true)
[ -n "$total" ] && [ -n "$res" ] || { echo "FAILED: the load generator gave no result" >&2; exit 1; }
printf '%-8s %9s %7s %8s %8s %7s %5s\n' kind requests "req/s" "p50 ms" "p99 ms" errors 429
while read -r line; do
	printf '%-8s %9s %7s %8s %8s %7s %5s\n' "$(field "$line" kind)" "$(field "$line" requests)" "$(field "$line" rps)" \
		"$(field "$line" p50_ms)" "$(field "$line" p99_ms)" "$(field "$line" errors)" "$(field "$line" s429)"
done < <(grep '^SOAK_KIND' "$tmp/soak.out" | sed 's/^SOAK_KIND/x/')
t=" $total"
printf '%-8s %9s %7s %8s %8s %7s %5s   dropped (sender saturated): %s\n' all "$(field "$t" requests)" "$(field "$t" rps)" \
	"$(field "$t" p50_ms)" "$(field "$t" p99_ms)" "$(field "$t" errors)" "$(field "$t" s429)" "$(field "$t" dropped)"
r=" $res"
echo "server memory: RSS $(field "$r" rss_start_mb) MB at start, $(field "$r" rss_end_mb) MB at the end (max sampled $(field "$r" rss_max_mb) MB, x$(field "$r" rss_growth));" \
	"Go heap in use $(field "$r" heap_start_mb) -> $(field "$r" heap_end_mb) MB (max $(field "$r" heap_max_mb)); goroutines $(field "$r" goroutines_start) -> $(field "$r" goroutines_end)"
awk -v t="$((cpu1 - cpu0))" -v clk="$(getconf CLK_TCK)" -v n="$(field "$t" requests)" -v s="$((DURATION + WARMUP))" \
	'BEGIN { printf "server CPU: %.0f%% of one core on average, %.0f us per request\n", t / clk / s * 100, t / clk * 1e6 / (n > 0 ? n : 1) }'
echo "(the whole soak took ${SECONDS}s)"
if [ "$status" != 0 ]; then
	echo "FAILED: errors, dropped requests or memory growth (see above)" >&2
	exit 1
fi
echo "OK: no error, no dropped request, memory flat"
