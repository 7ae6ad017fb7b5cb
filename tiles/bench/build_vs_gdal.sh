#!/usr/bin/env bash
# Compare `territoires build` (PMTiles) with GDAL's MVT writer (MBTiles) on
# the same layer files, per-layer zoom ranges, tile fields, extent, buffer
# and simplification tolerance. See tiles/bench/README.md.
#
#   bash tiles/bench/build_vs_gdal.sh            # from the repository root
#
# Environment knobs:
#   RUNS=3                 repetitions of each build (median reported)
#   WORKERS=$(nproc)       goroutines for ours, GDAL_NUM_THREADS for GDAL
#   DATA=data              dataset folder (manifest.json + layer files)
#   GDAL_SIMPLIFICATION=   GDAL SIMPLIFICATION factor; default: our
#                          Tolerance (tiles.DefaultOptions), 0 = GDAL default
#   GDAL_SIMPLIFICATION_MAX_ZOOM=  the same at the highest zoom; default: our
#                          MaxZoomTolerance (or GDAL_SIMPLIFICATION when set)
#   KEEP=1                 keep the work folder (path printed) for inspection
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

RUNS="${RUNS:-3}"
WORKERS="${WORKERS:-$(nproc)}"
DATA="${DATA:-data}"
DATA_ABS="$(cd "$DATA" && pwd)"

need() { # need CMD HINT
	if ! command -v "$1" >/dev/null 2>&1; then
		echo "build_vs_gdal: '$1' not found. $2" >&2
		exit 1
	fi
}
need ogr2ogr "Install GDAL (>= 3.0, with MVT write support): sudo apt-get install gdal-bin"
need ogrinfo "Install GDAL: sudo apt-get install gdal-bin"
need go "Install Go (see go.mod for the version)."
if [[ ! -x /usr/bin/time ]]; then
	echo "build_vs_gdal: GNU time (/usr/bin/time) not found: sudo apt-get install time" >&2
	exit 1
fi
if ! ogrinfo --formats 2>/dev/null | grep -q '^ *MVT .*(rw'; then
	echo "build_vs_gdal: this GDAL has no MVT writer (needs SQLite and GEOS support)" >&2
	exit 1
fi

WORK="$(mktemp -d)"
cleanup() {
	if [[ "${KEEP:-0}" == 1 ]]; then
		echo "work folder kept: $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT

# --- helper: reads the build options and inspects both archives ----------
# It lives in a throw-away module of the work folder, joined to this module
# with a go.work, so it sees tiles.DefaultOptions() and the go.sum of this
# repository without touching the tree.
mkdir -p "$WORK/helper"
printf 'module benchhelper\n\ngo %s\n' "$(go mod edit -json | sed -n 's/^[[:space:]]*"Go": "\(.*\)",*$/\1/p')" >"$WORK/helper/go.mod"
printf 'go %s\n\nuse (\n\t./helper\n\t%s\n)\n' "$(go mod edit -json | sed -n 's/^[[:space:]]*"Go": "\(.*\)",*$/\1/p')" "$ROOT" >"$WORK/go.work"
cat >"$WORK/helper/main.go" <<'EOF'
package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/paulmach/orb/encoding/mvt"
	"github.com/protomaps/go-pmtiles/pmtiles"
	_ "modernc.org/sqlite"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/tiles"
)

func main() {
	var err error
	switch os.Args[1] {
	case "config":
		err = config(os.Args[2], os.Args[3])
	case "report":
		err = report(os.Args[2], os.Args[3])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(1)
	}
}

var esc = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace // attributes
var escText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

