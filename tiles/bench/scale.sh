#!/usr/bin/env bash
# How the tile build's time and memory grow with the data: the real data,
# then the real data plus 1 and 4 million synthetic points (seeded, around
# the training centres; see tiles/bench/scale/main.go). Each dataset is
# made first (not timed), then built under GNU time. See tiles/bench/README.md.
#
#   bash tiles/bench/scale.sh            # from the repository root
#
# Environment knobs:
#   POINTS="0 1000000 4000000"   synthetic points of each build
#   SEED=1                       random seed of the synthetic points
#   DATA=data                    the real dataset folder
#   KEEP=1                       keep the work folder (path printed)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
POINTS="${POINTS:-0 1000000 4000000}"
SEED="${SEED:-1}"
DATA="${DATA:-data}"

command -v go >/dev/null || { echo "scale: Go is needed (see go.mod)" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "scale: GNU time (/usr/bin/time) not found: sudo apt-get install time" >&2; exit 1; }

WORK="$(mktemp -d)"
cleanup() { if [[ "${KEEP:-0}" == 1 ]]; then echo "work folder kept: $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

go build -o "$WORK/scale" ./tiles/bench/scale
echo "== machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, $(go version | cut -d' ' -f3)"
row() { printf '| %12s | %10s | %7s | %7s | %8s | %11s | %12s | %5s |\n' "$@"; }
row "synthetic" "features" "wall s" "CPU s" "RSS MB" "archive MB" "temp runs MB" "runs"
echo "|-------------:|-----------:|--------:|--------:|---------:|------------:|-------------:|------:|"
for n in $POINTS; do
	dir="$WORK/plus$n"
	"$WORK/scale" gen -n "$n" -seed "$SEED" -data "$DATA" -out "$dir"
	load="$(cut -d' ' -f1 /proc/loadavg)"
	/usr/bin/time -f '%e %M %U %S' -o "$WORK/time.txt" "$WORK/scale" build -data "$dir" -o "$WORK/plus$n.pmtiles" >"$WORK/build.txt"
	read -r secs kb user sys <"$WORK/time.txt"
	result="$(sed -n 's/^RESULT //p' "$WORK/build.txt")"
	get() { sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" <<<"$result"; }
	row "$n" "$(get features)" "$secs" "$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')" "$(awk -v k="$kb" 'BEGIN {printf "%.0f", k / 1024}')" \
		"$(awk -v b="$(get bytes)" 'BEGIN {printf "%.1f", b / 1e6}')" "$(awk -v b="$(get temp_bytes)" 'BEGIN {printf "%.0f", b / 1e6}')" "$(get runs)"
	echo "$n $secs $kb" >>"$WORK/rows.txt"
	echo "   (load average before: $load; largest tile $(get largest) bytes, $(get tiles) tiles)" >&2
	rm -rf "$dir" "$WORK/plus$n.pmtiles"
done
awk 'NR == 1 {n0 = $1; t0 = $2; m0 = $3} NR > 1 {printf "+%d points: %.1f s more than the real data (%.1f s per million points), peak RSS %.2f× the real data'"'"'s\n", $1 - n0, $2 - t0, ($2 - t0) / (($1 - n0) / 1e6), $3 / m0}' "$WORK/rows.txt"
