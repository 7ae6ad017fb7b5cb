package layers

import "github.com/territoires-industrie/carte/dataset"

// defaultLayers is the registry of the service, in drawing order. Field
// descriptions are written into the manifest as they are (French, then
// English after the slash).
func defaultLayers() Registry {
	// Popup labels shared by several layers.
	var (
		lblCommune     = Text{"Commune", "Town"}
		lblDepartement = Text{"Département", "Département"}
		lblRegion      = Text{"Région", "Region"}
		lblTerritoire  = Text{"Territoire d'industrie", "Industrial territory"}
		lblPopulation  = Text{"Population", "Population"}
	)
	// Join fields shared by the layers.
	codeInsee := str("code_insee", "Code INSEE de la commune (COG 2026) / INSEE commune code")
	// The fields of the layers whose features are communes.
	communeName := name("Nom de la commune (COG 2026) / commune name")
	communeCode := codeInsee.required()
	codesCOG2018 := reqStr("codes_cog2018", "Code(s) des communes IGN 2018 dont le contour forme celui-ci, séparés par « ; » (plusieurs = contours fusionnés) / 2018 communes whose polygons form this one")
	departement := str(FieldDepartement, "Code du département (COG 2026) / département code").shown(lblDepartement, FormatDepartement)
	region := str(FieldRegion, "Code INSEE de la région (COG 2026) / region code").shown(lblRegion, FormatRegion)
	epci := str(FieldEPCI, "SIREN de l'EPCI à fiscalité propre de la commune (DGCL 2026) / EPCI SIREN")
	epciName := str("epci_name", "Nom de l'EPCI (DGCL 2026) / EPCI name")
	territoire := str("territoire", "Identifiant du Territoire d'industrie 2023-2027 (ti-RRNN) / 2023-2027 TI id")
	territoireName := str("territoire_name", "Nom du Territoire d'industrie 2023-2027 / 2023-2027 TI name")
	precision := reqStr("precision", "Précision du point : « exact » (coordonnée de l'établissement) ou « commune » (centroïde de la commune, pas le lieu réel) / point precision")
	// Point layers record the 2023-2027 territory of their commune.
	inTerritory2023 := map[string]Membership{Period2023: {Territory: "territoire"}}
	notCluster := []any{"!", []any{"has", "point_count"}}
	// Each layer's filter on the current period; the map replaces it with
	// the visitor's period.
	period2023 := []any{"==", []any{"get", "period"}, Period2023}
	// A label: the name, in the pages' font, with a white halo. Beside a
	// point (placed where it collides least), centred on a label point.
	label := func(font string, size any, color string, beside float64) (layout, paint map[string]any) {
		layout = map[string]any{"text-field": []any{"get", FieldName}, "text-font": []any{font, FontFamily}, "text-size": size, "text-max-width": 8}
		if beside > 0 {
			layout["text-variable-anchor"] = []any{"top", "bottom", "right", "left"}
			layout["text-radial-offset"] = beside
		}
		return layout, map[string]any{"text-color": color, "text-halo-color": "#ffffff", "text-halo-width": 1.4, "text-halo-blur": 0.5}
	}
	regionLabel, regionLabelPaint := label(FontBold, 11, "#3a3a3a", 0)
	regionLabel["text-transform"] = "uppercase"
	regionLabel["text-letter-spacing"] = 0.04
	regionLabel["text-max-width"] = 7
	depLabel, depLabelPaint := label(FontRegular, 12, "#666666", 0)
	tiLabel, tiLabelPaint := label(FontBold, 11, "#000091", 0)
	placeLabel, placeLabelPaint := label(FontRegular, []any{"step", []any{"get", "population"}, 11, 20000, 12, 200000, 13}, "#161616", 0.4)
	placeLabel["symbol-sort-key"] = []any{"get", "rank"}
	placeLabel["text-padding"] = 3
	siteLabel, siteLabelPaint := label(FontBold, 11, "#a6000b", 0.9)
	acvLabel, acvLabelPaint := label(FontRegular, 10, "#a33600", 0.7)
	formationLabel, formationLabelPaint := label(FontRegular, 10, "#00695f", 0.6)
	cnamLabel, cnamLabelPaint := label(FontRegular, 10, "#6e445a", 0.7)

	return Registry{
		{
			ID: Regions, Geometry: dataset.GeometryPolygon, Title: "Régions",
			Description: "Régions françaises (18, dont les 5 régions d'outre-mer), contours IGN Admin Express 2018 simplifiés ; noms COG 2026. / French regions.",
			Sources:     []string{"admin-express", "decoupage"},
			Fields: []Field{
				name("Nom de la région (COG 2026, sinon nom IGN 2018) / region name"),
				reqStr("code", "Code INSEE de la région / INSEE region code").tiles(),
				region.tiles(),
			},
			MinZoom: 0, MaxZoom: 12, Labels: &ZoomRange{MinZoom: 3, MaxZoom: 7},
			Kind: Text{"Région", "Region"}, Name: Text{"Régions", "Regions"}, FocusZoom: 6.5,
			Style: []StyleLayer{
				// Below z5 the land is drawn by the regions, from z5 by the
				// départements. No outline: regions-line draws these edges.
				{ID: "regions-fill", Type: "fill", Z: 10, MaxZoom: 5, Role: RoleLand,
					Paint: map[string]any{"fill-color": "#f6f6f6", "fill-antialias": false}},
				{ID: "regions-line", Type: "line", Z: 70, Role: RoleBase,
					Paint: map[string]any{"line-color": "#3a3a3a", "line-width": 1.2}},
				// Labels sit under the points (Z): a name never hides a
				// site or a training centre. When names collide the higher
				// label layer keeps its place: towns (sites sit at their
				// town's centroid, and the town's name is what places
				// them), then sites, then regions and territories, then
				// départements and the names of ACV towns, Cnam antennas
				// and training centres.
				{ID: "regions-label", Type: "symbol", Z: 77, MinZoom: 4, MaxZoom: 6.5, Role: RoleBase, Labels: true,
					Layout: regionLabel, Paint: regionLabelPaint},
			},
		},
		{
			ID: Departements, Geometry: dataset.GeometryPolygon, Title: "Départements",
			Description: "Départements français (101, dont 5 d'outre-mer), contours IGN Admin Express 2018 simplifiés ; noms et régions COG 2026. / French départements.",
			Sources:     []string{"admin-express", "decoupage"},
			Fields: []Field{
				name("Nom du département (COG 2026, sinon nom IGN 2018) / département name"),
				reqStr("code", "Code du département / département code").tiles(),
				departement,
				region.tiles(),
				str("region_name", "Nom de la région (COG 2026) / region name"),
			},
			MinZoom: 3, MaxZoom: 12, Labels: &ZoomRange{MinZoom: 6, MaxZoom: 9},
			Kind: Text{"Département", "Département"}, Name: Text{"Départements", "Départements"}, FocusZoom: 8,
			Style: []StyleLayer{
				// Borders are fill outlines (one-pixel lines from the fill's
				// own triangulation) where one pixel will do: a line layer
				// extrudes every vertex again and is the most expensive layer
				// to draw in software WebGL.
				{ID: "departements-fill", Type: "fill", Z: 20, MinZoom: 5, Role: RoleLand,
					Paint: map[string]any{"fill-color": "#f6f6f6", "fill-outline-color": "#b4b4b4"}},
				{ID: "departement-selected", Type: "line", Z: 75, Role: RoleSelection,
					Filter: []any{"==", []any{"get", "code"}, ""}, Layout: map[string]any{"visibility": "none"},
					Paint: map[string]any{"line-color": "#000091", "line-width": 2.5}},
				{ID: "departements-label", Type: "symbol", Z: 76, MinZoom: 6.5, MaxZoom: 9.5, Role: RoleBase, Labels: true,
					Layout: depLabel, Paint: depLabelPaint},
			},
		},
		{
			ID: "contours_communes", Geometry: dataset.GeometryPolygon, Title: "Contours de toutes les communes",
			Description: "Toutes les communes (COG 2026), dans les Territoires d'industrie ou non : le fond de carte des communes, dessiné à partir du zoom 9. Contour = polygone(s) IGN Admin Express 2018 des communes 2018 rattachées, fusionnés pour les communes nouvelles. / Every commune's boundary, a base layer.",
			Sources:     []string{"admin-express", "decoupage", "centroids"},
			Fields: []Field{
				communeName.untiled(), // the outlines carry their id only
				communeCode,
				departement,
				region,
				codesCOG2018,
			},
			MinZoom: 9, MaxZoom: 12, Search: SearchNone,
			Kind: lblCommune, Name: Text{"Contours des communes", "Town boundaries"}, FocusZoom: 11,
			Style: []StyleLayer{
				{ID: "contours-communes-line", Type: "line", Z: 25, MinZoom: 9, Role: RoleBase,
					Paint: map[string]any{"line-color": "#b8b8c8", "line-width": []any{"interpolate", []any{"linear"}, []any{"zoom"}, 9, 0.3, 12, 0.8}}},
			},
		},
		{
			ID: Territoires, Geometry: dataset.GeometryPolygon, Title: "Territoires d'industrie",
			Description: "Périmètres des Territoires d'industrie : 183 TI du programme 2023-2027 (liste ANCT) et 149 TI de la vague 1 2018-2023. Filtrer sur period. / Territoires d'industrie perimeters, 2023-2027 and 2018-2023 (filter on period).",
			Sources:     []string{"ti-2023", "ti-2023-communes", "ti-2018", "ti-2018-spatial", "decoupage"},
			Fields: []Field{
				name("Nom du territoire (ANCT) / territory name"),
				reqStr("ti_id", "Identifiant ANCT ti-RRNN (RR = code région) ; attention : non stable entre les deux périodes / ANCT id, not stable across periods").tiles(),
				reqStr("period", "Période du programme : « 2023-2027 » ou « 2018-2023 » / programme period").tiles().shown(Text{"Période", "Period"}, FormatText),
				str(FieldRegion, "Code INSEE de la région, tiré de l'identifiant (ti-RRNN) / region code from the id").tiles().shown(lblRegion, FormatRegion),
				str("region_name", "Nom de la région (COG 2026) / region name"),
				integer("n_communes", "Nombre de communes membres : 2023-2027 = communes (COG 2023) de la liste ANCT 2023-11 ; 2018-2023 = communes COG 2018 de la table DÉRIVÉE spatialement / number of member communes").tiles().shown(Text{"Communes", "Towns"}, FormatNumber),
				integer("population", "Somme des populations COG 2026 (INSEE, via decoupage-administratif) des communes COG 2026 membres distinctes / population of member communes").tiles().shown(lblPopulation, FormatNumber),
				integer("n_groupements", "2023-2027 : nombre de groupements (EPCI, EPT ou communes) membres selon l'ANCT / number of member groupings"),
				str("groupements", "2023-2027 : liste ANCT des groupements membres « Nom (SIREN) ; … » / member groupings with SIREN"),
				reqStr("membership", "Origine de la liste des communes membres : « anct_list » = liste officielle ANCT (2023-2027) ; « derived_spatial » = calculée ici par point dans polygone (centroïdes COG 2018 dans le périmètre), approximative, pas une liste officielle (2018-2023) / how member communes are known").tiles(),
			},
			MinZoom: 0, MaxZoom: 12, Labels: &ZoomRange{MinZoom: 6, MaxZoom: 9},
			Filters: Filters{Period: "period", Territory: map[string]Membership{
				Period2023: {Territory: "ti_id"}, Period2018: {Territory: "ti_id"},
			}},
			Kind: lblTerritoire, Name: Text{"Territoires d'industrie", "Industrial territories"}, FocusZoom: 9,
			Page:   "/territoires/{ti_id}?period={period}",
			Legend: &Legend{Shape: ShapeArea, Color: "#6a6af4", Visible: true, InList: true},
			Style: []StyleLayer{
				// The translucency is in fill-color, not fill-opacity, which
				// would also fade the outline.
				{ID: "territoires-fill", Type: "fill", Z: 30, Filter: period2023, Click: true,
					Paint: map[string]any{"fill-color": "rgba(106, 106, 244, 0.25)", "fill-outline-color": "#000091"}},
				// A thicker border from z7, where communes are drawn inside.
				{ID: "territoires-line", Type: "line", Z: 60, MinZoom: 7, Filter: period2023,
					Paint: map[string]any{"line-color": "#000091", "line-width": 1.2}},
				{ID: "territoires-label", Type: "symbol", Z: 77, MinZoom: 6, MaxZoom: 10, Filter: period2023, Labels: true,
					Layout: tiLabel, Paint: tiLabelPaint},
			},
		},
		{
			ID: Communes, Geometry: dataset.GeometryPolygon, Title: "Communes des Territoires d'industrie",
			Description: "Communes (COG 2026) membres d'un Territoire d'industrie 2023-2027 (liste ANCT) ou 2018-2023 (appartenance DÉRIVÉE spatialement). Contour = polygone(s) IGN Admin Express 2018 des communes 2018 rattachées, fusionnés pour les communes nouvelles. / Communes of the Territoires d'industrie, COG 2026.",
			Sources:     []string{"ti-2023-communes", "ti-2023", "ti-2018-spatial", "ti-2018", "decoupage", "admin-express", "acv", "centroids"},
			Fields: []Field{
				communeName,
				communeCode.tiles(),
				integer("population", "Population INSEE (champ population de decoupage-administratif 6.0.0, COG 2026) / population").tiles().shown(lblPopulation, FormatNumber),
				departement.tiles(),
				region.tiles(),
				epci.tiles(),
				epciName.shown(Text{"Intercommunalité", "Intercommunality"}, FormatText),
				territoire.tiles(),
				territoireName.shown(lblTerritoire, FormatText),
				boolean("in_ti_2023", "Commune d'un TI 2023-2027 selon la liste ANCT / in a 2023-2027 TI", true).tiles(),
				str("territoire_2018", "Identifiant du TI vague 1 2018-2023 (ti-RRNN), appartenance DÉRIVÉE spatialement (centroïde de la commune 2018 dans le périmètre), pas une liste officielle / 2018-2023 TI id, derived spatially").tiles(),
				str("territoire_2018_name", "Nom du TI vague 1 2018-2023 (appartenance dérivée spatialement) / 2018-2023 TI name, derived spatially"),
				boolean("in_ti_2018", "Commune d'un TI 2018-2023 selon l'appartenance dérivée spatialement (approximative) / in a 2018-2023 TI (derived spatially)", true).tiles(),
				boolean("acv", "Commune d'un programme Action cœur de ville (liste ANCT 2024-09) / Action cœur de ville commune", true).tiles(),
				str("acv_id", "Identifiant ANCT du programme Action cœur de ville (acv-NNN) / ACV programme id"),
				str("codes_anct_2023", "Code(s) INSEE COG 2023 de la liste ANCT 2023-2027 rattachés à cette commune COG 2026, séparés par « ; » / ANCT COG 2023 code(s) mapped here"),
				codesCOG2018,
				number("centroid_lon", "Longitude du centroïde DÉRIVÉ de la commune (WGS84) / derived centroid longitude"),
				number("centroid_lat", "Latitude du centroïde DÉRIVÉ de la commune (WGS84) / derived centroid latitude"),
			},
			// From z7 only: below, a tile of northern France would pass
			// 500 KB, and the territories show the same areas.
			MinZoom: 7, MaxZoom: 12,
			Filters: Filters{Territory: map[string]Membership{
				Period2023: {Member: "in_ti_2023", Territory: "territoire"},
				Period2018: {Member: "in_ti_2018", Territory: "territoire_2018"},
			}},
			Kind: lblCommune, Name: Text{"Communes industrielles", "Industrial towns"}, FocusZoom: 11,
			Legend: &Legend{Shape: ShapeArea, Color: "#8585f6"},
			Style: []StyleLayer{
				{ID: "communes-fill", Type: "fill", Z: 40, MinZoom: 7, Click: true, Paint: map[string]any{
					"fill-color":   []any{"case", []any{"==", []any{"get", "in_ti_2023"}, true}, "#8585f6", "#cacafb"},
					"fill-opacity": 0.35,
				}},
				{ID: "communes-line", Type: "line", Z: 50, MinZoom: 9,
					Paint: map[string]any{"line-color": "#6a6af4", "line-width": 0.4}},
			},
		},
		{
			ID: "acv", Geometry: dataset.GeometryPoint, Title: "Action cœur de ville",
			Description: "Programmes Action cœur de ville (232, dont 13 binômes de communes), un point par commune au centroïde calculé par l'ANCT. / Action cœur de ville programmes, one point per commune (commune centroid).",
			Sources:     []string{"acv", "decoupage", "ti-2023-communes"},
			Fields: []Field{
				name("Nom du programme (ANCT) / programme name"),
				reqStr("acv_id", "Identifiant ANCT du programme (acv-NNN) / ACV programme id").tiles(),
				reqStr("communes", "Communes du programme selon l'ANCT, « Nom (code INSEE) ; … » / member communes").shown(Text{"Communes", "Towns"}, FormatText),
				integer("n_communes", "Nombre de communes du programme / number of communes"),
				str("code_insee", "Code INSEE (COG 2026) quand le programme a une seule commune / INSEE code when the programme has one commune").tiles(),
				str(FieldDepartement, "Code du département, quand toutes les communes du programme l'ont en commun / département code when shared").tiles().shown(lblDepartement, FormatDepartement),
				str(FieldRegion, "Code de la région, quand toutes les communes l'ont en commun / region code when shared").tiles().shown(lblRegion, FormatRegion),
				str(FieldEPCI, "SIREN de l'EPCI, quand toutes les communes l'ont en commun / EPCI SIREN when shared"),
				str("epci_name", "Nom de l'EPCI, quand toutes les communes l'ont en commun / EPCI name when shared"),
				str("territoire", "Territoire d'industrie 2023-2027 (ti-RRNN), quand toutes les communes du programme en sont membres / 2023-2027 TI when all communes are in it").tiles(),
				territoireName.shown(lblTerritoire, FormatText),
				precision.tiles(),
			},
			MinZoom: 4, MaxZoom: 12,
			Filters: Filters{Territory: inTerritory2023},
			Nearby:  true,
			Kind:    Text{"Action cœur de ville", "Action cœur de ville town"}, Name: Text{"Action cœur de ville", "Action cœur de ville towns"}, FocusZoom: 12,
			Legend: &Legend{Shape: ShapeDot, Color: "#fc5d00", Visible: true, InList: true},
			Style: []StyleLayer{
				{ID: "acv-circle", Type: "circle", Z: 80, MinZoom: 4, Click: true, Paint: map[string]any{
					"circle-color": "#fc5d00", "circle-radius": 4, "circle-stroke-color": "#ffffff", "circle-stroke-width": 1,
				}},
				{ID: "acv-label", Type: "symbol", Z: 76, MinZoom: 12, Layout: acvLabel, Paint: acvLabelPaint},
			},
		},
		{
			ID: "formations", Geometry: dataset.GeometryPoint, Title: "Formation (CFA, organismes, lycées)",
			Description: "Lieux de formation : organismes de formation en apprentissage (CFA, dont Cnam, UIMM, Compagnons) et lycées LP / LPO / LEGT. La plupart des points sont au centroïde de la commune (precision = commune) ; 446 lycées ont une coordonnée exacte. / Training centres; most points are commune centroids.",
			Sources:     []string{"formation-points", "tba", "ips", "occitanie", "lille", "centroids", "decoupage", "ti-2023-communes", "acv"},
			Fields: []Field{
				name("Nom de l'établissement (raison sociale ou nom du lycée) / name"),
				reqStr("category", "Catégorie : cnam, cfa_uimm, cfa_compagnons, cfa_industrie_nom, cfa_organisme_formation, lycee_professionnel, lycee_polyvalent, lycee_general_technologique (catégories CFA déduites des noms, heuristiques) / category").tiles().
					coded(Text{"Catégorie", "Category"}, map[string]Text{
						"cnam":                        {"Cnam", "Cnam"},
						"cfa_uimm":                    {"CFA de l’UIMM", "UIMM apprenticeship centre"},
						"cfa_compagnons":              {"CFA des Compagnons", "Compagnons apprenticeship centre"},
						"cfa_industrie_nom":           {"CFA de l’industrie", "Industry apprenticeship centre"},
						"cfa_organisme_formation":     {"CFA / organisme de formation", "Apprenticeship centre / training body"},
						"lycee_professionnel":         {"Lycée professionnel", "Vocational high school"},
						"lycee_polyvalent":            {"Lycée polyvalent", "Comprehensive high school"},
						"lycee_general_technologique": {"Lycée général et technologique", "General and technological high school"},
					}),
				reqStr("source", "Fichier d'origine de la ligne / source file"),
				str("uai", "Code UAI de l'établissement / UAI code"),
				str("siret", "SIRET de l'organisme / SIRET"),
				codeInsee.tiles(),
				str("commune", "Nom de la commune / commune name").tiles().shown(lblCommune, FormatText),
				departement.tiles(), region.tiles(), epci, epciName, territoire.tiles(), territoireName,
				str("acv_id", "Programme Action cœur de ville de la commune (acv-NNN) / ACV programme of the commune"),
				precision.tiles(),
				reqStr("coord_quality", "Origine de la coordonnée dans la table source (commune_centroid_derived, exact_annuaire_education_occitanie_2024-11, exact_geoloc_etab_academie_lille_2021…) / coordinate origin"),
			},
			MinZoom: 4, MaxZoom: 12, ClusterBelow: 9,
			Filters: Filters{Territory: inTerritory2023, Category: "category"},
			Nearby:  true,
			Kind:    Text{"Centre de formation", "Training centre"}, Name: Text{"Centres de formation", "Training centres"}, FocusZoom: 13,
			Legend: &Legend{Shape: ShapeDot, Color: "#009081", Visible: true, InList: true},
			Style: []StyleLayer{
				{ID: "formations-cluster", Type: "circle", Z: 90, MinZoom: 4, Role: RoleClusters, Click: true,
					Filter: []any{"has", "point_count"}, Paint: map[string]any{
						"circle-color":        "#009081",
						"circle-opacity":      0.7,
						"circle-radius":       []any{"step", []any{"get", "point_count"}, 4, 10, 5.5, 50, 7.5, 200, 10},
						"circle-stroke-color": "#ffffff", "circle-stroke-width": 1,
					}},
				{ID: "formations-circle", Type: "circle", Z: 100, MinZoom: 4, Click: true, Filter: notCluster, Paint: map[string]any{
					"circle-color": "#009081", "circle-radius": 3.5, "circle-stroke-color": "#ffffff", "circle-stroke-width": 0.8,
				}},
				{ID: "formations-label", Type: "symbol", Z: 76, MinZoom: 12, Filter: notCluster, Layout: formationLabel, Paint: formationLabelPaint},
			},
		},
		{
			ID: "cnam", Geometry: dataset.GeometryPoint, Title: "Cnam « Au cœur des territoires »",
			Description: "Villes et intercommunalités retenues par le Cnam pour ouvrir une antenne de formation (programme « Au cœur des territoires » : AMI 1 de 2019, AMI 2 de 2020, la mesure formation du Pack rebond), telles que des pages publiques les nomment : une partie seulement de chaque AMI. Point = centroïde de la commune de l'antenne. / The Cnam's training antennas in Territoires d'industrie and ACV towns, as public pages name them; points are commune centroids.",
			Sources:     []string{"cnam-territoires", "decoupage", "centroids", "ti-2023-communes"},
			Fields: []Field{
				name("Ville ou intercommunalité retenue, telle que la source l'écrit / selected town or intercommunality"),
				reqStr("ami", "Appel à manifestation d'intérêt : « 1-2019 », « 2-2020 » ou « unknown » quand aucune page ne le dit / call for interest").tiles().groups(Text{"AMI", "Call"}),
				reqStr("commune", "Commune de l'antenne (COG 2026) ; siège de l'agglomération quand la page ne nomme que celle-ci (voir inferred) / commune of the antenna").tiles().shown(lblCommune, FormatText),
				codeInsee.required().tiles(), departement.tiles(), region.tiles(), epci, epciName, territoire.tiles(), territoireName.shown(lblTerritoire, FormatText),
				str("opened", "Ouverture du centre, telle qu'une page l'affirme (date, année ou période) ; vide si aucune page ne dit qu'il a ouvert / opening as a page states it").shown(Text{"Ouverture", "Opened"}, FormatText),
				reqStr("source_urls", "Adresses des pages citant l'antenne, séparées par une espace / source pages"),
				str("inferred", "Colonnes déduites plutôt que lues dans une page (departement, region, commune (siège de l'agglomération), ami…), séparées par « ; » / what was inferred rather than read"),
				str("note", "Remarques de la transcription (désaccords entre pages, projets non confirmés) / notes"),
				precision.tiles(),
			},
			MinZoom: 4, MaxZoom: 12,
			Filters: Filters{Territory: inTerritory2023, Groups: &Groups{Field: "ami", Param: "ami", Label: Text{"AMI (appels à manifestation d'intérêt)", "Calls for interest"},
				Values: []Group{
					{Value: "1-2019", Name: Text{"AMI 1 (2019)", "Call 1 (2019)"}, Official: 55},
					{Value: "2-2020", Name: Text{"AMI 2 (2020, Pack rebond)", "Call 2 (2020, Pack rebond)"}, Official: 20},
					{Value: "unknown", Name: Text{"AMI non indiqué", "Call not stated"}},
				},
				Held:          Text{"{group} : {held} des {official} villes sont nommées par des pages publiques", "{group}: {held} of the {official} towns are named in public pages"},
				HeldUncounted: Text{"{group} : {held} antennes, qu'aucune page ne rattache à un AMI", "{group}: {held} antennas that no page ties to a call"},
			}},
			Nearby: true,
			Kind:   Text{"Antenne du Cnam", "Cnam antenna"}, Name: Text{"Antennes du Cnam", "Cnam antennas"}, FocusZoom: 12,
			Legend: &Legend{Shape: ShapeDot, Color: "#a558a0", Visible: true, InList: true},
			Style: []StyleLayer{
				{ID: "cnam-circle", Type: "circle", Z: 105, MinZoom: 4, Click: true, Paint: map[string]any{
					"circle-color": "#a558a0", "circle-radius": 5, "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5,
				}},
				{ID: "cnam-label", Type: "symbol", Z: 76, MinZoom: 12, Layout: cnamLabel, Paint: cnamLabelPaint},
			},
		},
		{
			ID: "sites", Geometry: dataset.GeometryPoint, Title: "Sites industriels clés en main",
			Description: "Sites clés en main des quatre vagues (janvier 2020 Choose France, juillet 2020 Pack rebond, septembre 2021, avril 2024 France 2030) : la liste ANCT des sites France 2030 (49 identifiants) et les sites que des pages publiques nomment, fusionnés (un site labellisé deux fois est un seul site, avec ses deux vagues). Aucune coordonnée de site n'existe dans les sources : le point est le centroïde de la commune. / Turnkey industrial sites of the four waves; points are commune centroids, not site locations.",
			Sources:     []string{"ngeo", "site-names", "sites-2020", "sites-waves", "decoupage", "centroids", "ti-2023"},
			Fields: []Field{
				name("Nom du site tel qu'une source l'écrit, sinon « Site clé en main — <commune> » / site name, or a generic label"),
				reqStr("waves", "Vagues de labellisation du site (AAAA-MM : 2020-01 Choose France, 2020-07 Pack rebond, 2021-09, 2024-04 France 2030), séparées par une espace / labelling waves").tiles().groups(Text{"Vagues", "Waves"}),
				boolean("named_in_source", "Vrai si une source nomme le site ; faux si le nom est générique / whether a source names the site", true).tiles(),
				str("names_sources", "Tous les noms cités par les sources, séparés par « ; » / all names found in sources"),
				str("name_match", "Méthode de rattachement du nom ou de la commune au site (commune_exact, inferred_only_site_in_departement, commune_name_unique_in_HdF…) / how the name was matched"),
				number("surface_ha", "Surface en hectares citée par une source / surface (ha) stated by a source").tiles().shown(Text{"Surface", "Area"}, FormatHectares),
				str("surface_stated", "Surface telle qu'une source l'écrit quand ce n'est pas un nombre (« >50 ») / surface as written when not a number"),
				boolean("disponible_2024", "Cité par batiweb parmi les 5 sites prêts dans l'année (2024) / listed as available in 2024", false),
				str("note", "Remarques de la transcription (désaccords entre sources…) / notes"),
				str("source_urls", "Adresses des pages citant le site, séparées par une espace / source pages"),
				str("inferred", "Ce qu'aucune page n'affirme mais qui est déduit (commune, departement, wave…), séparé par « ; » / what was inferred rather than read"),
				reqStr("commune", "Commune de rattachement du site (COG 2026) ; la première quand le site s'étend sur plusieurs / commune").tiles().shown(lblCommune, FormatText),
				str("communes", "Toutes les communes du site quand il y en a plusieurs, « Nom (code INSEE) ; … » / every commune of a site over several").shown(Text{"Communes", "Towns"}, FormatText),
				codeInsee.required().tiles(), departement.tiles(), region.tiles(), epci, epciName, territoire.tiles(), territoireName, precision.tiles(),
			},
			MinZoom: 0, MaxZoom: 12,
			Filters: Filters{Territory: inTerritory2023, Surface: "surface_ha", Groups: &Groups{Field: "waves", Param: "wave", Label: Text{"Vagues", "Waves"},
				Values: []Group{
					{Value: "2020-01", Name: Text{"Janvier 2020 (Choose France)", "January 2020 (Choose France)"}, Official: 12},
					{Value: "2020-07", Name: Text{"Juillet 2020 (Pack rebond)", "July 2020 (Pack rebond)"}, Official: 66},
					{Value: "2021-09", Name: Text{"Septembre 2021", "September 2021"}, Official: 49},
					{Value: "2024-04", Name: Text{"Avril 2024 (France 2030)", "April 2024 (France 2030)"}, Official: 55},
				},
				Held:          Text{"{group} : {held} des {official} sites sont nommés par des sources publiques", "{group}: {held} of the {official} sites are named in public sources"},
				HeldUncounted: Text{"{group} : {held} sites", "{group}: {held} sites"},
			}},
			Nearby: true,
			Kind:   Text{"Site clé en main", "Turnkey industrial site"}, Name: Text{"Sites clés en main", "Turnkey industrial sites"}, FocusZoom: 12,
			Page:   "/sites/{id}",
			Legend: &Legend{Shape: ShapeDot, Color: "#e1000f", Visible: true, InList: true},
			Style: []StyleLayer{
				{ID: "sites-circle", Type: "circle", Z: 110, Click: true, Paint: map[string]any{
					"circle-color": "#e1000f", "circle-radius": 6, "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5,
				}},
				{ID: "sites-label", Type: "symbol", Z: 78, MinZoom: 8, Layout: siteLabel, Paint: siteLabelPaint},
			},
		},
		{
			ID: "places", Geometry: dataset.GeometryPoint, Title: "Lieux : toutes les communes",
			Description: "Toutes les communes de France (COG 2026, outre-mer compris), un point par commune au centroïde DÉRIVÉ, pour nommer les lieux sur la carte : préfectures de région et de département et plus grandes villes d'abord, toutes les communes à partir du zoom 11. / Every commune of France as a label point (derived centroid).",
			Sources:     []string{"decoupage", "centroids"},
			Fields: []Field{
				communeName,
				communeCode.tiles(),
				integer("population", "Population INSEE (decoupage-administratif 6.0.0, COG 2026) / population").tiles().shown(lblPopulation, FormatNumber),
				departement.tiles(),
				region.tiles(),
				epci, epciName,
				str("chef_lieu", "« region » pour le chef-lieu d'une région, « departement » pour celui d'un département (decoupage-administratif) / regional or departmental capital").tiles(),
				Field{Name: "rank", Type: dataset.TypeInteger, Required: true, Tiles: true,
					Description: "Rang du lieu pour le nommer sur la carte : chefs-lieux de région, puis de département, puis par population décroissante (1 = le premier) / label rank"},
				Field{Name: "minzoom", Type: dataset.TypeInteger, Required: true, Tiles: true,
					Description: "Zoom à partir duquel le lieu est nommé (5 à 11) selon son rang et sa population / zoom from which the place is named"},
				precision,
			},
			MinZoom: 5, MaxZoom: 12, ZoomField: "minzoom", Search: SearchUnlisted,
			Kind: lblCommune, Name: Text{"Lieux", "Places"}, FocusZoom: 12,
			Style: []StyleLayer{
				{ID: "places-label", Type: "symbol", Z: 79, MinZoom: 5, Role: RoleBase, Layout: placeLabel, Paint: placeLabelPaint},
			},
		},
	}
}
