package profile_test

import (
	"testing"

	"github.com/paulmach/orb"

	"github.com/territoires-industrie/carte/dataset"
	"github.com/territoires-industrie/carte/index"
	"github.com/territoires-industrie/carte/layers"
	"github.com/territoires-industrie/carte/profile"
)

// A dataset with none of the layers a profile reads but the sites: empty
// lists and counts, no commune, no territory, no crash.
func TestProfileOfADatasetWithoutItsLayers(t *testing.T) {
	ds := &dataset.Dataset{Layers: []dataset.Layer{
		{Info: dataset.LayerInfo{ID: "sites", Geometry: dataset.GeometryPoint}, Features: []dataset.Feature{
			{ID: "site-1", Geometry: orb.Point{4.88, 45.70}, Properties: map[string]any{"name": "Site", "precision": "exact", "waves": "2024-04"}},
			{ID: "site-2", Geometry: orb.Point{4.86, 45.71}, Properties: map[string]any{"name": "Autre site", "precision": "commune", "commune": "Saint-Fons"}},
		}},
	}}
	reg := layers.Default()
	pr := profile.New(index.New(ds, reg), dataset.Manifest{}, reg)
	got, ok := pr.Site("site-1")
	if !ok {
		t.Fatal("site-1 not found")
	}
	if got.Commune != nil || got.Territoires[layers.Period2023] != nil || len(got.Territoires) != 2 {
		t.Errorf("commune %v territories %v", got.Commune, got.Territoires)
	}
	if got.Cnam == nil || got.ACV == nil || len(got.Cnam)+len(got.ACV) != 0 || len(got.Formations.Nearest) != 0 ||
		len(got.Formations.Counts) != len(profile.Radii) || got.Formations.Counts[2].Total != 0 {
		t.Errorf("lists %+v %+v formations %+v", got.Cnam, got.ACV, got.Formations)
	}
	if len(got.Sites) != 1 || got.Sites[0].ID != "site-2" || *got.Sites[0].DistanceM < 1000 || got.Sites[0].Category != "" {
		t.Errorf("sites %+v", got.Sites)
	}
	if got.Origin.Precision != "exact" || got.Origin.Note == "" {
		t.Errorf("origin %+v", got.Origin)
	}
	if other, _ := pr.Site("site-2"); other.Origin.Precision != "commune" || other.Origin.Note !=
		"Distances mesurées depuis le centroïde de la commune (Saint-Fons), pas depuis le site. / Distances measured from the centroid of Saint-Fons, not from the site." {
		t.Errorf("origin %+v", other.Origin)
	}
	if _, ok := pr.Territory(layers.Period2023, "ti-8413"); ok {
		t.Error("a territory without a territories layer")
	}
	if len(pr.Categories()) != 0 {
		t.Errorf("categories %v", pr.Categories())
	}
}

// Ids of other layers are not sites; profiles handed out are the caller's.
func TestSiteIDsAndCopies(t *testing.T) {
	fx := real(t)
	for _, id := range []string{"", "site-999", "01283", "2023/ti-8413", "place-01283"} {
		if _, ok := fx.pr.Site(id); ok {
			t.Errorf("Site(%q) found", id)
		}
	}
	a, _ := fx.pr.Territory(layers.Period2023, "ti-8413")
	a.Sites = append(a.Sites[:0], profile.Feature{ID: "changed"})
	a.SitesByWave["changed"] = 1
	a.Formations.ByCategory["changed"] = 1
	*a.Territory.Population = -1
	if len(a.Neighbours) > 0 {
		a.Neighbours[0].Name = "changed"
	}
	b, _ := fx.pr.Territory(layers.Period2023, "ti-8413")
	if (len(b.Sites) > 0 && b.Sites[0].ID == "changed") || b.SitesByWave["changed"] != 0 || b.Formations.ByCategory["changed"] != 0 ||
		*b.Territory.Population == -1 || (len(b.Neighbours) > 0 && b.Neighbours[0].Name == "changed") {
		t.Error("changing a territory profile changed the next one")
	}
}

// Profiles are read from every request's goroutine: under the race
// detector, concurrent profiles, changed by their callers, share nothing
// writable.
func TestConcurrentProfiles(t *testing.T) {
	fx := real(t)
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func() {
			defer func() { done <- true }()
			for i := 0; i < 20; i++ {
				p, _ := fx.pr.Site("site-01")
				p.Provenance["x"] = profile.Provenance{}
				p.Formations.Counts[0].ByCategory["x"]++
				if len(p.Sites) > 0 {
					*p.Sites[0].DistanceM = -1
				}
				q := fx.pr.Point(orb.Point{5.6553, 46.2567})
				q.Territoires["x"] = nil
				tp, _ := fx.pr.Territory(layers.Period2023, "ti-8413")
				tp.SitesByWave["x"]++
				tp.Provenance["x"] = profile.Provenance{}
				tp.EPCIs[0].NCommunes = -1
			}
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
	if p, _ := fx.pr.Site("site-01"); len(p.Sites) > 0 && *p.Sites[0].DistanceM < 0 {
		t.Error("a caller's change reached another profile")
	}
}
