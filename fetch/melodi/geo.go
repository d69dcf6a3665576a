package melodi

import (
	"strings"

	"territoires/geo"
)

// levels maps MELODI's GEO objects to the referential's kinds. ARM comes
// before COM: Paris, Lyon and Marseille are communes (COM-69123) and have
// arrondissements (ARM-69381).
var levels = map[string][]geo.Kind{
	"REG":  {geo.Region, geo.Collectivite},
	"DEP":  {geo.Departement, geo.Collectivite},
	"EPCI": {geo.EPCI},
	"COM":  {geo.Commune, geo.Arrondissement},
	"ARM":  {geo.Arrondissement},
	"ARR":  {geo.ArrondissementDep},
}

// studyLevels are MELODI's GEO objects of INSEE's study zonings.
var studyLevels = map[string]geo.Kind{
	"ZE2020": geo.ZoneEmploi, "UU2020": geo.UniteUrbaine, "AAV2020": geo.AireAttraction, "BV2022": geo.BassinVie,
}

// geoMapper maps MELODI GEO values to referential IDs, remembering each
// answer: a dataset repeats the same GEO on many observations.
type geoMapper struct {
	ref  *geo.Referential
	seen map[string]geoAnswer
}

type geoAnswer struct{ id, reason string }

func newGeoMapper(ref *geo.Referential) *geoMapper {
	return &geoMapper{ref: ref, seen: map[string]geoAnswer{}}
}

// id maps a GEO value ("2025-COM-44109", "COM-44109", "2025-FRANCE-F") to
// a territory ID, or says why it is skipped.
func (g *geoMapper) id(v string) (id, reason string) {
	if a, ok := g.seen[v]; ok {
		return a.id, a.reason
	}
	id, reason = g.lookup(v)
	g.seen[v] = geoAnswer{id, reason}
	return id, reason
}

func (g *geoMapper) lookup(v string) (string, string) {
	if len(v) > 5 && v[4] == '-' && isDigits(v[:4]) {
		v = v[5:] // geography vintage
	}
	obj, code, ok := strings.Cut(v, "-")
	if !ok {
		return "", skipTerritory
	}
	if obj == "FRANCE" {
		switch {
		case code == "FM":
			return "", skipFranceFM
		case code == "F" && g.ref.France != nil:
			return g.ref.France.ID(), ""
		}
		return "", skipTerritory
	}
	if k, ok := studyLevels[obj]; ok {
		// Study zones are not in the referential: the build makes them from
		// INSEE's geography (fetch/metadonnees), with these IDs.
		if code == "" {
			return "", skipTerritory
		}
		return k.Slug() + "/" + code, ""
	}
	kinds, known := levels[obj]
	if !known {
		return "", skipLevel
	}
	for _, k := range kinds {
		if t, ok := g.ref.Lookup(k, code); ok {
			return t.ID(), ""
		}
	}
	return "", skipTerritory
}

func isDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
