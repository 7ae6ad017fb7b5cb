package api

import (
	"bytes"
	"encoding/csv"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/index"
)

func TestCSVCell(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"missing", nil, ""},
		{"text", "Chalon-sur-Saône", "Chalon-sur-Saône"},
		{"empty text", "", ""},
		{"formula", "=1+1", "'=1+1"},
		{"plus", "+33 1 23", "'+33 1 23"},
		{"minus", "-2", "'-2"},
		{"at", "@SUM(A1)", "'@SUM(A1)"},
		{"tab", "\tx", "'\tx"},
		{"carriage return", "\rx", "'\rx"},
		{"equals later", "a=b", "a=b"},
		{"negative number", -4.48, "-4.48"},
		{"small number", 0.000001, "0.000001"},
		{"large number", 1e21, "1000000000000000000000"},
		{"negative integer", int64(-3), "-3"},
		{"true", true, "true"},
		{"false", false, "false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := csvCell(tt.v); got != tt.want {
				t.Errorf("csvCell(%#v) = %q, want %q", tt.v, got, tt.want)
			}
		})
	}
}

// FuzzCSVText: whatever a text holds, its row parses back strictly to the
// text (a leading ' where it would be a formula; a carriage return does
// not survive the CRLF line ends), next to a negative number.
func FuzzCSVText(f *testing.F) {
	for _, s := range []string{"", "=1", "a,b", `"quoted"`, "line\nbreak", "\r\n", "\uFEFF=x", " lead"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			t.Skip() // the data holds valid UTF-8 only
		}
		h := index.Hit{Layer: "sites", DistanceM: math.NaN(), Feature: &dataset.Feature{
			ID: "x", Geometry: orb.Point{-1.5, 47}, Properties: map[string]any{"name": "n", "note": s},
		}}
		var b bytes.Buffer
		if err := writeCSV(&b, []string{"id", "lon", "note"}, []index.Hit{h}); err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), byteOrderMark)))
		r.FieldsPerRecord = 3
		records, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%q: %v", b.String(), err)
		}
		want := strings.ReplaceAll(noFormula(s), "\r", "")
		if len(records) != 2 || records[1][1] != "-1.5" || records[1][2] != want {
			t.Errorf("%q: records %q, want note %q", s, records, want)
		}
	})
}
