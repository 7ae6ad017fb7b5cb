package index

import (
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/paulmach/orb"
	"golang.org/x/text/unicode/norm"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/layers"
)

// ligatures are letters that NFD does not decompose.
var ligatures = strings.NewReplacer("œ", "oe", "æ", "ae", "ß", "ss")

// Normalize folds a name for matching: lower case, accents removed,
// punctuation and apostrophes as spaces, "st"/"ste" spelled out, so that
// "chalon sur saone" finds "Chalon-sur-Saône" and "st etienne" finds
// "Saint-Étienne". It returns the words.
func Normalize(s string) []string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r): // combining accent
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteByte(' ')
		}
	}
	words := strings.Fields(ligatures.Replace(b.String()))
	for i, w := range words {
		switch w {
		case "st":
			words[i] = "saint"
		case "ste":
			words[i] = "sainte"
		}
	}
	return words
}

// textIndex maps every word of every name to the entries that carry it,
// sorted by word for prefix search.
type textIndex struct {
	words    []string  // sorted, unique
	postings [][]int32 // per word: entry numbers
	entries  []textEntry
	scratch  sync.Pool // *seenSet, one per concurrent query
}

type textEntry struct {
	ref   ref
	words []string
	full  string // words joined by one space
	pop   int64
}

// seenSet marks entries already looked at during one query; a generation
// number makes clearing free.
type seenSet struct {
	gen  uint32
	mark []uint32
}

func buildText(indexed []*layerIndex) *textIndex {
	t := &textIndex{}
	byWord := map[string][]int32{}
	// The names and INSEE codes the fully listed layers list, which the
	// "unlisted" layers then leave out.
	listed := map[string]bool{}
	key := func(f *dataset.Feature) string { return f.String("name") + "\x00" + f.String("code_insee") }
	for _, l := range indexed {
		if l.search == layers.SearchAll {
			for fi := range l.features {
				if f := &l.features[fi]; f.String("code_insee") != "" {
					listed[key(f)] = true
				}
			}
		}
	}
	for li, l := range indexed {
		if l.search == layers.SearchNone {
			continue
		}
		for fi := range l.features {
			f := &l.features[fi]
			if l.search == layers.SearchUnlisted && listed[key(f)] {
				continue
			}
			words := Normalize(f.String("name"))
			pop, _ := f.Properties["population"].(int64)
			e := int32(len(t.entries))
			t.entries = append(t.entries, textEntry{ref: ref{int32(li), int32(fi)}, words: words, full: strings.Join(words, " "), pop: pop})
			for i, w := range words {
				if !slices.Contains(words[:i], w) {
					byWord[w] = append(byWord[w], e)
				}
			}
		}
	}
	for w := range byWord {
		t.words = append(t.words, w)
	}
	slices.Sort(t.words)
	for _, w := range t.words {
		t.postings = append(t.postings, byWord[w])
	}
	n := len(t.entries)
	t.scratch.New = func() any { return &seenSet{mark: make([]uint32, n)} }
	return t
}

// Match ranks, best first.
const (
	rankExact      = 0 // the whole name, as typed
	rankPrefix     = 1 // the name starts with what was typed
	rankWordPrefix = 2 // every typed word starts a word of the name
)

type candidate struct {
	entry int32
	rank  int
	dist  float64
}

// Search finds features whose name matches q, for autocomplete: every
// word of q must start a word of the name, in any order, the last word may
// be incomplete. Exact names come first, then names that start with q,
// then other matches; within a rank, features near bias (when given) come
// first, then larger places (population), then shorter names.
func (ix *Index) Search(q string, f Filter, limit int, bias *orb.Point) []Hit {
	words := Normalize(q)
	if len(words) == 0 || limit <= 0 {
		return nil
	}
	t := ix.text
	query := strings.Join(words, " ")
	// Drive the search with the longest word: the fewest candidates.
	driver := slices.MaxFunc(words, func(a, b string) int { return len(a) - len(b) })
	seen := t.scratch.Get().(*seenSet)
	defer t.scratch.Put(seen)
	seen.gen++
	if seen.gen == 0 { // wrapped: clear once every 4 billion queries
		clear(seen.mark)
		seen.gen = 1
	}

	better := func(a, b candidate) bool { // a ranks before b
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		if bias != nil && a.dist != b.dist {
			return a.dist < b.dist
		}
		ea, eb := &t.entries[a.entry], &t.entries[b.entry]
		if ea.pop != eb.pop {
			return ea.pop > eb.pop
		}
		if len(ea.full) != len(eb.full) {
			return len(ea.full) < len(eb.full)
		}
		return ix.featureOf(ea.ref).ID < ix.featureOf(eb.ref).ID
	}
	// top holds the best `limit` candidates, sorted, best first.
	top := make([]candidate, 0, limit+1)
	i, _ := slices.BinarySearch(t.words, driver)
	for ; i < len(t.words) && strings.HasPrefix(t.words[i], driver); i++ {
		for _, e := range t.postings[i] {
			if seen.mark[e] == seen.gen {
				continue
			}
			seen.mark[e] = seen.gen
			entry := &t.entries[e]
			if !allWordsStart(words, entry.words) {
				continue
			}
			l := ix.layers[entry.ref.layer]
			if !f.match(l.info.ID, l.rules, &l.features[entry.ref.feature]) {
				continue
			}
			c := candidate{entry: e, rank: rankWordPrefix, dist: math.NaN()}
			switch {
			case entry.full == query:
				c.rank = rankExact
			case strings.HasPrefix(entry.full, query):
				c.rank = rankPrefix
			}
			if bias != nil {
				c.dist = Distance(*bias, l.features[entry.ref.feature].Geometry)
			}
			if len(top) == limit && !better(c, top[limit-1]) {
				continue
			}
			at, _ := slices.BinarySearchFunc(top, c, func(x, y candidate) int {
				if better(x, y) {
					return -1
				}
				return 1
			})
			top = slices.Insert(top, at, c)
			if len(top) > limit {
				top = top[:limit]
			}
		}
	}
	hits := make([]Hit, len(top))
	for i, c := range top {
		r := t.entries[c.entry].ref
		hits[i] = Hit{Layer: ix.layers[r.layer].info.ID, Feature: ix.featureOf(r), DistanceM: c.dist}
	}
	return hits
}

// allWordsStart: every query word starts some word of the name.
func allWordsStart(query, name []string) bool {
	for _, q := range query {
		found := false
		for _, n := range name {
			if strings.HasPrefix(n, q) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func (ix *Index) featureOf(r ref) *dataset.Feature {
	return &ix.layers[r.layer].features[r.feature]
}
