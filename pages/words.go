package pages

import (
	"math"
	"strconv"
	"strings"

	"github.com/territoires-industrie/carte/layers"
)

// The pages' own words, French then English. The words about layers (their
// names, kinds, categories, waves, AMI) are the registry's: see label.go.

// Languages of the pages; French is the default, as on the map page.
const (
	langFR = "fr"
	langEN = "en"
)

// pageLang is the language a query asks for: English for lang=en, French
// otherwise (the map page reads its lang parameter the same way).
func pageLang(q string) string {
	if q == langEN {
		return langEN
	}
	return langFR
}

// words are the pages' sentences by key; {name} marks are filled by
// vocabulary.f.
func words() map[string]layers.Text {
	return map[string]layers.Text{
		"site.title":   {FR: "Territoires d'industrie", EN: "Industrial territories"},
		"site.tagline": {FR: "Carte des territoires, sites clés en main et formations industrielles", EN: "Map of the territories, turnkey sites and industrial training"},
		"home":         {FR: "Accueil — Territoires d'industrie", EN: "Home — Industrial territories"},
		"skip":         {FR: "Accès rapide", EN: "Skip links"},
		"skip.content": {FR: "Aller au contenu", EN: "Skip to content"},
		"nav.map":      {FR: "La carte", EN: "The map"},
		"nav.api":      {FR: "API et données", EN: "API and data"},
		"nav.tools":    {FR: "Liens du service", EN: "Service links"},
		"lang.other":   {FR: "English", EN: "Français"},
		"actions":      {FR: "Actions", EN: "Actions"},
		"on.map":       {FR: "Voir sur la carte", EN: "View on the map"},
		"json":         {FR: "Profil en JSON", EN: "Profile as JSON"},
		"map.title":    {FR: "Carte : {name}", EN: "Map: {name}"},
		"map.print":    {FR: "Carte interactive : {url}", EN: "Interactive map: {url}"},
		"page.url":     {FR: "Adresse de cette fiche : {url}", EN: "Address of this page: {url}"},
		"title.suffix": {FR: "Territoires d'industrie", EN: "Industrial territories"},
		"colon":        {FR: "\u00a0: ", EN: ": "},
		"yes":          {FR: "oui", EN: "yes"},
		"no":           {FR: "non", EN: "no"},
		"none":         {FR: "aucun", EN: "none"},
		"unknown":      {FR: "non connue", EN: "not known"},
		"within":       {FR: "à {km} km", EN: "within {km} km"},
		"km":           {FR: "{km} km", EN: "{km} km"},

		// A site.
		"site.lead":         {FR: "{kind} à {commune}", EN: "{kind} in {commune}"},
		"site.lead.nowhere": {FR: "{kind}", EN: "{kind}"},
		"site.desc":         {FR: "{name} : commune, territoire, centres de formation, antennes du Cnam, villes Action cœur de ville et autres sites dans un rayon de {km} km.", EN: "{name}: commune, territory, training centres, Cnam antennas, Action cœur de ville towns and other sites within {km} km."},
		"place":             {FR: "La commune", EN: "The commune"},
		"commune":           {FR: "Commune", EN: "Commune"},
		"code.insee":        {FR: "code INSEE {code}", EN: "INSEE code {code}"},
		"population":        {FR: "Population", EN: "Population"},
		"epci":              {FR: "Intercommunalité (EPCI)", EN: "Intercommunality (EPCI)"},
		"siren":             {FR: "SIREN {code}", EN: "SIREN {code}"},
		"acv":               {FR: "Action cœur de ville", EN: "Action cœur de ville"},
		"territory.of":      {FR: "Territoire d'industrie {period}", EN: "Industrial territory {period}"},
		"no.commune":        {FR: "Le point n'est dans aucune commune connue.", EN: "The point is in no known commune."},
		"formations":        {FR: "Centres de formation", EN: "Training centres"},
		"formations.around": {FR: "Centres de formation autour du site", EN: "Training centres around the site"},
		"formations.totals": {FR: "En tout : {counts}.", EN: "In all: {counts}."},
		"chart.title.site":  {FR: "Centres de formation par catégorie, à 10, 30 et 50 km du site", EN: "Training centres by category, within 10, 30 and 50 km of the site"},
		"chart.desc.site":   {FR: "Barres horizontales imbriquées, une par catégorie : la plus longue compte les centres à {last} km, les plus courtes ceux à {inner} km ; les nombres sont écrits au bout de chaque barre et repris dans le tableau.", EN: "Nested horizontal bars, one per category: the longest counts the centres within {last} km, the shorter ones those within {inner} km; the numbers are written at the end of each bar and repeated in the table."},
		"chart.legend":      {FR: "Nombres : {radii}", EN: "Numbers: {radii}"},
		"category":          {FR: "Catégorie", EN: "Category"},
		"count":             {FR: "Nombre", EN: "Number"},
		"total":             {FR: "Total", EN: "Total"},
		"nearest":           {FR: "Les {n} plus proches par catégorie", EN: "The {n} nearest by category"},
		"nearest.none":      {FR: "Aucun centre de formation dans les données.", EN: "No training centre in the data."},
		"within.last":       {FR: "Dans un rayon de {km} km", EN: "Within {km} km"},
		"other.sites":       {FR: "Autres sites clés en main", EN: "Other turnkey sites"},
		"none.within":       {FR: "Aucun à moins de {km} km.", EN: "None within {km} km."},
		"precision":         {FR: "Précision et sources", EN: "Precision and sources"},
		"precision.commune": {FR: "Le site est placé au centroïde de sa commune, {commune} : aucune source ne donne son emplacement exact. Les distances sont mesurées depuis le centroïde de {commune}.", EN: "The site is placed at the centroid of its commune, {commune}: no source gives its exact location. Distances are measured from the centroid of {commune}."},
		"precision.exact":   {FR: "Les distances sont mesurées depuis le point du site, à vol d'oiseau.", EN: "Distances are measured from the site's point, as the crow flies."},
		"precision.listed":  {FR: "{n} des {total} lieux listés sur cette fiche sont eux-mêmes placés au centroïde de leur commune : leur distance est approchée.", EN: "{n} of the {total} places listed on this page are themselves placed at their commune's centroid: their distance is approximate."},
		"print.more":        {FR: "et {n} de plus sur la fiche en ligne", EN: "and {n} more on the page online"},
		"crow":              {FR: "Distances à vol d'oiseau (grand cercle).", EN: "Distances as the crow flies (great circle)."},
		"sources":           {FR: "Sources des données", EN: "Data sources"},
		"licence":           {FR: "licence", EN: "licence"},
		"sources.details":   {FR: "Détail des sources, couche par couche", EN: "Sources in full, layer by layer"},
		"vintage":           {FR: "millésime", EN: "vintage"},
		"json.intro":        {FR: "Les mêmes données, pour les programmes :", EN: "The same data, for programs:"},

		// A territory.
		"ti.lead":          {FR: "Territoire d'industrie {period}, {region}", EN: "Industrial territory {period}, {region}"},
		"ti.lead.noregion": {FR: "Territoire d'industrie {period}", EN: "Industrial territory {period}"},
		"ti.desc":          {FR: "{name}, Territoire d'industrie {period} : communes, population, intercommunalités, sites clés en main, centres de formation, villes Action cœur de ville, antennes du Cnam et territoires voisins.", EN: "{name}, industrial territory {period}: communes, population, intercommunalities, turnkey sites, training centres, Action cœur de ville towns, Cnam antennas and neighbouring territories."},
		"ti.figures":       {FR: "Chiffres clés", EN: "Key figures"},
		"ti.id":            {FR: "Identifiant", EN: "Id"},
		"period":           {FR: "Période", EN: "Period"},
		"region":           {FR: "Région", EN: "Region"},
		"communes":         {FR: "Communes", EN: "Communes"},
		"population.sum":   {FR: "{n} habitants", EN: "{n} inhabitants"},
		"population.some":  {FR: "{n} habitants ({missing} communes sans population connue)", EN: "{n} inhabitants ({missing} communes without a known population)"},
		"population.one":   {FR: "{n} habitants (1 commune sans population connue)", EN: "{n} inhabitants (1 commune without a known population)"},
		"epcis":            {FR: "Intercommunalités (EPCI)", EN: "Intercommunalities (EPCI)"},
		"epci.communes":    {FR: "Communes membres", EN: "Member communes"},
		"name":             {FR: "Nom", EN: "Name"},
		"sites":            {FR: "Sites clés en main", EN: "Turnkey sites"},
		"by.wave":          {FR: "Par vague", EN: "By wave"},
		"wave":             {FR: "Vague", EN: "Wave"},
		"formations.in":    {FR: "Centres de formation des communes du territoire", EN: "Training centres of the territory's communes"},
		"chart.title.ti":   {FR: "Centres de formation du territoire, par catégorie", EN: "Training centres of the territory, by category"},
		"chart.desc.ti":    {FR: "Barres horizontales, une par catégorie, de longueur proportionnelle au nombre de centres, écrit au bout de chaque barre et repris dans le tableau.", EN: "Horizontal bars, one per category, as long as the number of centres, written at the end of each bar and repeated in the table."},
		"neighbours":       {FR: "Territoires voisins", EN: "Neighbouring territories"},
		"neighbours.intro": {FR: "Territoires de la même période dont le contour passe à moins de {km} km de celui-ci.", EN: "Territories of the same period whose outline comes within {km} km of this one's."},
		"none.listed":      {FR: "Aucun.", EN: "None."},
		"precision.sites":  {FR: "{n} des {total} sites et villes listés sont placés au centroïde de leur commune, pas à leur emplacement exact.", EN: "{n} of the {total} sites and towns listed are placed at their commune's centroid, not at their exact location."},

		// Errors.
		"error.title":         {FR: "Page introuvable", EN: "Page not found"},
		"error.site":          {FR: "Aucun site clé en main n'a l'identifiant « {id} ».", EN: "No turnkey site has the id “{id}”."},
		"error.territory":     {FR: "Aucun Territoire d'industrie {period} n'a l'identifiant « {id} ».", EN: "No {period} industrial territory has the id “{id}”."},
		"error.period":        {FR: "Période inconnue « {period} » : choisissez {periods}.", EN: "Unknown period “{period}”: choose {periods}."},
		"error.bad":           {FR: "Adresse invalide", EN: "Invalid address"},
		"error.loading":       {FR: "Les données sont en cours de chargement : réessayez dans quelques secondes.", EN: "The data is being loaded: try again in a few seconds."},
		"error.loading.title": {FR: "Données en cours de chargement", EN: "Data being loaded"},
		"error.back":          {FR: "Retrouvez les sites et les territoires sur la carte.", EN: "Find the sites and territories on the map."},
	}
}

