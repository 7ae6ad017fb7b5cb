package importer

// Manifest title and attribution.
const (
	manifestTitle       = "Territoires d'industrie"
	manifestAttribution = "ANCT (Territoires d'industrie, Action cœur de ville, sites clés en main) ; " +
		"INSEE COG 2026 via Etalab @etalab/decoupage-administratif ; IGN Admin Express 2018 via france-geojson ; " +
		"Licence Ouverte 2.0 — formation : Mission apprentissage (MIT), MENJ/DEPP ; " +
		"noms de sites : pages web publiques citées"
)

// props collects the properties of a feature; empty strings stay absent.
type props map[string]any

func (p props) str(k, v string) {
	if v != "" {
		p[k] = v
	}
}

// place sets the join fields of a COG 2026 commune and reports whether the
// commune is known.
func (r *refs) place(p props, code string) bool {
	c, ok := r.communes[code]
	if !ok {
		return false
	}
	p.str("code_insee", code)
	p.str("departement", c.Departement)
	p.str("region", c.Region)
	if e, ok := r.epci[code]; ok {
		p.str("epci", e.siren)
		p.str("epci_name", e.name)
	}
	return true
}
