package importer

import (
	"errors"
	"testing"
)

func TestNamesMatch(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"Les Portes du Tarn", "Parc d'activités Les Portes du Tarn", true},
		{"La Vallée de l’Escaut", "La Vallée de l'Escaut", true},
		{"Pôle activité Haute-Picardie", "Pôle d'activité Haute-Picardie", true},
		{"Aeropôle de Picardie", "Aéropôle de Picardie", true},
		{"ancienne base logistique d’Alloinay", "Base logistique d'Alloinay (ex-Intermarché)", false},
		{"Parc Henry Potez", "Parc du Plateau", false},
		// Names made only of the kind of place say nothing of which one.
		{"Parc d'activités", "Zone d'activités", false},
	}
	for _, tt := range tests {
		t.Run(tt.a+"|"+tt.b, func(t *testing.T) {
			if got := namesMatch([]string{tt.a}, []string{tt.b}); got != tt.want {
				t.Errorf("namesMatch = %v, want %v (words %q, %q)", got, tt.want, nameWords(tt.a), nameWords(tt.b))
			}
		})
	}
}

func TestMergeSites(t *testing.T) {
	anct := func(id, code string, names ...string) siteRecord {
		return siteRecord{file: "anct", id: id, anct: true, waves: []string{"2024-04"}, codes: []string{code}, names: names}
	}
	page := func(wave, code string, names ...string) siteRecord {
		r := siteRecord{file: "pages", waves: []string{wave}, names: names}
		if code != "" {
			r.codes = []string{code}
		}
		return r
	}
	sizes := func(groups [][]siteRecord) []int {
		var out []int
		for _, g := range groups {
			out = append(out, len(g))
		}
		return out
	}
	t.Run("a page names the only ANCT site of its commune and wave", func(t *testing.T) {
		g, err := mergeSites([]siteRecord{anct("site-1", "79136"), page("2024-04", "79136", "Base logistique")})
		if err != nil || len(g) != 1 {
			t.Fatalf("groups %v, %v; want one", sizes(g), err)
		}
	})
	t.Run("another wave needs the same name", func(t *testing.T) {
		g, _ := mergeSites([]siteRecord{anct("site-1", "79136"), page("2020-07", "79136", "Base logistique")})
		if len(g) != 2 {
			t.Errorf("groups %v, want two sites", sizes(g))
		}
		g, _ = mergeSites([]siteRecord{anct("site-1", "81271", "Parc d'activités Les Portes du Tarn"), page("2021-09", "81271", "Les Portes du Tarn")})
		if len(g) != 1 {
			t.Errorf("groups %v, want one site over two waves", sizes(g))
		}
	})
	t.Run("two ANCT sites in a commune are told apart by name only", func(t *testing.T) {
		g, err := mergeSites([]siteRecord{anct("site-1", "76351", "Est A29"), anct("site-2", "76351", "Ouest A29"), page("2024-04", "76351", "Site industriel Ouest A29")})
		if err != nil || len(g) != 2 || len(g[1]) != 2 {
			t.Errorf("groups %v, %v; want the page with site-2", sizes(g), err)
		}
	})
	t.Run("a row naming two ANCT sites as one is an error", func(t *testing.T) {
		_, err := mergeSites([]siteRecord{anct("site-1", "01001", "Alpha Nord"), anct("site-2", "01001", "Alpha Sud"), page("2024-04", "01001", "Alpha")})
		if !errors.Is(err, ErrConflict) {
			t.Errorf("err = %v, want ErrConflict", err)
		}
	})
	t.Run("without a commune, the same name in the same wave", func(t *testing.T) {
		g, _ := mergeSites([]siteRecord{page("2020-01", "", "zone du port de Dunkerque"), page("2020-01", "59183", "Zone du port de Dunkerque")})
		if len(g) != 1 {
			t.Errorf("groups %v, want one", sizes(g))
		}
		g, _ = mergeSites([]siteRecord{page("2020-01", "", "zone du port de Dunkerque"), page("2024-04", "59183", "Zone du port de Dunkerque")})
		if len(g) != 2 {
			t.Errorf("groups %v, want two", sizes(g))
		}
	})
}