// config writes layers.vrt (one OGR VRT layer per manifest layer, keeping
// id + the tile fields) and conf.json (the MVT driver's per-layer zooms),
// and prints the shell variables the script needs.
func config(dataDir, work string) error {
	f, err := os.Open(filepath.Join(dataDir, dataset.ManifestFile))
	if err != nil {
		return err
	}
	defer f.Close()
	m, err := dataset.ReadManifest(f)
	if err != nil {
		return err
	}
	opts := tiles.DefaultOptions()
	var vrt strings.Builder
	vrt.WriteString("<OGRVRTDataSource>\n")
	conf := map[string]map[string]int{}
	minZ, maxZ := 99, -1
	var counts []string
	for _, l := range m.Layers {
		lt, ok := opts.Layers[l.ID]
		if !ok {
			return fmt.Errorf("layer %q has no tiling options", l.ID)
		}
		cols := []string{`"` + tiles.PropID + `"`}
		if lt.Fields == nil {
			cols = []string{"*"}
		}
		for _, name := range lt.Fields {
			cols = append(cols, `"`+name+`"`)
		}
		src := "/vsigzip/" + filepath.Join(dataDir, l.File)
		if !strings.HasSuffix(l.File, ".gz") {
			src = filepath.Join(dataDir, l.File)
		}
		srcLayer := strings.TrimSuffix(filepath.Base(l.File), ".gz")
		fmt.Fprintf(&vrt, "  <OGRVRTLayer name=\"%s\">\n    <SrcDataSource>%s</SrcDataSource>\n    <SrcSQL>SELECT %s FROM %s</SrcSQL>\n  </OGRVRTLayer>\n",
			esc(l.ID), escText(src), escText(strings.Join(cols, ", ")), escText(`"`+srcLayer+`"`))
		conf[l.ID] = map[string]int{"minzoom": lt.MinZoom, "maxzoom": lt.MaxZoom}
		minZ, maxZ = min(minZ, lt.MinZoom), max(maxZ, lt.MaxZoom)
		counts = append(counts, fmt.Sprintf("%s:%d", l.ID, l.Count))
	}
	vrt.WriteString("</OGRVRTDataSource>\n")
	if err := os.WriteFile(filepath.Join(work, "layers.vrt"), []byte(vrt.String()), 0o644); err != nil {
		return err
	}
	cj, _ := json.MarshalIndent(conf, "", "  ")
	if err := os.WriteFile(filepath.Join(work, "conf.json"), cj, 0o644); err != nil {
		return err
	}
	fmt.Printf("MINZOOM=%d\nMAXZOOM=%d\nEXTENT=%d\nBUFFER=%d\nTOLERANCE=%g\nMAX_ZOOM_TOLERANCE=%g\nLAYER_COUNTS=%q\n",
		minZ, maxZ, tiles.Extent, opts.Buffer, opts.Tolerance, opts.MaxZoomTolerance, strings.Join(counts, " "))
	return nil
}

type tile struct {
	z, x, y int
	data    []byte
}

func readPMTiles(path string) ([]tile, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	h, err := pmtiles.DeserializeHeader(b[:pmtiles.HeaderV3LenBytes])
	if err != nil {
		return nil, 0, err
	}
	var out []tile
	var walk func(off, n uint64) error
	walk = func(off, n uint64) error {
		for _, e := range pmtiles.DeserializeEntries(bytes.NewBuffer(b[off:off+n]), h.InternalCompression) {
			if e.RunLength == 0 {
				if err := walk(h.LeafDirectoryOffset+e.Offset, uint64(e.Length)); err != nil {
					return err
				}
				continue
			}
			data := b[h.TileDataOffset+e.Offset : h.TileDataOffset+e.Offset+uint64(e.Length)]
			for i := uint64(0); i < uint64(e.RunLength); i++ {
				z, x, y := pmtiles.IDToZxy(e.TileID + i)
				out = append(out, tile{int(z), int(x), int(y), data})
			}
		}
		return nil
	}
	if err := walk(h.RootOffset, h.RootLength); err != nil {
		return nil, 0, err
	}
	return out, int(h.TileDataLength), nil
}

func readMBTiles(path string) ([]tile, int, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return nil, 0, err
	}
	defer db.Close()
	var js string
	if err := db.QueryRow("SELECT value FROM metadata WHERE name = 'json'").Scan(&js); err != nil {
		return nil, 0, fmt.Errorf("%s: metadata json: %w", path, err)
	}
	var meta struct {
		VectorLayers []struct {
			ID               string
			MinZoom, MaxZoom int
		} `json:"vector_layers"`
	}
	if err := json.Unmarshal([]byte(js), &meta); err != nil {
		return nil, 0, err
	}
	fmt.Print("GDAL metadata vector_layers:")
	for _, l := range meta.VectorLayers {
		fmt.Printf(" %s z%d-%d", l.ID, l.MinZoom, l.MaxZoom)
	}
	fmt.Println()
	rows, err := db.Query("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []tile
	sum := 0
	for rows.Next() {
		var t tile
		if err := rows.Scan(&t.z, &t.x, &t.y, &t.data); err != nil {
			return nil, 0, err
		}
		t.y = (1 << t.z) - 1 - t.y // TMS → XYZ
		sum += len(t.data)
		out = append(out, t)
	}
	return out, sum, rows.Err()
}

