package server

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/index"
)

const (
	mediaCSV = "text/csv; charset=utf-8; header=present"
	bom      = "\uFEFF"
)

// readCSV checks the framing of a CSV answer (byte-order mark, CRLF line
// ends) and parses it strictly: RFC 4180 quotes only, every record with
// the header's number of fields. It returns the header and the rows.
func readCSV(tb testing.TB, body []byte) (header []string, rows [][]string) {
	tb.Helper()
	if !bytes.HasPrefix(body, []byte(bom)) {
		tb.Fatalf("no UTF-8 byte-order mark: %q", snippetOf(body))
	}
	body = body[len(bom):]
	if !bytes.HasSuffix(body, []byte("\r\n")) || bytes.Count(body, []byte("\n")) != bytes.Count(body, []byte("\r\n")) {
		tb.Errorf("line ends are not all CRLF: %q", snippetOf(body))
	}
	firstLine, _, _ := bytes.Cut(body, []byte("\r\n"))
	r := csv.NewReader(bytes.NewReader(body))
	r.LazyQuotes = false
	r.FieldsPerRecord = bytes.Count(firstLine, []byte(",")) + 1 // header names hold no comma
	records, err := r.ReadAll()
	if err != nil {
		tb.Fatalf("not strict RFC 4180 CSV: %v\n%s", err, snippetOf(body))
	}
	return records[0], records[1:]
}

