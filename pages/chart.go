package pages

import (
	"math"
	"strings"
)

// The chart of training centres by category: horizontal bars drawn as
// inline SVG on the server (no script, prints as it shows), one row per
// category. With several columns (the counts within 10, 30 and 50 km,
// each within the next) the bars of a row are nested, the longest at the
// back; every number is written at the end of its row, so that nothing is
// said by colour alone, and the table beside the chart holds the same
// numbers.

// chart is the SVG's geometry and text, and its data table.
type chart struct {
	// ID prefixes the ids of the title and description.
	ID            string
	Title, Desc   string
	Legend        []legendKey
	Width, Height int
	Rows          []chartRow
	Table         table
}

type legendKey struct {
	X, Y, TextX int
	Fill, Text  string
}

type chartRow struct {
	Label         string
	LabelX, TextY int
	Bars          []bar
	Values        string
	ValuesX       int
	Counts        []int // the numbers, in column order
}

type bar struct {
	X, Y, W, H int
	Fill       string
}

// Chart layout, in SVG user units (the SVG scales to its box).
const (
	chartWidth    = 660
	chartLabelEnd = 250 // labels end here, right-aligned
	chartBarX     = 258
	chartBarMax   = 280
	chartRowH     = 24
	chartBarH     = 14
	chartTop      = 30 // room for the legend
	chartBottom   = 6
)

// barFill is the colour of a column's bars, the innermost count (the
// first column) darkest: the DSFR's bleu France, then lighter blues.
func barFill(column int) string {
	switch column {
	case 0:
		return "#000091"
	case 1:
		return "#4747e5"
	default:
		return "#8585f6"
	}
}

// chartInput is what a chart shows: one row per category label, one count
// per column.
type chartInput struct {
	ID, Title, Desc, Caption string
	// RowHead heads the table's first column; Columns the others.
	RowHead string
	Columns []string
	Labels  []string
	Counts  [][]int // Counts[row][column]
	// Sep joins a row's numbers at the end of its bars.
	Sep string
	// Number formats a count.
	Number func(int64) string
}

// newChart lays the bars out.
func newChart(in chartInput) *chart {
	c := &chart{ID: in.ID, Title: in.Title, Desc: in.Desc, Width: chartWidth}
	maxCount := 1
	for _, row := range in.Counts {
		for _, n := range row {
			maxCount = max(maxCount, n)
		}
	}
	top := 6
	if len(in.Columns) > 1 {
		// The legend names the columns, darkest first, in the order the
		// numbers are written.
		x := chartBarX
		for i, col := range in.Columns {
			c.Legend = append(c.Legend, legendKey{X: x, Y: 8, TextX: x + 16, Fill: barFill(i), Text: col})
			x += 16 + 8*len([]rune(col)) + 14
		}
		top = chartTop
	}
	c.Table = table{Caption: in.Caption, Head: append([]string{in.RowHead}, in.Columns...)}
	for r, label := range in.Labels {
		counts := in.Counts[r]
		y := top + r*chartRowH
		row := chartRow{Label: label, LabelX: chartLabelEnd, TextY: y + chartBarH - 2, Counts: counts}
		// The longest bar first, so that the shorter ones are drawn over it.
		longest := 0
		for i := len(counts) - 1; i >= 0; i-- {
			w := int(math.Round(float64(counts[i]) / float64(maxCount) * chartBarMax))
			if counts[i] > 0 {
				w = max(w, 2) // a count of one is still seen
			}
			longest = max(longest, w)
			row.Bars = append(row.Bars, bar{X: chartBarX, Y: y, W: w, H: chartBarH, Fill: barFill(i)})
		}
		var nums []string
		cells := []cell{{Text: label}}
		for _, n := range counts {
			nums = append(nums, in.Number(int64(n)))
			cells = append(cells, cell{Text: in.Number(int64(n)), Num: true})
		}
		row.Values = strings.Join(nums, in.Sep)
		row.ValuesX = chartBarX + longest + 6
		c.Rows = append(c.Rows, row)
		c.Table.Rows = append(c.Table.Rows, cells)
	}
	c.Height = top + len(in.Labels)*chartRowH + chartBottom
	return c
}