type summary struct {
	name               string
	tiles, sum, stored int
	largest            tile
	over               int // tiles over 500000 bytes (GDAL's default MAX_SIZE)
	perZoom            map[int][2]int
	ids                map[string]map[int]map[string]bool // layer → zoom → ids
	clusters           map[string]map[int]int             // cluster points (with tile repeats)
	layers             []string
}

func summarize(name string, ts []tile, stored int) (*summary, error) {
	s := &summary{name: name, tiles: len(ts), stored: stored, perZoom: map[int][2]int{},
		ids: map[string]map[int]map[string]bool{}, clusters: map[string]map[int]int{}}
	for _, t := range ts {
		s.sum += len(t.data)
		if len(t.data) > len(s.largest.data) {
			s.largest = t
		}
		if len(t.data) > 500000 {
			s.over++
		}
		pz := s.perZoom[t.z]
		s.perZoom[t.z] = [2]int{pz[0] + 1, pz[1] + len(t.data)}
		layers, err := mvt.UnmarshalGzipped(t.data)
		if err != nil {
			return nil, fmt.Errorf("%s: tile %d/%d/%d: %w", name, t.z, t.x, t.y, err)
		}
		for _, l := range layers {
			if s.ids[l.Name] == nil {
				s.ids[l.Name] = map[int]map[string]bool{}
				s.clusters[l.Name] = map[int]int{}
				s.layers = append(s.layers, l.Name)
			}
			if s.ids[l.Name][t.z] == nil {
				s.ids[l.Name][t.z] = map[string]bool{}
			}
			for _, f := range l.Features {
				if id, ok := f.Properties[tiles.PropID].(string); ok {
					s.ids[l.Name][t.z][id] = true
				} else if _, ok := f.Properties[tiles.PropPointCount]; ok {
					s.clusters[l.Name][t.z]++
				}
			}
		}
	}
	sort.Strings(s.layers)
	return s, nil
}

// report prints the per-zoom bytes and the features found per layer and
// zoom for both archives, then machine-readable summary lines.
func report(ours, gdal string) error {
	ot, ostored, err := readPMTiles(ours)
	if err != nil {
		return err
	}
	gt, gstored, err := readMBTiles(gdal)
	if err != nil {
		return err
	}
	o, err := summarize("ours", ot, ostored)
	if err != nil {
		return err
	}
	g, err := summarize("gdal", gt, gstored)
	if err != nil {
		return err
	}
	fmt.Println("Tiles and tile bytes (gzipped MVT, every addressed tile) per zoom:")
	fmt.Printf("%4s %10s %14s %10s %14s %8s\n", "zoom", "ours tiles", "ours bytes", "gdal tiles", "gdal bytes", "gdal/ours")
	for z := 0; z <= 22; z++ {
		a, b := o.perZoom[z], g.perZoom[z]
		if a[0] == 0 && b[0] == 0 {
			continue
		}
		ratio := "-"
		if a[1] > 0 {
			ratio = fmt.Sprintf("%.2f", float64(b[1])/float64(a[1]))
		}
		fmt.Printf("%4d %10d %14d %10d %14d %8s\n", z, a[0], a[1], b[0], b[1], ratio)
	}
	for _, s := range []*summary{o, g} {
		fmt.Printf("\nDistinct feature ids per layer and zoom, %s (+N: cluster points, counted once per tile):\n", s.name)
		fmt.Printf("%-13s", "layer")
		for z := 0; z <= 12; z++ {
			fmt.Printf(" %6s", fmt.Sprintf("z%d", z))
		}
		fmt.Println()
		for _, l := range s.layers {
			fmt.Printf("%-13s", l)
			for z := 0; z <= 12; z++ {
				v := "-"
				if n := len(s.ids[l][z]); n > 0 || s.clusters[l][z] > 0 {
					v = fmt.Sprint(n)
					if c := s.clusters[l][z]; c > 0 {
						v += fmt.Sprintf("+%d", c)
					}
				}
				fmt.Printf(" %6s", v)
			}
			fmt.Println()
		}
	}
	fmt.Println()
	for _, s := range []*summary{o, g} {
		lt := s.largest
		fmt.Printf("SUMMARY %s tiles=%d tilebytes=%d stored=%d largest=%d largest_at=%d/%d/%d over500k=%d\n",
			s.name, s.tiles, s.sum, s.stored, len(lt.data), lt.z, lt.x, lt.y, s.over)
	}
	return nil
}
EOF

