package layers

import "github.com/territoires-industrie/carte/dataset"

// Provenance of the layers, as documented in SOURCES.md of the source
// folder: a registry layer names its sources by these keys, and the
// importer writes them into the manifest.

const superposeur = "https://github.com/anct-carto/superposeur-anct"

// Source returns the source named by key.
func Source(key string) (dataset.Source, bool) {
	switch key {
	case "admin-express":
		return dataset.Source{
			Name:    "IGN Admin Express COG 2018, simplifié, via france-geojson (Grégoire David)",
			URL:     "https://github.com/gregoiredavid/france-geojson",
			Licence: "Licence Ouverte (Admin Express, IGN)",
			Vintage: "2018 (commit 5d34ee6d, 2018-10-16)",
			Note:    "simplification mapshaper (Visvalingam pondéré 25 %, 5 décimales ≈ 1 m) ; codes et noms COG 2018",
		}, true
	case "decoupage":
		return dataset.Source{
			Name:    "@etalab/decoupage-administratif 6.0.0 (INSEE COG 2026, EPCI DGCL 2026, populations INSEE)",
			URL:     "https://github.com/etalab/decoupage-administratif",
			Licence: "Licence Ouverte (données), MIT (code)",
			Vintage: "COG 2026",
			Note:    "noms, codes, départements, régions, populations et EPCI des communes ; table commune_epci_cog2026.csv aplatie depuis epci.json",
		}, true
	case "ti-2023":
		return dataset.Source{
			Name:    "ANCT — Territoires d'industrie 2023-2027 : périmètres et groupements membres (superposeur-anct, data/geom/geojsonV2/ti_geom.geojson)",
			URL:     superposeur,
			Licence: "Licence Ouverte 2.0",
			Vintage: "2024-09 (commit 949f7e58, 2024-09-18)",
			Note:    "construit par l'ANCT depuis liste-ti-20240704 ; polygones ANCT (IGN Admin Express, COG 2023) ; coordonnées arrondies à 6 décimales ; noms débarrassés des espaces et espaces insécables en bord",
		}, true
	case "ti-2023-communes":
		return dataset.Source{
			Name:    "ANCT — Territoires d'industrie 2023-2027 : communes membres (superposeur-anct, version 2023-11 de ti_geom.geojson), table ti_2023_2027_communes_anct_2023-11.csv",
			URL:     superposeur,
			Licence: "Licence Ouverte 2.0",
			Vintage: "2023-11 (commit b187dd07, 2023-11-07)",
			Note:    "18 726 communes (COG 2023) rattachées au COG 2026 par @etalab/decoupage-administratif (chefLieu, anciensCodes)",
		}, true
	case "ti-2018":
		return dataset.Source{
			Name:    "ANCT — Territoires d'industrie vague 1 (2018-2023) : périmètres (superposeur-anct, data/geom/geojson/ti_geom.geojson)",
			URL:     superposeur,
			Licence: "Licence Ouverte 2.0",
			Vintage: "2023-10 (commit 8bf803a0, 2023-10-16)",
			Note:    "les identifiants ti-RRNN ne sont pas stables entre 2018-2023 et 2023-2027 ; coordonnées arrondies à 6 décimales",
		}, true
	case "ti-2018-spatial":
		return dataset.Source{
			Name:    "Communes des TI 2018-2023 — table DÉRIVÉE ti_2018_2023_vague1_communes_DERIVED_spatial.csv",
			Licence: "Licence Ouverte 2.0 (dérivée de données ANCT et IGN)",
			Vintage: "périmètres 2023-10, communes COG 2018",
			Note:    "approximation : centroïde de chaque commune COG 2018 dans un périmètre vague 1 (point dans polygone) ; ce n'est pas la liste officielle CDC/ANCT (16 186 communes), introuvable en fichier",
		}, true
	case "centroids":
		return dataset.Source{
			Name:    "Centroïdes des communes COG 2026 — table DÉRIVÉE communes_cog2026_centroides_population_derived.csv",
			Licence: "Licence Ouverte (dérivée d'IGN Admin Express 2018)",
			Vintage: "COG 2026, géométrie 2018",
			Note:    "moyenne, pondérée par la surface, des centroïdes des communes 2018 rattachées ; calcul plan en degrés",
		}, true
	case "acv":
		return dataset.Source{
			Name:    "ANCT — Action cœur de ville (superposeur-anct, data/geom/geojsonV2/acv_geom.geojson ; communes : acv_communes_anct_superposeur_2024-09.csv)",
			URL:     superposeur,
			Licence: "Licence Ouverte 2.0",
			Vintage: "2024-09 (commit 949f7e58 ; liste ANCT liste-acv-com2024-20240905)",
			Note:    "points = centroïdes de communes calculés par l'ANCT ; date_signature vide dans la source",
		}, true
	case "ngeo":
		return dataset.Source{
			Name:    "ANCT — table ngeo commune × programmes (COG 2023), colonne id_site ; table dérivée sites_cles_en_main_communes_anct_ngeo_cog2023.csv",
			URL:     "https://github.com/MTES-MCT/zero-logement-vacant",
			Licence: "MIT (repository) ; données ANCT",
			Vintage: "2024-09 (fichier ajouté au commit c5244255)",
			Note:    "interprété comme les 55 sites clés en main France 2030 (avril 2024), dont 49 identifiants présents ; aucune coordonnée de site : point = centroïde dérivé de la commune",
		}, true
	case "site-names":
		return dataset.Source{
			Name:    "Noms et surfaces de sites cités par des pages web publiques (préfectures, presse régionale) — transcription DÉRIVÉE sites_cles_en_main_2024_noms_sources_web_DERIVED.csv",
			Licence: "citations de pages publiques (adresse de chaque page dans source_urls)",
			Vintage: "2024",
			Note:    "partiel et non officiel ; rattaché aux identifiants ANCT par commune (name_match)",
		}, true
	case "sites-2020":
		return dataset.Source{
			Name:    "Sites clés en main 2020 (Pack rebond) des Hauts-de-France cités par France 3 Hauts-de-France — transcription DÉRIVÉE sites_cles_en_main_2020_hauts_de_france_sources_web_DERIVED.csv",
			Licence: "citations de pages publiques (adresse dans source_urls)",
			Vintage: "2020",
			Note:    "la liste nationale des 78 sites 2020 (DGE / Business France) n'a pas été trouvée ; point = centroïde de la commune",
		}, true
	case "sites-waves":
		return dataset.Source{
			Name:    "Sites clés en main des quatre vagues (2020-01, 2020-07, 2021-09, 2024-04) nommés par des pages publiques (presse régionale, préfectures) — transcription DÉRIVÉE sites_cles_en_main_vagues_2020_2024_pages_publiques_DERIVED.csv",
			Licence: "citations de pages publiques (adresse de chaque page dans source_urls)",
			Vintage: "2020-2024, transcription 2026-11",
			Note:    "partiel : comptes officiels 12 (janvier 2020), 66 (juillet 2020), 49 (septembre 2021), 55 (avril 2024) ; aucune coordonnée de site : point = centroïde de la commune ; inferred dit ce qui est déduit",
		}, true
	case "cnam-territoires":
		return dataset.Source{
			Name:    "Cnam « Au cœur des territoires » : villes retenues (AMI 1 2019, AMI 2 2020) nommées par des pages publiques (presse régionale, pages régionales du Cnam, préfectures) — transcription DÉRIVÉE cnam_au_coeur_des_territoires_pages_publiques_DERIVED.csv",
			Licence: "citations de pages publiques (adresse de chaque page dans source_urls)",
			Vintage: "2019-2024, transcription 2026-11",
			Note:    "partiel : AMI 1 = 55 villes (articles de 2019 ; « 65 villes sur deux vagues » en 2021, « 75 » en 2024), AMI 2 = 20 ; aucune liste officielle trouvée ; point = centroïde de la commune de l'antenne",
		}, true
	case "tba":
		return dataset.Source{
			Name:    "Mission apprentissage — organismes de formation en apprentissage et réseaux UIMM / Compagnons (flux-retour-cfas, server/static)",
			URL:     "https://github.com/mission-apprentissage/flux-retour-cfas",
			Licence: "MIT (repository)",
			Vintage: "2023-10 (réseau UIMM : 2025-02)",
			Note:    "pas de coordonnées : commune rapprochée par nom et département, point = centroïde dérivé de la commune",
		}, true
	case "ips":
		return dataset.Source{
			Name:    "MENJ/DEPP — IPS des lycées, rentrée 2021-2022 (lycées publics et privés sous contrat, LP / LPO / LEGT)",
			URL:     "https://github.com/nlejay/IPS_lycees",
			Licence: "GPL-3.0 (repository) ; données MENJ publiées sur data.gouv.fr",
			Vintage: "2021-2022",
		}, true
	case "occitanie":
		return dataset.Source{
			Name:    "MENJ — Annuaire de l'éducation, extrait Occitanie (coordonnées géocodées par le MENJ)",
			URL:     "https://github.com/ThomasAyr/carte_scolaire_dev",
			Licence: "pas de fichier de licence (README : MIT pour l'application) ; données ouvertes MENJ",
			Vintage: "2024-11",
			Note:    "coordonnées exactes pour 287 lycées",
		}, true
	case "lille":
		return dataset.Source{
			Name:    "MENJ — géolocalisation des établissements, académie de Lille (couche qgis2web « Collège/Lycée hors REP »)",
			URL:     "https://github.com/polov/academie_lille_clg_lyc",
			Licence: "pas de fichier de licence ; données data.education.gouv.fr",
			Vintage: "2021",
			Note:    "coordonnées exactes pour 159 lycées",
		}, true
	case "formation-points":
		return dataset.Source{
			Name:    "Table DÉRIVÉE formation_points_DERIVED.csv (une ligne par CFA / organisme / lycée, commune COG 2026, TI, ACV)",
			Licence: "selon chaque source ci-dessus",
			Vintage: "assemblée 2026-11",
			Note:    "catégories cnam / cfa_uimm / cfa_compagnons / cfa_industrie_nom déduites des noms et des réseaux (heuristiques)",
		}, true
	}
	return dataset.Source{}, false
}