// getCSV asks target and checks the headers of a CSV download named
// filename.
func getCSV(tb testing.TB, s *Server, target, filename string) (*http.Response, []string, [][]string) {
	tb.Helper()
	resp, body := do(tb, s, "GET", target, nil)
	if resp.StatusCode != 200 {
		tb.Fatalf("%s: %d %s", target, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != mediaCSV {
		tb.Errorf("%s: Content-Type %q, want %q", target, ct, mediaCSV)
	}
	if cd, want := resp.Header.Get("Content-Disposition"), `attachment; filename="`+filename+`"`; cd != want {
		tb.Errorf("%s: Content-Disposition %q, want %q", target, cd, want)
	}
	header, rows := readCSV(tb, body)
	return resp, header, rows
}

// formulaStart are the first characters a spreadsheet runs as a formula.
const formulaStart = "=+-@\t\r"

// wantCell is the cell a JSON value must become; numbers are compared as
// numbers (checkCell).
func wantCell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if x != "" && strings.ContainsRune(formulaStart, rune(x[0])) {
			x = "'" + x
		}
		// Line breaks are written CRLF, and read back as \n: a carriage
		// return of the text does not come back (encoding/csv).
		return strings.ReplaceAll(x, "\r", "")
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// checkCell: the cell holds the JSON value v (decoded by encoding/json:
// numbers are float64): a number must be written as a plain number.
func checkCell(t *testing.T, where, col, cell string, v any) {
	t.Helper()
	if x, ok := v.(float64); ok {
		got, err := strconv.ParseFloat(cell, 64)
		if err != nil || got != x {
			t.Errorf("%s %s: cell %q, want the number %v", where, col, cell, x)
		}
		return
	}
	if want := wantCell(v); cell != want {
		t.Errorf("%s %s: cell %q, want %q", where, col, cell, want)
	}
}

// wantColumns is the header of an export of the asked layers: the leading
// columns, then the layers' fields in manifest order, once each, only
// those of keep when given.
func wantColumns(m dataset.Manifest, asked, keep []string, distance bool) []string {
	cols := []string{"id", "layer", "name"}
	if distance {
		cols = append(cols, "distance_m")
	}
	cols = append(cols, "lon", "lat")
	for _, l := range m.Layers {
		if !slices.Contains(asked, l.ID) {
			continue
		}
		for _, f := range l.Fields {
			if (keep == nil || slices.Contains(keep, f.Name)) && !slices.Contains(cols, f.Name) {
				cols = append(cols, f.Name)
			}
		}
	}
	return cols
}

// compareWithJSON: the rows are the JSON results, in order, cell by cell.
func compareWithJSON(t *testing.T, header []string, rows [][]string, results []Result) {
	t.Helper()
	if len(rows) != len(results) {
		t.Fatalf("%d rows, JSON has %d results", len(rows), len(results))
	}
	for i, r := range results {
		row := map[string]string{}
		for j, col := range header {
			row[col] = rows[i][j]
		}
		where := fmt.Sprintf("row %d (%s)", i+1, r.ID)
		checkCell(t, where, "id", row["id"], r.ID)
		checkCell(t, where, "layer", row["layer"], r.Layer)
		checkCell(t, where, "name", row["name"], r.Name)
		checkCell(t, where, "lon", row["lon"], r.Lon)
		checkCell(t, where, "lat", row["lat"], r.Lat)
		if d, ok := row["distance_m"]; ok != (r.DistanceM != nil) {
			t.Errorf("%s: distance_m column %v, JSON distance %v", where, ok, r.DistanceM)
		} else if ok {
			checkCell(t, where, "distance_m", d, *r.DistanceM)
		}
		for k, v := range r.Properties {
			if _, ok := row[k]; !ok {
				t.Errorf("%s: property %s has no column", where, k)
				continue
			}
			if k != "name" { // the leading column, checked above
				checkCell(t, where, k, row[k], v)
			}
		}
		for col, cell := range row {
			if _, ok := r.Properties[col]; !ok && !slices.Contains([]string{"id", "layer", "name", "distance_m", "lon", "lat"}, col) && cell != "" {
				t.Errorf("%s %s: cell %q where the JSON has no value", where, col, cell)
			}
		}
	}
}

// getJSONList is the plain JSON answer of target.
func getJSONList(t *testing.T, s *Server, target string) listBody {
	t.Helper()
	resp, body := do(t, s, "GET", target, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s", target, resp.StatusCode, body)
	}
	var lb listBody
	if err := json.Unmarshal(body, &lb); err != nil {
		t.Fatal(err)
	}
	return lb
}

// TestListCSVMatchesJSON: format=csv on every list route gives the rows
// of the JSON answer to the same query, field by field, with the same
// caching and CORS headers.
func TestListCSVMatchesJSON(t *testing.T) {
	s := realServer(t)
	nearbyDefault := realCatalog.Registry.NearbyIDs()
	tests := []struct {
		name, query, filename string
		asked, keep           []string
		distance              bool
		check                 func(t *testing.T, header []string, rows [][]string)
	}{
		{name: "nearby, default layers", query: "/api/nearby?lat=45.764&lon=4.8357&k=30",
			filename: "territoires-nearby.csv", asked: nearbyDefault, distance: true},
		{name: "nearby in Brittany: negative longitudes stay numbers", query: "/api/nearby?lat=48.39&lon=-4.49&k=20&layers=formations",
			filename: "territoires-nearby-formations.csv", asked: []string{"formations"}, distance: true,
			check: func(t *testing.T, header []string, rows [][]string) {
				lon := slices.Index(header, "lon")
				for _, r := range rows {
					if x, err := strconv.ParseFloat(r[lon], 64); err != nil || x >= 0 {
						t.Errorf("lon %q is not a negative number", r[lon])
					}
				}
			}},
		{name: "within, several layers and filters", query: "/api/within?lat=46.2567&lon=5.6553&radius_km=40&layers=communes,sites,territoires&period=2023-2027&limit=200",
			filename: "territoires-within.csv", asked: []string{"communes", "sites", "territoires"}, distance: true,
			check: func(t *testing.T, header []string, rows [][]string) {
				if !slices.ContainsFunc(rows, func(r []string) bool { return r[2] == "Valserhône" }) {
					t.Error("no row named Valserhône: accents lost?")
				}
			}},
		{name: "within, fields", query: "/api/within?lat=45.764&lon=4.8357&radius_km=50&layers=formations&category=cfa_uimm&fields=name,code_insee,siret&limit=1000",
			filename: "territoires-within-formations.csv", asked: []string{"formations"}, keep: []string{"name", "code_insee", "siret"}, distance: true},
		{name: "search, every layer", query: "/api/search?q=chalon&limit=20",
			filename: "territoires-search.csv", asked: realCatalog.Index.Layers(),
			check: func(t *testing.T, header []string, rows [][]string) {
				if !slices.ContainsFunc(rows, func(r []string) bool { return r[2] == "Chalon-sur-Saône" }) {
					t.Error("no row named Chalon-sur-Saône: accents lost?")
				}
			}},
		{name: "search with a point: distances", query: "/api/search?q=saint&lat=43.6&lon=1.44&layers=communes,acv&limit=50",
			filename: "territoires-search.csv", asked: []string{"communes", "acv"}, distance: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jsonResp, _ := do(t, s, "GET", tt.query, map[string]string{"Origin": "https://example.org"})
			lb := getJSONList(t, s, tt.query)
			if len(lb.Results) < 2 {
				t.Fatalf("%s: %d results, too few to compare", tt.query, len(lb.Results))
			}
			target := tt.query + "&format=csv"
			resp, body := do(t, s, "GET", target, map[string]string{"Origin": "https://example.org"})
			if resp.StatusCode != 200 {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
			for _, h := range []string{"Cache-Control", "Access-Control-Allow-Origin", "Vary"} {
				if got, want := resp.Header.Get(h), jsonResp.Header.Get(h); got != want {
					t.Errorf("%s %q, JSON %q", h, got, want)
				}
			}
			_, header, rows := getCSV(t, s, target, tt.filename)
			if want := wantColumns(realCatalog.Manifest, tt.asked, tt.keep, tt.distance); !slices.Equal(header, want) {
				t.Errorf("header\n%v\nwant\n%v", header, want)
			}
			compareWithJSON(t, header, rows, lb.Results)
			if tt.check != nil {
				tt.check(t, header, rows)
			}
		})
	}
}

// csvFixture: sites whose texts a spreadsheet would run as formulas, or
// that need quoting, with typed fields, some of them negative.
func csvFixture() *dataset.Dataset {
	src := []dataset.Source{{Name: "fixture", Licence: "Licence Ouverte 2.0", Vintage: "2026"}}
	info := dataset.LayerInfo{ID: "sites", Title: "Sites", Geometry: dataset.GeometryPoint, Sources: src, Fields: []dataset.Field{
		{Name: "name", Type: dataset.TypeString, Required: true},
		{Name: "commune", Type: dataset.TypeString},
		{Name: "altitude", Type: dataset.TypeNumber},
		{Name: "rang", Type: dataset.TypeInteger},
		{Name: "ouvert", Type: dataset.TypeBoolean},
	}}
	names := []string{
		`=HYPERLINK("http://example.org","clic")`, "+33 1 23 45 67 89", "-2+3", "@SUM(A1:A2)", "\tTabulé", "\rRetour",
		"Virgule, \"guillemets\"\net ligne", "Saint-Étienne-du-Rouvray", "Côte-d’Or = 21",
	}
	l := dataset.Layer{Info: info}
	for i, n := range names {
		p := map[string]any{"name": n, "rang": int64(-i), "ouvert": i%2 == 0}
		if i%3 != 2 {
			p["altitude"] = -12.5 + float64(i)
			p["commune"] = "-" + n // a text of a field other than name
		}
		l.Features = append(l.Features, dataset.Feature{ID: fmt.Sprintf("site-%d", i), Geometry: orb.Point{-1.5 - float64(i)/100, 47}, Properties: p})
	}
	l.Info.Count = len(l.Features)
	return &dataset.Dataset{Manifest: dataset.Manifest{Title: "CSV", Attribution: "© fixture", Layers: []dataset.LayerInfo{l.Info}}, Version: "v1csv", Layers: []dataset.Layer{l}}
}

// TestCSVNeutralisesFormulas: a text cell a spreadsheet would run starts
// with ', in every column; numbers (negative ones too) and booleans are
// written plainly; quotes, commas and line breaks survive a strict parse.
func TestCSVNeutralisesFormulas(t *testing.T) {
	cfg := DefaultConfig()
	cfg.AccessLog = false
	s := New(cfg, quietLogger())
	s.SwapCatalog(newCatalog(t, csvFixture()))
	const near = "/api/within?lat=47&lon=-1.5&radius_km=100&layers=sites"
	lb := getJSONList(t, s, near)

	ogc, header, rows := getCSV(t, s, "/collections/sites/items?f=csv", "sites.csv")
	if want := []string{"id", "layer", "name", "lon", "lat", "commune", "altitude", "rang", "ouvert"}; !slices.Equal(header, want) {
		t.Errorf("OGC header %v, want %v", header, want)
	}
	if ogc.Header.Get("Link") == "" {
		t.Error("OGC CSV without its Link header")
	}
	_, listHeader, listRows := getCSV(t, s, near+"&format=csv", "territoires-within-sites.csv")
	compareWithJSON(t, listHeader, listRows, lb.Results)

	features := csvFixture().Layers[0].Features
	if len(rows) != len(features) {
		t.Fatalf("%d rows, want %d", len(rows), len(features))
	}
	for i, f := range features {
		got := map[string]string{}
		for j, col := range header {
			got[col] = rows[i][j]
		}
		name := f.Properties["name"].(string)
		want := map[string]string{
			"id": f.ID, "layer": "sites", "name": name, "lon": strconv.FormatFloat(f.Geometry.(orb.Point)[0], 'f', -1, 64), "lat": "47",
			"rang": strconv.Itoa(-i), "ouvert": strconv.FormatBool(i%2 == 0), "commune": "", "altitude": "",
		}
		want["name"] = wantCell(name)
		if c, ok := f.Properties["commune"].(string); ok {
			want["commune"] = wantCell(c)
			want["altitude"] = strconv.FormatFloat(f.Properties["altitude"].(float64), 'f', -1, 64)
		}
		for col, w := range want {
			if got[col] != w {
				t.Errorf("%s %s: %q, want %q", f.ID, col, got[col], w)
			}
		}
		for _, col := range []string{"lon", "altitude", "rang"} {
			if strings.HasPrefix(got[col], "'") {
				t.Errorf("%s %s: the number %q is prefixed", f.ID, col, got[col])
			}
		}
	}
}

// linkHeader reads an RFC 8288 Link header into rel → URL.
func linkHeader(h string) map[string]string {
	out := map[string]string{}
	for _, m := range regexp.MustCompile(`<([^>]*)>; rel="([^"]+)"`).FindAllStringSubmatch(h, -1) {
		out[m[2]] = m[1]
	}
	return out
}

// TestItemsCSV: f=csv on OGC items pages, caps and filters as the GeoJSON
// does, puts its links in a Link header, and is chosen by an Accept
// preferring text/csv; errors stay JSON.
func TestItemsCSV(t *testing.T) {
	s := newOGCServer(t)
	const items = "/collections/" + ogcBigLayer + "/items"
	tests := []struct {
		query      string
		header     map[string]string
		ids        []string // nil: rows checked against the GeoJSON only
		rows       int
		next, prev string // offsets of the Link header's pages, "" for none
	}{
		{query: "?f=csv&limit=5000", rows: maxOGCLimit, next: strconv.Itoa(maxOGCLimit)},
		{query: "?f=csv&limit=2&offset=4", ids: []string{"f-0004", "f-0005"}, rows: 2, next: "6", prev: "2"},
		{query: "?f=csv&offset=" + strconv.Itoa(maxOGCLimit), rows: ogcBigCount - maxOGCLimit, prev: strconv.Itoa(maxOGCLimit - defaultOGCLimit)},
		{query: "?limit=3", header: map[string]string{"Accept": "text/csv"}, ids: []string{"f-0000", "f-0001", "f-0002"}, rows: 3, next: "3"},
		{query: "?limit=3&bbox=-5,43,-4.9985,45", header: map[string]string{"Accept": "text/csv;q=0.9, application/json;q=0.5"}, ids: []string{"f-0000", "f-0001"}, rows: 2},
	}
	for _, tt := range tests {
		t.Run(tt.query+fmt.Sprint(tt.header), func(t *testing.T) {
			resp, body := do(t, s, "GET", ogcTestBase+items+tt.query, tt.header)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != mediaCSV {
				t.Fatalf("%d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), snippetOf(body))
			}
			if !strings.Contains(resp.Header.Get("Vary"), "Accept") {
				t.Errorf("Vary %q does not name Accept", resp.Header.Get("Vary"))
			}
			header, rows := readCSV(t, body)
			if !slices.Equal(header, []string{"id", "layer", "name", "lon", "lat"}) {
				t.Errorf("header %v", header)
			}
			if len(rows) != tt.rows {
				t.Errorf("%d rows, want %d", len(rows), tt.rows)
			}
			// The same page as GeoJSON: the same features, in order.
			jsonQuery := strings.Replace(tt.query, "f=csv", "f=json", 1)
			var fc ogcFC
			_, jb := do(t, s, "GET", ogcTestBase+items+jsonQuery, nil)
			if err := json.Unmarshal(jb, &fc); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range rows {
				ids = append(ids, r[0])
			}
			if !slices.Equal(ids, fc.ids()) || tt.ids != nil && !slices.Equal(ids, tt.ids) {
				t.Errorf("ids %v…, GeoJSON %v…, want %v", ids[:min(3, len(ids))], fc.ids()[:min(3, len(fc.ids()))], tt.ids)
			}
			for i, f := range fc.Features {
				checkCell(t, f.ID, "name", rows[i][2], f.Properties["name"])
			}
			links := linkHeader(resp.Header.Get("Link"))
			for rel, off := range map[string]string{"next": tt.next, "prev": tt.prev} {
				href, ok := links[rel]
				if ok != (off != "") {
					t.Errorf("Link %s: %q, want offset %q", rel, href, off)
					continue
				}
				if !ok {
					continue
				}
				u, err := url.Parse(href)
				if err != nil || u.Query().Get("offset") != off || u.Query().Get("f") != "csv" || !strings.HasPrefix(href, ogcTestBase+items) {
					t.Errorf("Link %s %q: want offset=%s and f=csv", rel, href, off)
				}
			}
			if alt := links["alternate"]; !strings.Contains(alt, "f=geojson") {
				t.Errorf("Link alternate %q is not the GeoJSON page", alt)
			}
		})
	}

	t.Run("the GeoJSON links to its CSV", func(t *testing.T) {
		_, body := do(t, s, "GET", ogcTestBase+items+"?limit=2&offset=4", nil)
		var fc ogcFC
		if err := json.Unmarshal(body, &fc); err != nil {
			t.Fatal(err)
		}
		alt, ok := linkOf(fc.Links, "alternate")
		if !ok || alt.Type != "text/csv" {
			t.Fatalf("alternate link %+v", fc.Links)
		}
		resp, csvBody := do(t, s, "GET", strings.TrimPrefix(alt.Href, ogcTestBase), nil)
		if _, rows := readCSV(t, csvBody); resp.StatusCode != 200 || len(rows) != 2 || rows[0][0] != "f-0004" {
			t.Errorf("%s: %d, rows %v", alt.Href, resp.StatusCode, rows)
		}
	})

	t.Run("HEAD as GET", func(t *testing.T) {
		target := ogcTestBase + items + "?f=csv&limit=3"
		get, getBody := do(t, s, "GET", target, nil)
		head, headBody := do(t, s, "HEAD", target, nil)
		if head.StatusCode != 200 || len(headBody) != 0 {
			t.Fatalf("HEAD: %d, %d bytes of body", head.StatusCode, len(headBody))
		}
		for _, h := range []string{"Content-Type", "Content-Disposition", "Link", "Cache-Control", "Vary"} {
			if head.Header.Get(h) != get.Header.Get(h) {
				t.Errorf("HEAD %s %q, GET %q", h, head.Header.Get(h), get.Header.Get(h))
			}
		}
		if head.Header.Get("Content-Length") != strconv.Itoa(len(getBody)) {
			t.Errorf("HEAD Content-Length %q, GET body %d bytes", head.Header.Get("Content-Length"), len(getBody))
		}
	})

	t.Run("scripts of other sites may read the Link and the file name", func(t *testing.T) {
		resp, _ := do(t, s, "GET", ogcTestBase+items+"?f=csv&limit=3", map[string]string{"Origin": "https://example.org"})
		exposed := strings.Split(resp.Header.Get("Access-Control-Expose-Headers"), ",")
		if !slices.Contains(exposed, "Link") || !slices.Contains(exposed, "Content-Disposition") {
			t.Errorf("Access-Control-Expose-Headers %q", resp.Header.Get("Access-Control-Expose-Headers"))
		}
	})

	t.Run("Accept without text/csv keeps GeoJSON", func(t *testing.T) {
		for _, accept := range []string{"", "*/*", browserAccept, "application/geo+json, text/csv;q=0.5", "text/csv;q=0"} {
			resp, _ := do(t, s, "GET", ogcTestBase+items+"?limit=1", map[string]string{"Accept": accept})
			if ct := resp.Header.Get("Content-Type"); ct != mediaGeoJSON {
				t.Errorf("Accept %q: %s", accept, ct)
			}
		}
	})
}

// TestCSVErrorsStayJSON: a CSV export refuses what its JSON twin refuses,
// with the same JSON 400.
func TestCSVErrorsStayJSON(t *testing.T) {
	s := newOGCServer(t)
	for _, tt := range []struct{ target, says string }{
		{"/api/nearby?lat=45&lon=4.8&k=101&format=csv", "above the maximum 100"},
		{"/api/within?lat=45&lon=4.8&format=csv", "radius_km is required"},
		{"/api/search?q=a&limit=51&format=csv", "above the maximum 50"},
		{"/api/search?q=a&format=CSV", "json, geojson or csv"},
		{"/api/nearby?lat=45&lon=4.8&layers=usines&format=csv", "unknown layer"},
		{"/collections/sites/items?f=csv&bbox=1,2", "bbox"},
		{"/collections/sites/items?f=csv&rang=x", "must be an integer"},
		{"/collections/sites/items?f=xls", "f=csv"},
		{"/collections/sites/items?f=csv&offset=-1", "offset"},
	} {
		t.Run(tt.target, func(t *testing.T) {
			resp, body := do(t, s, "GET", tt.target, map[string]string{"Accept": "text/csv"})
			if resp.StatusCode != 400 || resp.Header.Get("Content-Type") != mediaJSON {
				t.Fatalf("%d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			errorSays(tt.says)(t, body)
		})
	}
}

// The representative point of a polygon (lon, lat of the JSON) is what
// the CSV gives for it too.
func TestCSVPolygonPoint(t *testing.T) {
	s := newOGCServer(t)
	_, header, rows := getCSV(t, s, "/collections/regions/items?f=csv", "regions.csv")
	for i, f := range ogcFixtureDataset().Layers[0].Features {
		p := index.RepresentativePoint(&f)
		if rows[i][0] != f.ID || rows[i][slices.Index(header, "lon")] != strconv.FormatFloat(p[0], 'f', -1, 64) ||
			rows[i][slices.Index(header, "lat")] != strconv.FormatFloat(p[1], 'f', -1, 64) {
			t.Errorf("row %v, want %s at %v", rows[i], f.ID, p)
		}
	}
}
