package pages

// What a page's template receives: every string in the page's language,
// every number formatted and every link built, so that the templates only
// lay them out (and tests read the same values).

// view is one page.
type view struct {
	Lang string
	// Title is the document's <title>, Desc its meta description.
	Title, Desc string
	// Kind is the line above the heading ("Site clé en main"); H1 the
	// page's one heading; Lead the sentence under it.
	Kind, H1, Lead string
	// Canonical is the page's absolute address.
	Canonical string
	// Other is the same page in the other language.
	Other link
	// Assets is where the stylesheets are (/static/<version>).
	Assets string
	// MapURL opens the map page framed on the place; MapURLAbs is it
	// absolute, printed in place of the interactive map.
	MapURL, MapURLAbs string
	// MapPrint and PagePrint are printed in place of the interactive map
	// and at the foot of the page: their addresses in words.
	MapPrint, PagePrint string
	// Embed is the small interactive map (an iframe of /embed).
	Embed *frame
	// JSONURL is the profile as JSON, absolute.
	JSONURL string
	// FactsHeading heads Facts, the place's main figures, beside the map.
	FactsHeading string
	Facts        []fact
	Sections     []section
	// Precision says how precise the distances and places are; Sources
	// where the data comes from, each source once, and SourceDetails each
	// layer's sources in full.
	Precision     []string
	Sources       []sourceItem
	SourceDetails []source

	// Error pages: the status and what went wrong.
	Status  int
	Message string
}

type link struct{ Label, Href, Lang string }

type frame struct{ Src, Title string }

// fact is one row of a description list; Href makes Value a link, Note
// is a smaller line under it.
type fact struct {
	Label, Value, Href, Note string
	// Field names the row for tests and styles (data-fact).
	Field string
}

// section is an h2 and what follows: any of facts, a chart with its
// table, a table, groups of items under h3s, items.
type section struct {
	ID, Heading, Intro string
	Facts              []fact
	Chart              *chart
	Table              *table
	Groups             []group
	Items              []item
	// Empty is said when the section has nothing to list.
	Empty string
}

type group struct {
	ID, Heading string
	Items       []item
	Empty       string
}

// item is one listed place: its name (a link to its page when it has
// one), a line about it, and its distance. Extra items are left out of
// the printed page (More says how many, in print only), so that it fits
// one sheet whatever the place.
type item struct {
	Name, Href, Meta, Distance string
	Extra                      bool
	More                       string
}

// table is a data table: its caption, column heads, and rows whose first
// cell heads the row.
type table struct {
	Caption string
	Head    []string
	Rows    [][]cell
}

type cell struct {
	Text, Href string
	// Num aligns a number to the right.
	Num bool
}

// source is the provenance of one layer.
type source struct {
	Layer string
	Items []sourceItem
}

// sourceItem is one source: Name is its short name, Full the whole.
type sourceItem struct {
	Name, Full, URL, Licence, Vintage, Note string
	// Layers names the layers it feeds.
	Layers string
}
