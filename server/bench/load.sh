#!/usr/bin/env bash
# HTTP load benchmark of the tile server against go-pmtiles' own server and
# a static-file ceiling (nginx), on 127.0.0.1 only. See README.md.
#
#   bash server/bench/load.sh [ARCHIVE.pmtiles]      (from the repository root)
#
# Without ARCHIVE, the archive of the embedded dataset is built first.
# Environment: CONNS (default "8 64 256"), DURATION (default 10s, at most
# 15s), WARMUP (default 3s), RATE and RATE_CONNS (fixed-rate latency run,
# default 2000 req/s over 32 connections; RATE=0 skips it), QUIET_WAIT and
# RETRIES (waiting for an idle machine, see run_quiet), SEED and SESSIONS
# (request list, see extract), BIN (a prebuilt territoires binary), ROUNDS
# (ours and the static ceiling alternate that many more times; see below),
# LIMIT (the rate limits, per minute; see below).
set -euo pipefail

cd "$(dirname "$0")/../.."
[ -f go.mod ] && grep -q '^module github.com/territoires-industrie/carte' go.mod || { echo "run from the repository" >&2; exit 2; }

CONNS=${CONNS:-"8 64 256"}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
THREADS=2
PMTILES_MODULE=github.com/protomaps/go-pmtiles@v1.31.2
HOST=127.0.0.1 # every request of this script goes to this address only

for d in "$DURATION" "$WARMUP"; do
	if ! [[ $d =~ ^([0-9]+)s$ ]] || ((BASH_REMATCH[1] < 1 || BASH_REMATCH[1] > 15)); then
		echo "durations are whole seconds from 1s to 15s, got $d" >&2
		exit 2
	fi
done
for c in $CONNS; do [[ $c =~ ^[0-9]+$ ]] && ((c >= THREADS && c <= 4096)) || { echo "bad connection count $c" >&2; exit 2; }; done
for tool in go wrk curl; do command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }; done

tmp=$(mktemp -d)
chmod 755 "$tmp" # nginx workers may run as another user
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

say() { printf '\n== %s\n' "$*"; }

# free_port prints a TCP port nothing listens on.
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 20000))
		if ! ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then
			echo "$p"
			return
		fi
	done
}

say "machine"
echo "cores (nproc): $(nproc); CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo); kernel $(uname -r); $(go version)"
echo "wrk: $(wrk -v 2>&1 | head -1)"
echo "NOTE: wrk (2 threads) and the server under test share these $(nproc) cores: the numbers include the load generator's cost."

say "build"
if [ -n "${BIN:-}" ]; then # a server binary built beforehand
	cp "$BIN" "$tmp/territoires"
	echo "server: $BIN (prebuilt)"
else
	go build -o "$tmp/territoires" ./cmd/territoires
fi
archive=${1:-}
if [ -z "$archive" ]; then
	archive="$tmp/territoires.pmtiles"
	"$tmp/territoires" build -o "$archive"
fi
archive=$(cd "$(dirname "$archive")" && pwd)/$(basename "$archive")
[ -f "$archive" ] || { echo "no archive $archive" >&2; exit 2; }
echo "archive: $(basename "$archive"), $(stat -c %s "$archive") bytes"
GOBIN="$tmp" go install "$PMTILES_MODULE"
echo "pmtiles serve: $PMTILES_MODULE"

say "extract tiles and request list"
go run ./server/bench/extract -in "$archive" -out "$tmp/www" -paths "$tmp/paths.txt" \
	-seed "${SEED:-1}" -sessions "${SESSIONS:-30}"

say "start servers"
mkdir -p "$tmp/pm" && ln -s "$archive" "$tmp/pm/bench.pmtiles"
port_ours=$(free_port)
port_pm=$(free_port)
while [ "$port_pm" = "$port_ours" ]; do port_pm=$(free_port); done
port_static=$(free_port)
while [ "$port_static" = "$port_ours" ] || [ "$port_static" = "$port_pm" ]; do port_static=$(free_port); done

# Rate limits on, as in production (each request counted per client
# address, its X-RateLimit-* headers written), at a LIMIT per minute that
# one client hammering never reaches; LIMIT=0 turns them off.
limit=${LIMIT:-1000000000}
"$tmp/territoires" serve --tiles "$archive" --addr "$HOST:$port_ours" --access-log=false --rate-limit-tiles "$limit" --rate-limit-api "$limit" >"$tmp/ours.log" 2>&1 &
pid_ours=$!
pids+=("$pid_ours")
# --cache-size: the default (MB of directories; tiles are read from the file
# each time, through the page cache). --quiet: no line per request.
"$tmp/go-pmtiles" serve "$tmp/pm" --interface="$HOST" --port="$port_pm" --quiet >"$tmp/pm.log" 2>&1 &
pid_pm=$!
pids+=("$pid_pm")

