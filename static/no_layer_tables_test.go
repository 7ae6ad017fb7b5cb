package static_test

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/static"
)

// TestNoLayerTables proves that the front end keeps no per-layer table:
// no layer id of the registry appears in a string, template or regular
// expression literal of the shipped JavaScript (comments aside), nor in
// an attribute or a <code> element of the pages. Everything the pages
// know about layers comes from the map document in /style.json; a new
// layer of the registry is checked here without any edit.
func TestNoLayerTables(t *testing.T) {
	ids := layers.Default().IDs()
	if len(ids) == 0 {
		t.Fatal("the registry has no layers")
	}
	checked := 0
	err := fs.WalkDir(static.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == "vendor" {
				return fs.SkipDir // MapLibre and the DSFR: not ours
			}
			return nil
		}
		var toks []token
		switch path.Ext(p) {
		case ".js", ".mjs":
			b, err := fs.ReadFile(static.FS(), p)
			if err != nil {
				return err
			}
			if toks, err = jsLiterals(string(b)); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
		case ".html":
			b, err := fs.ReadFile(static.FS(), p)
			if err != nil {
				return err
			}
			toks = htmlValues(string(b))
		default:
			return nil
		}
		checked++
		for _, tok := range toks {
			for _, id := range ids {
				if mentions(tok.text, id) {
					t.Errorf("%s:%d: layer id %q in %q: take it from the map document (static/map/document.js) instead", p, tok.line, id, tok.text)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 5 {
		t.Fatalf("only %d files checked: is the embed list right?", checked)
	}
}

// The service's own names that begin with the word "territoires" and are
// not the layer: the style's metadata keys (the external base map's
// included), the page's performance marks and event ("territoires:…"),
// the map's element and the widget's attribute and class
// ("territoires-map…").
var ownNames = regexp.MustCompile(`territoires(:(map|version|style|load|idle|labels|basemap|without-basemap)|-map(-frame|-ready)?)\b`)

// mentions says whether a literal names a layer id: the id as a word of
// its own (not inside a longer word), in a literal that reads as code (no
// whitespace: "sites", "sites-circle", "layer.sites", "a,sites"), or, in
// prose meant for people (with whitespace), joined to code punctuation
// ("[data-count=sites]" inside a longer selector). Prose that uses the
// same word ("sites clés en main", "territoires, sites") is not a mention.
func mentions(text, id string) bool {
	text = ownNames.ReplaceAllString(text, "")
	prose := strings.ContainsAny(text, " \t\n")
	for from := 0; ; {
		k := strings.Index(text[from:], id)
		if k < 0 {
			return false
		}
		k += from
		end := k + len(id)
		from = end
		before, _ := utf8.DecodeLastRuneInString(text[:k])
		after, _ := utf8.DecodeRuneInString(text[end:])
		if k > 0 && isWord(before) || end < len(text) && isWord(after) {
			continue // inside a longer word
		}
		if !prose {
			return true
		}
		// After the id, sentence punctuation followed by a space (or the
		// end) is prose; joined to the next word it is code.
		next, _ := utf8.DecodeRuneInString(text[min(end+utf8.RuneLen(after), len(text)):])
		sentence := strings.ContainsRune(".,:;", after) && (end+1 >= len(text) || unicode.IsSpace(next))
		if k > 0 && strings.ContainsRune(joiners, before) || end < len(text) && strings.ContainsRune(joiners+".,:;", after) && !sentence {
			return true
		}
	}
}

// Punctuation that joins an id to code around it.
const joiners = "-_./#=[]{}\"'`:,"

func isWord(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// token is a literal's text and the line it starts on.
type token struct {
	text string
	line int
}

// jsLiterals lists the string, template (each static part) and regular
// expression literals of a JavaScript source, comments skipped. It knows
// enough of the grammar for the front end's own modules: a slash starts a
// regular expression where an expression may begin.
func jsLiterals(src string) ([]token, error) {
	var out []token
	line := 1
	prev := ""      // the last significant token: "" at the start, "lit", "num", "id:<word>" or a punctuator
	var subst []int // brace depths where template substitutions ${…} opened
	depth := 0      // open braces
	i := 0
	// template reads a template's static part from j to "`" or "${".
	template := func(j int) (int, error) {
		start, startLine := j, line
		for ; j < len(src); j++ {
			switch {
			case src[j] == '\\':
				j++
			case src[j] == '\n':
				line++
			case src[j] == '`':
				out = append(out, token{src[start:j], startLine})
				prev = "lit"
				return j + 1, nil
			case src[j] == '$' && j+1 < len(src) && src[j+1] == '{':
				out = append(out, token{src[start:j], startLine})
				subst = append(subst, depth)
				depth++
				prev = "{"
				return j + 2, nil
			}
		}
		return j, fmt.Errorf("line %d: unterminated template", startLine)
	}
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case strings.HasPrefix(src[i:], "//"):
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("line %d: unterminated comment", line)
			}
			line += strings.Count(src[i:i+2+end], "\n")
			i += 2 + end + 2
		case c == '\'' || c == '"':
			j := i + 1
			for ; j < len(src) && src[j] != c; j++ {
				if src[j] == '\\' {
					j++
				} else if src[j] == '\n' {
					return nil, fmt.Errorf("line %d: unterminated string", line)
				}
			}
			if j >= len(src) {
				return nil, fmt.Errorf("line %d: unterminated string", line)
			}
			out = append(out, token{src[i+1 : j], line})
			prev = "lit"
			i = j + 1
		case c == '`':
			var err error
			if i, err = template(i + 1); err != nil {
				return nil, err
			}
		case c == '}' && len(subst) > 0 && subst[len(subst)-1] == depth-1:
			subst = subst[:len(subst)-1]
			depth--
			var err error
			if i, err = template(i + 1); err != nil {
				return nil, err
			}
		case c == '/' && regexMayStart(prev):
			j, class := i+1, false
			for ; j < len(src) && (class || src[j] != '/'); j++ {
				switch src[j] {
				case '\\':
					j++
				case '[':
					class = true
				case ']':
					class = false
				case '\n':
					return nil, fmt.Errorf("line %d: unterminated regular expression", line)
				}
			}
			if j >= len(src) {
				return nil, fmt.Errorf("line %d: unterminated regular expression", line)
			}
			out = append(out, token{src[i+1 : j], line})
			prev = "lit"
			for i = j + 1; i < len(src) && isWord(rune(src[i])); i++ { // flags
			}
		case c == '_' || c == '$' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= 0x80:
			j := i
			for j < len(src) && (src[j] == '_' || src[j] == '$' || src[j] >= 0x80 || isWord(rune(src[j]))) {
				j++
			}
			prev = "id:" + src[i:j]
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && (isWord(rune(src[j])) || src[j] == '.') {
				j++
			}
			prev = "num"
			i = j
		default:
			if c == '{' {
				depth++
			} else if c == '}' {
				depth--
			}
			prev = string(c)
			i++
		}
	}
	if len(subst) > 0 {
		return nil, fmt.Errorf("unterminated template substitution")
	}
	return out, nil
}

// regexMayStart: after these tokens a slash begins a regular expression,
// not a division.
func regexMayStart(prev string) bool {
	switch prev {
	case "lit", "num", ")", "]", "}":
		return false
	}
	if word, ok := strings.CutPrefix(prev, "id:"); ok {
		switch word {
		case "return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw", "instanceof", "yield", "await":
			return true
		}
		return false
	}
	return true
}

var (
	htmlComment = regexp.MustCompile(`(?s)<!--.*?-->`)
	htmlAttr    = regexp.MustCompile(`\s[\w:-]+\s*=\s*(?:"([^"]*)"|'([^']*)')`)
	htmlCode    = regexp.MustCompile(`(?s)<code[^>]*>(.*?)</code>`)
	htmlTag     = regexp.MustCompile(`<[^>]*>`)
)

// htmlValues lists a page's attribute values and <code> texts.
func htmlValues(src string) []token {
	src = htmlComment.ReplaceAllStringFunc(src, func(c string) string { return strings.Repeat("\n", strings.Count(c, "\n")) })
	lineAt := func(k int) int { return 1 + strings.Count(src[:k], "\n") }
	var out []token
	for _, m := range htmlAttr.FindAllStringSubmatchIndex(src, -1) {
		v := m[2:4]
		if v[0] < 0 {
			v = m[4:6]
		}
		out = append(out, token{src[v[0]:v[1]], lineAt(v[0])})
	}
	for _, m := range htmlCode.FindAllStringSubmatchIndex(src, -1) {
		out = append(out, token{htmlTag.ReplaceAllString(src[m[2]:m[3]], ""), lineAt(m[2])})
	}
	return out
}

func TestMentions(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"sites", true},
		{"sites-circle", true},
		{"layer.sites", true},
		{"territoires,sites,acv", true},
		{"#layer-sites", true},
		{`[data-count="sites"] span`, true},
		{"'sites-circle', 'acv-circle'", true},
		{"site", false},
		{"sitesweb", false},
		{"Sites clés en main", false},
		{"Carte des territoires, sites clés en main et formations industrielles", false},
		{"les plus proches : sites.", false},
		{"territoires:map", false},
		{"territoires:basemap", false},
		{"territoires:without-basemap", false},
		{"territoires:labels", false},
		{"territoires-map", false},
		{"[data-territoires-map]", false},
		{"territoires:2023", true},
		{"nos communes", false},
	} {
		if got := mentions(tc.text, layerOf(tc.text)); got != tc.want {
			t.Errorf("mentions(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

// layerOf picks the registry id a TestMentions case is about.
func layerOf(text string) string {
	for _, id := range []string{"sites", "territoires", "communes", "acv", "formations"} {
		if strings.Contains(text, id) {
			return id
		}
	}
	return "sites"
}

func TestJSLiterals(t *testing.T) {
	src := "// 'sites' in a comment\n" +
		"/* \"acv\" in another */ const a = 'x' + \"y\\\"z\";\n" +
		"const b = `t${a + `in${'n'}`}u` / 2;\n" +
		"const r = /^\\d{4}\\/[a/]/g, q = x / 2 / y;\n" +
		"if (ok) return /z/.test(s);\n"
	got, err := jsLiterals(src)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, tok := range got {
		texts = append(texts, fmt.Sprintf("%d:%s", tok.line, tok.text))
	}
	want := []string{"2:x", `2:y\"z`, "3:t", "3:in", "3:n", "3:", "3:u", `4:^\d{4}\/[a/]`, "5:z"}
	if strings.Join(texts, " | ") != strings.Join(want, " | ") {
		t.Errorf("literals\n got %q\nwant %q", texts, want)
	}
}
