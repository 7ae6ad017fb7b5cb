#!/usr/bin/env bash
# HTTP throughput of /api/nearby and of the site profiles on the real data,
# with wrk on loopback, /healthz as the floor in the same run.
# Usage, from the repository root: bash server/bench/api.sh [ARCHIVE.pmtiles]
# (without an archive, the server builds one into a temporary cache first).
# ROUTES="nearby profile" (the default) says which routes to load; /healthz
# is always measured. ROUNDS (default 3) is how many times nearby and
# /healthz alternate. PORT (default 18181) is the loopback port.
set -euo pipefail
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
tmp=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
go build -o "$tmp/territoires" ./cmd/territoires
port=${PORT:-18181}
# Rate limits off: the benchmark is one client hammering on purpose.
args=(--addr 127.0.0.1:$port --access-log=false --cache-dir "$tmp/cache" --rate-limit-api 0 --rate-limit-tiles 0)
[ $# -ge 1 ] && args+=(--tiles "$1")
"$tmp/territoires" serve "${args[@]}" 2>"$tmp/server.log" &
pid=$!
for _ in $(seq 1 600); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || { echo "server not ready" >&2; cat "$tmp/server.log" >&2; exit 1; }
routes=" ${ROUTES:-nearby profile} "
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg); wrk shares the cores with the server"
# rps URL [wrk options...]: the requests per second of a 10 s wrk run at 64
# connections.
rps() {
  local out
  out=$(wrk -t2 -c64 -d10s "${@:2}" "$1")
  if grep -Eq 'answers >= 400: [1-9]|socket errors: [1-9]' <<<"$out"; then echo "BAD ($1): $(grep -E 'answers|socket' <<<"$out")" >&2; fi
  awk '/Requests\/sec/ {print $2}' <<<"$out" | grep . || { echo "wrk gave no rate for $1: $out" >&2; exit 1; }
}
[[ ${ROUNDS:-3} =~ ^[1-9][0-9]*$ ]] || { echo "ROUNDS must be a positive number" >&2; exit 2; }
if [[ $routes == *" nearby "* ]]; then
  wrk -t2 -c16 -d3s -s server/bench/api_nearby.lua "http://127.0.0.1:$port" >/dev/null # warm-up
  echo "== /api/nearby k=10, 16 connections, 10 s"
  wrk -t2 -c16 -d10s --latency -s server/bench/api_nearby.lua "http://127.0.0.1:$port" | grep -E "Requests/sec|Latency|50%|99%|answers >= 400"
  # The machine's speed drifts from minute to minute (other jobs, the
  # host): nearby and its floor alternate, ROUNDS times (default 3), and
  # the ratio is each round's and their median.
  echo "== /api/nearby k=10 then its floor /healthz (routing, middleware, metrics; no work), 64 connections, 10 s each, ${ROUNDS:-3} rounds"
  ratios=()
  for r in $(seq 1 "${ROUNDS:-3}"); do
    n=$(rps "http://127.0.0.1:$port" -s server/bench/api_nearby.lua)
    h=$(rps "http://127.0.0.1:$port/healthz")
    ratios+=("$(awk -v n="$n" -v h="$h" 'BEGIN {printf "%.3f", n / h}')")
    echo "round $r: nearby $n req/s, /healthz $h req/s, ratio ${ratios[-1]} (load $(cut -d' ' -f1 /proc/loadavg))"
  done
  echo "median ratio nearby / healthz: $(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')"
else
  echo "== baseline: /healthz (routing, middleware, metrics; no work), 64 connections, 10 s"
  wrk -t2 -c64 -d10s --latency "http://127.0.0.1:$port/healthz" | grep -E "Requests/sec|99%"
fi
if [[ $routes == *" nearby "* ]]; then
  echo "== /api/nearby with Accept-Encoding: gzip (the answer compressed), 64 connections, 10 s"
  wrk -t2 -c64 -d10s --latency -H 'Accept-Encoding: gzip' -s server/bench/api_nearby.lua "http://127.0.0.1:$port" | grep -E "Requests/sec|99%|answers >= 400"
fi
if [[ $routes == *" profile "* ]]; then
  # Every site, in turn: their ids from the OGC items of the sites.
  SITE_IDS=$(curl -fs "http://127.0.0.1:$port/collections/sites/items?limit=1000" | grep -o '"id":"site-[^"]*"' | cut -d'"' -f4 | sort -u | xargs)
  export SITE_IDS
  first=${SITE_IDS%% *}
  echo "sites: $(wc -w <<<"$SITE_IDS"); answer of $first: $(curl -fs "http://127.0.0.1:$port/api/sites/$first/profile" | wc -c) bytes"
  wrk -t2 -c16 -d3s -s server/bench/api_profile.lua "http://127.0.0.1:$port" >/dev/null # warm-up
  for c in 16 64; do
    echo "== /api/sites/{id}/profile, $c connections, 10 s"
    wrk -t2 -c$c -d10s --latency -s server/bench/api_profile.lua "http://127.0.0.1:$port" | grep -E "Requests/sec|Latency|50%|99%|answers >= 400"
  done
  echo "== /healthz again, after the profiles, 64 connections, 10 s"
  wrk -t2 -c64 -d10s --latency "http://127.0.0.1:$port/healthz" | grep -E "Requests/sec|99%"
fi
echo "server memory: $(grep -E 'VmHWM' /proc/$pid/status | xargs)"