echo "== compiling (not timed)"
( cd "$WORK/helper" && GOWORK="$WORK/go.work" go build -o "$WORK/bench-helper" . )
go build -o "$WORK/territoires" ./cmd/territoires

eval "$("$WORK/bench-helper" config "$DATA_ABS" "$WORK")"
SIMPLIFICATION="${GDAL_SIMPLIFICATION:-$TOLERANCE}"
SIMPLIFICATION_MAX_ZOOM="${GDAL_SIMPLIFICATION_MAX_ZOOM:-${GDAL_SIMPLIFICATION:-$MAX_ZOOM_TOLERANCE}}"

# GDAL reads the same features as our loader (counts from the manifest).
for lc in $LAYER_COUNTS; do
	layer="${lc%%:*}" want="${lc##*:}"
	got="$(ogrinfo -ro -so "$WORK/layers.vrt" "$layer" | sed -n 's/^Feature Count: //p')"
	if [[ "$got" != "$want" ]]; then
		echo "build_vs_gdal: GDAL reads $got features in layer $layer, the manifest says $want" >&2
		exit 1
	fi
done

OURS=("$WORK/territoires" build -o "$WORK/ours.pmtiles" --data "$DATA_ABS" --workers "$WORKERS")
GDAL=(ogr2ogr -f MVT "$WORK/gdal.mbtiles" "$WORK/layers.vrt" -preserve_fid
	-dsco FORMAT=MBTILES
	-dsco MINZOOM="$MINZOOM" -dsco MAXZOOM="$MAXZOOM" -dsco CONF="$WORK/conf.json"
	-dsco EXTENT="$EXTENT" -dsco BUFFER="$BUFFER"
	-dsco SIMPLIFICATION="$SIMPLIFICATION" -dsco SIMPLIFICATION_MAX_ZOOM="$SIMPLIFICATION_MAX_ZOOM"
	-dsco MAX_SIZE=2147483647 -dsco MAX_FEATURES=2147483647
	-dsco COMPRESS=YES)

echo "== machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM; $(go version | cut -d' ' -f3); $(ogr2ogr --version)"
echo "== layers.vrt (GDAL input; paths are the work folder's):"
sed "s#$DATA_ABS#\$DATA#g" "$WORK/layers.vrt"
echo "== conf.json: $(tr -d ' \n' <"$WORK/conf.json")"
echo "== ours: territoires build -o ours.pmtiles --data $DATA --workers $WORKERS"
echo "== gdal: GDAL_NUM_THREADS=$WORKERS ${GDAL[*]}" | sed "s#$WORK/##g"

run() { # run NAME OUTFILE CMD... : one timed run, appends "secs rss_kb" to $WORK/NAME.times
	local name="$1" out="$2"
	shift 2
	rm -rf "$out"
	local load
	load="$(cut -d' ' -f1 /proc/loadavg)"
	if ! /usr/bin/time -f '%e %M %U %S' -o "$WORK/time.txt" "$@" >"$WORK/$name.log" 2>&1; then
		echo "build_vs_gdal: $name build failed:" >&2
		cat "$WORK/$name.log" >&2
		exit 1
	fi
	cat "$WORK/time.txt" >>"$WORK/$name.times"
	read -r secs kb user sys <"$WORK/time.txt"
	printf '   %-4s run %d: %6.1f s wall  %6.1f s CPU  %6.0f MB peak RSS  (load average before: %s)\n' \
		"$name" "$i" "$secs" "$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')" "$(awk -v k="$kb" 'BEGIN {print k / 1024}')" "$load"
}

