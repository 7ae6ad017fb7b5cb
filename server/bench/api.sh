#!/usr/bin/env bash
# HTTP throughput of /api/nearby on the real data, with wrk on loopback.
# Usage, from the repository root: bash server/bench/api.sh [ARCHIVE.pmtiles]
# (without an archive, the server builds one into a temporary cache first).
set -euo pipefail
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
tmp=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
go build -o "$tmp/territoires" ./cmd/territoires
port=18181
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
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); wrk shares the cores with the server"
wrk -t2 -c16 -d3s -s server/bench/api_nearby.lua "http://127.0.0.1:$port" >/dev/null # warm-up
for c in 16 64; do
  echo "== /api/nearby k=10, $c connections, 10 s"
  wrk -t2 -c$c -d10s --latency -s server/bench/api_nearby.lua "http://127.0.0.1:$port" | grep -E "Requests/sec|Latency|50%|99%|non-200|Socket"
done
echo "== baseline in the same run: /healthz (routing, middleware, metrics; no work), 64 connections, 10 s"
wrk -t2 -c64 -d10s --latency "http://127.0.0.1:$port/healthz" | grep -E "Requests/sec|99%"
echo "== /api/nearby with Accept-Encoding: gzip (the answer compressed), 64 connections, 10 s"
wrk -t2 -c64 -d10s --latency -H 'Accept-Encoding: gzip' -s server/bench/api_nearby.lua "http://127.0.0.1:$port" | grep -E "Requests/sec|99%|non-200"
echo "server memory: $(grep -E 'VmHWM' /proc/$pid/status | xargs)"