maxzoom=$(ls "$tmp/www" | sort -n | tail -1)
if command -v nginx >/dev/null; then
	static_name="nginx"
	above_re=$(seq -s'|' $((maxzoom + 1)) 40)
	mkdir -p "$tmp/nginx"
	cat >"$tmp/nginx.conf" <<EOF
worker_processes 2;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 120s;
    keepalive_requests 10000000;
    open_file_cache max=65536 inactive=120s;
    open_file_cache_valid 120s;
    open_file_cache_errors on;
    types { application/vnd.mapbox-vector-tile mvt; }
    server {
        listen $HOST:$port_static;
        root $tmp/www;
        # Same answers as ours: 404 above the archive's zooms, 204 for a
        # tile it does not hold. Files hold the archive's gzip bytes
        # (add_header applies to 200 only here).
        location ~ "^/($above_re)/" {
            return 404;
        }
        location / {
            try_files \$uri =204;
            add_header Content-Encoding gzip;
            add_header Vary Accept-Encoding;
        }
    }
}
EOF
	nginx -p "$tmp/nginx/" -e "$tmp/nginx/error.log" -c "$tmp/nginx.conf" -g 'daemon off;' >"$tmp/static.log" 2>&1 &
	static_version=$(nginx -v 2>&1 | sed 's/.*: //')
else
	static_name="gostatic"
	echo "nginx is not installed: the static baseline is a Go net/http file server, much slower than nginx, so not a ceiling (apt-get install nginx-light)"
	go build -o "$tmp/static" ./server/bench/static
	"$tmp/static" -dir "$tmp/www" -addr "$HOST:$port_static" -maxzoom "$maxzoom" >"$tmp/static.log" 2>&1 &
	static_version="Go net/http"
fi
pid_static=$!
pids+=("$pid_static")

