package index

import (
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/paulmach/orb"
	"golang.org/x/text/unicode/norm"
)

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
	words := strings.Fields(strings.NewReplacer("œ", "oe", "æ", "ae", "ß", "ss").Replace(b.String()))
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

// textIndex maps every word of every name to the features that carry it,
// sorted by word for prefix search.
type textIndex struct {
	words    []string // sorted, unique
	postings [][]ref  // per word
	names    [][]string
	fullName []string // normalized full name per ref, by position in refs
	refs     map[ref]int
}

func buildText(layers []*layerIndex) textIndex {
	t := textIndex{refs: map[ref]int{}}
	byWord := map[string][]ref{}
	for li, l := range layers {
		for fi := range l.features {
			r := ref{int32(li), int32(fi)}
			words := Normalize(l.features[fi].String("name"))
			t.refs[r] = len(t.names)
			t.names = append(t.names, words)
			t.fullName = append(t.fullName, strings.Join(words, " "))
			seen := map[string]bool{}
			for _, w := range words {
				if !seen[w] {
					seen[w] = true
					byWord[w] = append(byWord[w], r)
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
	return t
}

// candidates are the features with a word starting with prefix.
func (t *textIndex) candidates(prefix string, visit func(ref)) {
	i, _ := slices.BinarySearch(t.words, prefix)
	for ; i < len(t.words) && strings.HasPrefix(t.words[i], prefix); i++ {
		for _, r := range t.postings[i] {
			visit(r)
		}
	}
}

// Match ranks, best first.
const (
	rankExact      = 0 // the whole name, as typed
	rankPrefix     = 1 // the name starts with what was typed
	rankWordPrefix = 2 // every typed word starts a word of the name
)

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
	query := strings.Join(words, " ")
	// Drive the search with the longest word: the fewest candidates.
	driver := slices.MaxFunc(words, func(a, b string) int { return len(a) - len(b) })
	type scored struct {
		hit  Hit
		rank int
		pop  float64
		name string
	}
	var found []scored
	seen := map[ref]bool{}
	ix.text.candidates(driver, func(r ref) {
		if seen[r] {
			return
		}
		seen[r] = true
		l := ix.layers[r.layer]
		feat := &l.features[r.feature]
		if !f.match(l.info.ID, feat) {
			return
		}
		pos := ix.text.refs[r]
		name := ix.text.names[pos]
		for _, w := range words {
			if !slices.ContainsFunc(name, func(n string) bool { return strings.HasPrefix(n, w) }) {
				return
			}
		}
		full := ix.text.fullName[pos]
		rank := rankWordPrefix
		switch {
		case full == query:
			rank = rankExact
		case strings.HasPrefix(full, query):
			rank = rankPrefix
		}
		hit := Hit{Layer: l.info.ID, Feature: feat, DistanceM: math.NaN()}
		if bias != nil {
			hit.DistanceM = Distance(*bias, feat.Geometry)
		}
		pop, _ := feat.Properties["population"].(int64)
		found = append(found, scored{hit: hit, rank: rank, pop: float64(pop), name: full})
	})
	slices.SortFunc(found, func(a, b scored) int {
		switch {
		case a.rank != b.rank:
			return a.rank - b.rank
		case bias != nil && a.hit.DistanceM != b.hit.DistanceM:
			return cmpFloat(a.hit.DistanceM, b.hit.DistanceM)
		case a.pop != b.pop:
			return cmpFloat(b.pop, a.pop)
		case len(a.name) != len(b.name):
			return len(a.name) - len(b.name)
		}
		return strings.Compare(a.hit.Feature.ID, b.hit.Feature.ID)
	})
	if len(found) > limit {
		found = found[:limit]
	}
	hits := make([]Hit, len(found))
	for i, s := range found {
		hits[i] = s.hit
	}
	return hits
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
