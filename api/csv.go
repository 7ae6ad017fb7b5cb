package api

import (
	"encoding/csv"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/territoires-industrie/carte/index"
)

// CSV exports: format=csv on the list routes, f=csv on OGC items. One row
// per feature: the columns every feature has (id, layer, name, distance_m
// when the query has a point, lon and lat of the representative point, as
// in the plain JSON), then the fields of the layers asked, in manifest
// order. Several layers give the union of their fields: the columns
// depend on the query, never on which features it found.
//
// For spreadsheet programs: UTF-8 with a byte-order mark (without it,
// Excel reads the accents as Windows-1252), CRLF and RFC 4180 quoting
// (encoding/csv), and no formulas: a text cell starting with = + - @, a
// tab or a carriage return gets a leading ' (OWASP's advice against CSV
// injection). Numbers and booleans are written as they are: a negative
// longitude stays a number.

const (
	mediaCSV = "text/csv"
	// csvContentType is RFC 4180's media type with its parameters.
	csvContentType = mediaCSV + "; charset=utf-8; header=present"
	byteOrderMark  = "\uFEFF"
	// formulaStart are the first characters that make a spreadsheet
	// program read a cell as a formula.
	formulaStart = "=+-@\t\r"
)

// The leading columns.
const (
	colID       = "id"
	colLayer    = "layer"
	colName     = "name"
	colDistance = "distance_m"
	colLon      = "lon"
	colLat      = "lat"
)

// csvColumns is the header of an export of the layers asked: the leading
// columns, then each layer's fields in the catalog's order (those of keep
// only, when given). A field named like a leading column is that column
// (name), and a field of several layers is one column.
func csvColumns(cat *Catalog, asked, keep []string, distance bool) []string {
	cols := []string{colID, colLayer, colName}
	if distance {
		cols = append(cols, colDistance)
	}
	cols = append(cols, colLon, colLat)
	for _, id := range cat.Index.Layers() {
		if !slices.Contains(asked, id) {
			continue
		}
		l, _ := cat.layerInfo(id)
		for _, f := range l.Fields {
			if (keep == nil || slices.Contains(keep, f.Name)) && !slices.Contains(cols, f.Name) {
				cols = append(cols, f.Name)
			}
		}
	}
	return cols
}

// csvRecord fills row with h's cells under cols; a missing value is an
// empty cell.
func csvRecord(row, cols []string, h index.Hit) {
	p := index.RepresentativePoint(h.Feature)
	for i, col := range cols {
		var v any
		switch col {
		case colID:
			v = h.Feature.ID
		case colLayer:
			v = h.Layer
		case colName:
			v = h.Feature.String(colName)
		case colDistance:
			if d := distancePtr(h); d != nil {
				v = *d
			}
		case colLon:
			v = p[0]
		case colLat:
			v = p[1]
		default:
			v = h.Feature.Properties[col]
		}
		row[i] = csvCell(v)
	}
}

// csvCell writes a value of the data model: numbers and booleans as they
// are, text made safe from formulas.
func csvCell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return noFormula(x)
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return noFormula(fmt.Sprint(v))
}

// noFormula prefixes with ' a text that a spreadsheet would run.
func noFormula(s string) string {
	if s != "" && strings.IndexByte(formulaStart, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// writeCSV writes the byte-order mark, the header and one row per hit.
func writeCSV(w io.Writer, cols []string, hits []index.Hit) error {
	if _, err := io.WriteString(w, byteOrderMark); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(cols); err != nil {
		return err
	}
	row := make([]string, len(cols))
	for _, h := range hits {
		csvRecord(row, cols, h)
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// sendCSV answers the hits as a file to download, name.csv.
func sendCSV(c *fiber.Ctx, name string, cols []string, hits []index.Hit) error {
	c.Set(fiber.HeaderContentType, csvContentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+fileName(name)+`.csv"`)
	return writeCSV(c.Response().BodyWriter(), cols, hits)
}

// fileName keeps the letters, digits, dots, dashes and underscores of a
// name (layer ids are such already), the rest becomes a dash.
func fileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, s)
}

// sendCSV answers a list route as CSV, with distance_m when the query has
// a point, in a file named after the route (territoires-nearby.csv) and
// its layer when it asks one (territoires-nearby-sites.csv).
func (r listRequest) sendCSV(c *fiber.Ctx, hits []index.Hit) error {
	asked := r.filter.Layers
	if asked == nil {
		asked = r.cat.Index.Layers()
	}
	name := "territoires-" + path.Base(c.Path())
	if len(r.filter.Layers) == 1 {
		name += "-" + r.filter.Layers[0]
	}
	return sendCSV(c, name, csvColumns(r.cat, asked, r.fields, r.v.Has(paramLat)), hits)
}