first=$(head -1 "$tmp/paths.txt")
wait_ready() { # name url pid
	local i
	for i in $(seq 1 300); do
		kill -0 "$3" 2>/dev/null || { echo "$1 exited:" >&2; cat "$tmp"/*.log >&2; exit 1; }
		if [ "$(curl -s -o /dev/null -w '%{http_code}' "$2" || true)" = 200 ]; then
			echo "$1 ready ($2)"
			return
		fi
		sleep 0.1
	done
	echo "$1 not ready after 30 s" >&2
	exit 1
}
wait_ready ours "http://$HOST:$port_ours/readyz" "$pid_ours"
wait_ready pmtiles "http://$HOST:$port_pm/bench/$first.mvt" "$pid_pm"
wait_ready "$static_name" "http://$HOST:$port_static/$first.mvt" "$pid_static"

names=(ours pmtiles "$static_name")
declare -A base pid
base[ours]="http://$HOST:$port_ours"
base[pmtiles]="http://$HOST:$port_pm"
base[$static_name]="http://$HOST:$port_static"
declare -A prefix=([ours]=/tiles/ [pmtiles]=/bench/ [$static_name]=/)
pid[ours]=$pid_ours
pid[pmtiles]=$pid_pm
pid[$static_name]=$pid_static

say "correctness: every distinct path of the list from the three servers"
sort -u "$tmp/paths.txt" >"$tmp/distinct.txt"
for s in "${names[@]}"; do
	mkdir -p "$tmp/cmp/$s"
	awk -v b="${base[$s]}${prefix[$s]}" -v d="$tmp/cmp/$s" \
		'{ f = $0; gsub("/", "_", f); print "url = \"" b $0 ".mvt\""; print "output = \"" d "/" f "\"" }' \
		"$tmp/distinct.txt" >"$tmp/cmp/$s.curl"
	curl -s -H 'Accept-Encoding: gzip' -K "$tmp/cmp/$s.curl" -w '%{http_code}\n' >"$tmp/cmp/$s.codes"
done
paste -d' ' "$tmp/distinct.txt" "$tmp/cmp/ours.codes" "$tmp/cmp/pmtiles.codes" "$tmp/cmp/$static_name.codes" >"$tmp/cmp/all"
mismatch=0
while read -r p ours pm st; do
	f=${p//\//_}
	if [ "$ours" != "$pm" ] || [ "$ours" != "$st" ] || ! [[ $ours =~ ^(200|204|404)$ ]]; then
		echo "status mismatch $p: ours $ours, pmtiles $pm, $static_name $st"
		mismatch=$((mismatch + 1))
	elif [ "$ours" = 200 ]; then
		if ! cmp -s "$tmp/cmp/ours/$f" "$tmp/cmp/pmtiles/$f" || ! cmp -s "$tmp/cmp/ours/$f" "$tmp/cmp/$static_name/$f" ||
			! cmp -s "$tmp/cmp/ours/$f" "$tmp/www/$p.mvt"; then
			echo "body mismatch $p"
			mismatch=$((mismatch + 1))
		fi
	fi
done <"$tmp/cmp/all"
awk '{ n[$2]++ } END { printf "%d distinct paths; ours answered", NR; for (c in n) printf " %s: %d", c, n[c]; print "" }' "$tmp/cmp/all"
if [ "$mismatch" -gt 0 ]; then
	echo "FAILED: $mismatch paths differ" >&2
	exit 1
fi
echo "OK: same statuses, gzip bodies byte-identical across the three servers and the archive"
curl -s -o /dev/null -D - -H 'Accept-Encoding: gzip' "${base[ours]}/tiles/$first.mvt" | grep -qi '^content-encoding: gzip' ||
	{ echo "FAILED: ours sent no Content-Encoding: gzip" >&2; exit 1; }

ncpu=$(nproc)
clk=$(getconf CLK_TCK)
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; } # user nice system irq softirq
proc_ticks() { # pid: utime + stime of it and its children (nginx workers)
	local p kids t=0 v
	kids=$(cat /proc/"$1"/task/*/children 2>/dev/null || true)
	for p in "$1" $kids; do
		v=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' /proc/"$p"/stat 2>/dev/null || echo 0)
		t=$((t + ${v:-0}))
	done
	echo "$t"
}
rss_kb() { # pid: VmRSS and VmHWM in kB, summed over it and its children
	local p kids rss=0 hwm=0 r h
	kids=$(cat /proc/"$1"/task/*/children 2>/dev/null || true)
	for p in "$1" $kids; do
		r=$(awk '/^VmRSS/ {print $2}' /proc/"$p"/status 2>/dev/null || echo 0)
		h=$(awk '/^VmHWM/ {print $2}' /proc/"$p"/status 2>/dev/null || echo 0)
		rss=$((rss + ${r:-0}))
		hwm=$((hwm + ${h:-0}))
	done
	echo "$rss $hwm"
}
# Other work on the machine (builds, tests) skews the numbers: before each
# timed run, wait up to QUIET_WAIT seconds for the cores to be idle, and
# measure during the run how much CPU went to neither wrk nor the server.
wait_quiet() {
	local i b0 b1
	for ((i = 0; i < ${QUIET_WAIT:-30}; i++)); do
		b0=$(busy_ticks)
		sleep 1
		b1=$(busy_ticks)
		if (((b1 - b0) * 100 < 10 * clk * ncpu)); then
			return 0
		fi
	done
	echo "  (the machine is still busy after ${QUIET_WAIT:-30}s of waiting: running anyway, see other_cpu)"
}

# run_wrk server connections duration [lua args...] prints the BENCH line
# followed by the server's CPU per request and the CPU share used by other
# processes during the run.
run_wrk() {
	local s=$1 c=$2 d=$3 out b0 b1 s0 s1 wrk_cpu wall
	shift 3
	b0=$(busy_ticks)
	s0=$(proc_ticks "${pid[$s]}")
	{ TIMEFORMAT='%R %U %S'; time wrk -t"$THREADS" -c"$c" -d"$d" --latency -s server/bench/paths.lua "${base[$s]}" -- \
		list="$tmp/paths.txt" prefix="${prefix[$s]}" maxzoom="$maxzoom" "$@" >"$tmp/wrk.out" 2>&1; } 2>"$tmp/wrk.time"
	s1=$(proc_ticks "${pid[$s]}")
	b1=$(busy_ticks)
	{ echo "== $s c=$c $d $*"; cat "$tmp/wrk.out"; } >>"$tmp/wrk-$s.log"
	out=$(grep '^BENCH ' "$tmp/wrk.out") || { cat "$tmp/wrk.out" >&2; echo "FAILED: wrk against $s" >&2; exit 1; }
	read -r wall wrk_cpu < <(awk '{ print $1, $2 + $3 }' "$tmp/wrk.time")
	awk -v o="$out" -v b="$((b1 - b0))" -v sv="$((s1 - s0))" -v w="$wrk_cpu" -v wall="$wall" -v clk="$clk" -v n="$ncpu" '
		BEGIN {
			match(o, / requests=[0-9]+/); req = substr(o, RSTART + 10, RLENGTH - 10)
			other = (b - sv - w * clk) / (n * clk * wall) * 100
			printf "%s server_cpu_us_per_req=%.1f server_cpu_pct=%.0f wrk_cpu_pct=%.0f other_cpu_pct=%.0f\n",
				o, sv / clk * 1e6 / (req > 0 ? req : 1), sv / clk / wall * 100, w / wall * 100, (other > 0 ? other : 0)
		}'
}
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
# run_quiet: run_wrk after wait_quiet; a run during which other processes
# took more than 10% of the machine is done again (RETRIES times at most),
# and the quietest run is kept.
run_quiet() {
	local try line best="" best_other=101 o
	for ((try = 0; try <= ${RETRIES:-2}; try++)); do
		wait_quiet >&2
		line=$(run_wrk "$@")
		o=$(field "$line" other_cpu_pct)
		if ((o < best_other)); then
			best=$line
			best_other=$o
		fi
		((o > 10)) || break
		echo "  ($1 c=$2: other processes took $o% of the machine during the run: again)" >&2
	done
	echo "$best"
}

say "warm-up ($WARMUP, 64 connections, each server), counting every status"
for s in "${names[@]}"; do
	line=$(run_wrk "$s" 64 "$WARMUP" count=1)
	echo "$s: $(field "$line" requests) requests: 200 $(field "$line" s200), 204 $(field "$line" s204), 404 $(field "$line" s404)," \
		"other 4xx $(field "$line" s4xx), 5xx $(field "$line" s5xx), socket errors $(field "$line" sock_errors); bad $(field "$line" bad)"
	[ "$(field "$line" bad)" = 0 ] || { echo "FAILED: bad answers during the warm-up of $s" >&2; exit 1; }
done

say "throughput: wrk -t$THREADS -cC -d$DURATION --latency -s server/bench/paths.lua URL -- list=LIST prefix=PREFIX maxzoom=$maxzoom"
declare -A rps p50 p99 bad rss cpu other
failed=0
record() { # key line
	rps[$1]=$(field "$2" rps)
	p50[$1]=$(field "$2" p50_us)
	p99[$1]=$(field "$2" p99_us)
	bad[$1]=$(field "$2" bad)
	cpu[$1]=$(field "$2" server_cpu_us_per_req)
	other[$1]=$(field "$2" other_cpu_pct)
	[ "${bad[$1]}" = 0 ] || failed=1
}
for c in $CONNS; do
	for s in "${names[@]}"; do
		line=$(run_quiet "$s" "$c" "$DURATION")
		record "$s,$c" "$line"
		read -r r h < <(rss_kb "${pid[$s]}")
		rss[$s,$c]=$r
		echo "c=$c $s: $line rss_kb=$r hwm_kb=$h"
	done
done

# The machine's speed drifts from minute to minute (other jobs, the host),
# by more than the gap to measure: with ROUNDS=N (N > 1), ours and the
# static ceiling then alternate N more times at each connection count, and
# the ratio is given for each round and as their median.
if ((${ROUNDS:-1} > 1)); then
	say "alternating rounds: ours then $static_name, ${ROUNDS} times at each connection count, $DURATION each"
	for c in $CONNS; do
		ratios=()
		for ((r = 1; r <= ROUNDS; r++)); do
			lo=$(run_quiet ours "$c" "$DURATION")
			ls=$(run_quiet "$static_name" "$c" "$DURATION")
			[ "$(field "$lo" bad)" = 0 ] && [ "$(field "$ls" bad)" = 0 ] || failed=1
			ratios+=("$(awk -v a="$(field "$lo" rps)" -v b="$(field "$ls" rps)" 'BEGIN { printf "%.3f", a / b }')")
			echo "c=$c round $r: ours $(field "$lo" rps) req/s ($(field "$lo" server_cpu_us_per_req) us/r, other $(field "$lo" other_cpu_pct)%)," \
				"$static_name $(field "$ls" rps) req/s ($(field "$ls" server_cpu_us_per_req) us/r, other $(field "$ls" other_cpu_pct)%): ${ratios[-1]}x"
		done
		echo "c=$c median ours/$static_name over $ROUNDS rounds: $(printf '%s\n' "${ratios[@]}" | sort -n |
			awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')x"
	done
fi

RATE=${RATE:-2000}
RATE_CONNS=${RATE_CONNS:-32}
if [ "$RATE" != 0 ]; then
	say "latency at a fixed rate: about $RATE req/s (Poisson arrivals) over $RATE_CONNS connections, $DURATION"
	for s in "${names[@]}"; do
		line=$(run_quiet "$s" "$RATE_CONNS" "$DURATION" rate="$RATE" conns="$RATE_CONNS")
		record "$s,rate" "$line"
		echo "rate $s: $line"
	done
fi

say "results ($ncpu cores shared by wrk and the server; list of $(wc -l <"$tmp/paths.txt") requests, $(wc -l <"$tmp/distinct.txt") distinct tiles)"
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
printf '%-6s %-8s %8s %7s %8s %9s %7s %6s %4s\n' conns server "req/s" "p50 ms" "p99 ms" "CPU us/r" "RSS MB" "other" bad
row() { # key label server
	printf '%-6s %-8s %8.0f %7s %8s %9s %7s %5s%% %4s\n' "$2" "$3" "${rps[$1]}" "$(ms "${p50[$1]}")" "$(ms "${p99[$1]}")" \
		"${cpu[$1]}" "${4:--}" "${other[$1]}" "${bad[$1]}"
}
for c in $CONNS; do
	for s in "${names[@]}"; do
		row "$s,$c" "$c" "$s" "$(awk -v k="${rss[$s,$c]}" 'BEGIN { printf "%.1f", k / 1024 }')"
	done
done
if [ "$RATE" != 0 ]; then
	for s in "${names[@]}"; do row "$s,rate" "@$RATE" "$s"; done
fi
echo "(CPU us/r: server CPU time per request, user + system; other: share of the machine used by other processes during the run)"
echo
printf '%-6s %14s %14s\n' conns "ours/pmtiles" "ours/$static_name"
for c in $CONNS; do
	printf '%-6s %13.2fx %13.2fx\n' "$c" \
		"$(awk -v a="${rps[ours,$c]}" -v b="${rps[pmtiles,$c]}" 'BEGIN { print a / b }')" \
		"$(awk -v a="${rps[ours,$c]}" -v b="${rps[$static_name,$c]}" 'BEGIN { print a / b }')"
done
echo
echo "peak RSS (VmHWM; nginx: master + workers):"
for s in "${names[@]}"; do
	read -r r h < <(rss_kb "${pid[$s]}")
	printf '  %-9s %7.1f MB\n' "$s" "$(awk -v k="$h" 'BEGIN { print k / 1024 }')"
done
echo "static ceiling: $static_version; pmtiles serve: $PMTILES_MODULE, default --cache-size (64 MB of directories; tiles read from the file)"

say "goal: ours >= 1.5x pmtiles serve throughput, p99 < 5 ms, >= 0.5x the static ceiling"
for c in $CONNS; do
	awk -v c="$c" -v o="${rps[ours,$c]}" -v p="${rps[pmtiles,$c]}" -v n="${rps[$static_name,$c]}" -v q="${p99[ours,$c]}" \
		'BEGIN { printf "c=%-4s vs pmtiles %.2fx %s | p99 %.2f ms %s | vs static %.2fx %s\n", c,
			o / p, (o >= 1.5 * p ? "met" : "NOT met"), q / 1000, (q < 5000 ? "met" : "NOT met"), o / n, (o >= 0.5 * n ? "met" : "NOT met") }'
done
if [ "$RATE" != 0 ]; then
	awk -v r="$RATE" -v q="${p99[ours,rate]}" -v qn="${p99[$static_name,rate]}" \
		'BEGIN { printf "at %s req/s: p99 %.2f ms %s (static ceiling: %.2f ms)\n", r, q / 1000, (q < 5000 ? "met" : "NOT met"), qn / 1000 }'
fi
echo "(the whole benchmark took ${SECONDS}s)"
if [ "$failed" != 0 ]; then
	echo "FAILED: some runs had 5xx, unexpected 4xx or socket errors (see the lines above)" >&2
	exit 1
fi