echo "== $RUNS runs each, alternating"
for ((i = 1; i <= RUNS; i++)); do
	run ours "$WORK/ours.pmtiles" "${OURS[@]}"
	run gdal "$WORK/gdal.mbtiles" env GDAL_NUM_THREADS="$WORKERS" "${GDAL[@]}"
done
grep -h '^wrote' "$WORK/ours.log" | sed "s#$WORK/##; s/^/   ours: /"
if grep -qv '^[[:space:]]*$' "$WORK/gdal.log"; then
	echo "   gdal said:"
	sed 's/^/     /' "$WORK/gdal.log" | head -20
fi

# Validation: GDAL's archive has every layer, with its zoom range.
echo "== GDAL archive layers (ogrinfo):"
ogrinfo -ro -q "$WORK/gdal.mbtiles" | grep -E '^[0-9]+: ' | tr '\n' ';' | sed 's/^/   /; s/;$/\n/'

echo "== inspecting both archives"
"$WORK/bench-helper" report "$WORK/ours.pmtiles" "$WORK/gdal.mbtiles" | tee "$WORK/report.txt" | grep -v '^SUMMARY'

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }
field() { sed -n "s/^SUMMARY $1 .*\b$2=\([^ ]*\).*/\1/p" "$WORK/report.txt"; }
for n in ours gdal; do
	declare "${n}_secs=$(cut -d' ' -f1 "$WORK/$n.times" | median)"
	declare "${n}_cpu=$(awk '{print $3 + $4}' "$WORK/$n.times" | median)"
	declare "${n}_mb=$(cut -d' ' -f2 "$WORK/$n.times" | median | awk '{printf "%.0f", $1/1024}')"
done
ours_size="$(stat -c %s "$WORK/ours.pmtiles")"
gdal_size="$(stat -c %s "$WORK/gdal.mbtiles")"
gdal_name="GDAL $(ogr2ogr --version | cut -d' ' -f2 | tr -d ,) (MBTiles)"

row() { printf '| %-22s | %7s | %7s | %8s | %13s | %13s | %6s | %19s |\n' "$@"; }
echo
echo "== results (median of $RUNS runs; $WORKERS workers/threads)"
row build "wall s" "CPU s" "RSS MB" "archive bytes" "tile bytes" tiles "largest tile bytes"
echo "|------------------------|--------:|--------:|---------:|--------------:|--------------:|-------:|--------------------:|"
row "ours (PMTiles)" "$ours_secs" "$ours_cpu" "$ours_mb" "$ours_size" "$(field ours tilebytes)" "$(field ours tiles)" "$(field ours largest) ($(field ours largest_at))"
row "$gdal_name" "$gdal_secs" "$gdal_cpu" "$gdal_mb" "$gdal_size" "$(field gdal tilebytes)" "$(field gdal tiles)" "$(field gdal largest) ($(field gdal largest_at))"
echo
awk -v ot="$ours_secs" -v gt="$gdal_secs" -v oc="$ours_cpu" -v gc="$gdal_cpu" -v om="$ours_mb" -v gm="$gdal_mb" \
	-v os="$ours_size" -v gs="$gdal_size" -v ob="$(field ours tilebytes)" -v gb="$(field gdal tilebytes)" 'BEGIN {
	printf "GDAL / ours: wall time %.2f, CPU time %.2f, peak RSS %.2f, archive %.2f, tile bytes %.2f\n", gt / ot, gc / oc, gm / om, gs / os, gb / ob
}'
echo "fastest run: ours $(cut -d' ' -f1 "$WORK/ours.times" | sort -n | head -1) s, GDAL $(cut -d' ' -f1 "$WORK/gdal.times" | sort -n | head -1) s wall (other load on the machine only adds time)"
echo "(tile bytes: every addressed tile counted, no container; ours stores $(field ours stored) bytes of tile data, identical tiles once;"
echo " GDAL tiles over 500000 bytes, which GDAL's default MAX_SIZE would have shrunk or thinned: $(field gdal over500k))"