// vocabulary is the pages' words in one language, with its number formats.
type vocabulary struct {
	lang  string
	words map[string]layers.Text
}

func newVocabulary(lang string) vocabulary { return vocabulary{lang: lang, words: words()} }

// word is a registry or page text in the vocabulary's language.
func (v vocabulary) word(t layers.Text) string {
	if v.lang == langEN && t.EN != "" {
		return t.EN
	}
	return t.FR
}

// t is the sentence of key.
func (v vocabulary) t(key string) string {
	w, ok := v.words[key]
	if !ok {
		return key
	}
	return v.word(w)
}

// f is the sentence of key with its {marks} filled from pairs (mark,
// value, mark, value…).
func (v vocabulary) f(key string, pairs ...string) string {
	s := v.t(key)
	for i := 0; i+1 < len(pairs); i += 2 {
		s = strings.ReplaceAll(s, "{"+pairs[i]+"}", pairs[i+1])
	}
	return s
}

// number writes an integer with the language's digit grouping: a narrow
// no-break space in French (12 345), a comma in English (12,345).
func (v vocabulary) number(n int64) string {
	sep := "\u202f"
	if v.lang == langEN {
		sep = ","
	}
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// decimal writes x with one decimal at most, in the language's notation
// (3,5 in French, 3.5 in English); a whole number has no decimal.
func (v vocabulary) decimal(x float64) string {
	x = math.Round(x*10) / 10
	whole := math.Trunc(x)
	if x == whole {
		return v.number(int64(whole))
	}
	s := v.number(int64(whole)) + "." + strconv.Itoa(int(math.Round(math.Abs(x-whole)*10)))
	if x < 0 && whole == 0 {
		s = "-" + s
	}
	if v.lang == langFR {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// distance writes metres as the map does: metres under a kilometre, else
// kilometres with one decimal.
func (v vocabulary) distance(m float64) string {
	if m < 1000 {
		return v.number(int64(math.Round(m))) + "\u00a0m"
	}
	return v.decimal(m/1000) + "\u00a0km"
}
