package importer

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"

	"github.com/paulmach/orb/geojson"
)

// Sentinel errors, wrapped by a *SourceError.
var (
	ErrMissingColumn = errors.New("importer: missing column")
	ErrMissingValue  = errors.New("importer: missing value")
	ErrBadValue      = errors.New("importer: invalid value")
	ErrDuplicate     = errors.New("importer: duplicate key")
	ErrConflict      = errors.New("importer: conflicting values")
	ErrUnknownKey    = errors.New("importer: unknown key")
	ErrGeometry      = errors.New("importer: invalid geometry")
)

// SourceError locates a problem in an input file: the file (relative to the
// source folder), the record (CSV line, or index of a JSON / GeoJSON record)
// and the field.
type SourceError struct {
	File   string
	Line   int // 1-based line of a CSV record; 0 when the record is not a CSV line
	Record int // index of a JSON record or GeoJSON feature; -1 when not applicable
	ID     string
	Field  string
	Err    error
}

func (e *SourceError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	switch {
	case e.Line > 0:
		fmt.Fprintf(&b, ": line %d", e.Line)
	case e.Record >= 0:
		fmt.Fprintf(&b, ": record %d", e.Record)
	}
	if e.ID != "" {
		fmt.Fprintf(&b, " (%s)", e.ID)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": field %q", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *SourceError) Unwrap() error { return e.Err }

func fileError(file string, err error) error {
	return &SourceError{File: file, Record: -1, Err: err}
}

// clean trims white space, including the no-break spaces some names carry.
func clean(s string) string { return strings.TrimSpace(s) }

// table is a CSV file read whole: a header and records with their lines.
type table struct {
	file  string
	cols  map[string]int
	recs  [][]string
	lines []int
}

// readCSV reads a comma-separated file with a header line and checks that
// every required column is there. Only required columns may be read.
func readCSV(fsys fs.FS, file string, required ...string) (*table, error) {
	f, err := fsys.Open(file)
	if err != nil {
		return nil, fileError(file, err)
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 1<<16))
	header, err := r.Read()
	if err != nil {
		return nil, csvError(file, err)
	}
	t := &table{file: file, cols: map[string]int{}}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		h = clean(h)
		if _, dup := t.cols[h]; dup {
			return nil, &SourceError{File: file, Line: 1, Record: -1, Field: h, Err: fmt.Errorf("%w: column appears twice", ErrDuplicate)}
		}
		t.cols[h] = i
	}
	for _, c := range required {
		if _, ok := t.cols[c]; !ok {
			return nil, &SourceError{File: file, Line: 1, Record: -1, Field: c, Err: ErrMissingColumn}
		}
	}
	keep := map[string]int{}
	for _, c := range required {
		keep[c] = t.cols[c]
	}
	t.cols = keep
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(file, err)
		}
		line, _ := r.FieldPos(0)
		t.recs = append(t.recs, rec)
		t.lines = append(t.lines, line)
	}
	return t, nil
}

func csvError(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &SourceError{File: file, Line: pe.Line, Record: -1, Err: fmt.Errorf("%w: %v", ErrBadValue, pe.Err)}
	}
	if err == io.EOF {
		err = fmt.Errorf("%w: empty file (no header)", ErrMissingValue)
	}
	return fileError(file, err)
}

func (t *table) len() int { return len(t.recs) }

// str returns the trimmed value of a column.
func (t *table) str(i int, col string) string {
	c, ok := t.cols[col]
	if !ok {
		panic("importer: column " + col + " of " + t.file + " not declared as required")
	}
	return clean(t.recs[i][c])
}

// errAt builds an error for record i and column col.
func (t *table) errAt(i int, col string, err error) error {
	return &SourceError{File: t.file, Line: t.lines[i], Record: -1, Field: col, Err: err}
}

// need returns a non-empty value or an error naming the record and column.
func (t *table) need(i int, col string) (string, error) {
	v := t.str(i, col)
	if v == "" {
		return "", t.errAt(i, col, ErrMissingValue)
	}
	return v, nil
}

// float parses an optional number: ok is false when the cell is empty.
func (t *table) float(i int, col string) (v float64, ok bool, err error) {
	s := t.str(i, col)
	if s == "" {
		return 0, false, nil
	}
	v, err = strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false, t.errAt(i, col, fmt.Errorf("%w: %q is not a number", ErrBadValue, s))
	}
	return v, true, nil
}

// point parses an optional lon/lat pair: both present or both empty.
func (t *table) point(i int, lonCol, latCol string) (lon, lat float64, ok bool, err error) {
	lon, okLon, err := t.float(i, lonCol)
	if err != nil {
		return 0, 0, false, err
	}
	lat, okLat, err := t.float(i, latCol)
	if err != nil {
		return 0, 0, false, err
	}
	switch {
	case okLon != okLat:
		col := latCol
		if !okLon {
			col = lonCol
		}
		return 0, 0, false, t.errAt(i, col, fmt.Errorf("%w: only one of %s, %s is given", ErrMissingValue, lonCol, latCol))
	case !okLon:
		return 0, 0, false, nil
	case lon < -180 || lon > 180 || lat < -90 || lat > 90:
		return 0, 0, false, t.errAt(i, lonCol, fmt.Errorf("%w: [%v, %v] is not a WGS84 longitude, latitude", ErrBadValue, lon, lat))
	}
	return lon, lat, true, nil
}

// readJSON decodes a whole JSON file into v.
func readJSON(fsys fs.FS, file string, v any) error {
	f, err := fsys.Open(file)
	if err != nil {
		return fileError(file, err)
	}
	defer f.Close()
	if err := json.NewDecoder(bufio.NewReaderSize(f, 1<<16)).Decode(v); err != nil {
		return fileError(file, fmt.Errorf("%w: %v", ErrBadValue, err))
	}
	return nil
}

// readGeoJSON reads a FeatureCollection and checks that every feature has a
// valid geometry of the allowed kind ("point" or "polygon").
func readGeoJSON(fsys fs.FS, file, kind string) ([]*geojson.Feature, error) {
	b, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, fileError(file, err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		return nil, fileError(file, fmt.Errorf("%w: %v", ErrBadValue, err))
	}
	for i, f := range fc.Features {
		if f.Geometry == nil {
			return nil, &SourceError{File: file, Record: i, Field: "geometry", Err: ErrMissingValue}
		}
		if err := checkGeometry(f.Geometry, kind); err != nil {
			return nil, &SourceError{File: file, Record: i, Field: "geometry", Err: err}
		}
	}
	return fc.Features, nil
}

// propString returns a string property of a GeoJSON feature ("" when absent
// or null); any other JSON type is an error.
func propString(file string, index int, f *geojson.Feature, key string) (string, error) {
	v, ok := f.Properties[key]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", &SourceError{File: file, Record: index, Field: key, Err: fmt.Errorf("%w: %v is not a string", ErrBadValue, v)}
	}
	return clean(s), nil
}

// needProp is propString for a property that must be present.
func needProp(file string, index int, f *geojson.Feature, key string) (string, error) {
	s, err := propString(file, index, f, key)
	if err == nil && s == "" {
		err = &SourceError{File: file, Record: index, Field: key, Err: ErrMissingValue}
	}
	return s, err
}
