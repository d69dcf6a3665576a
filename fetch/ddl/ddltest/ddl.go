package ddltest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"territoires/fetch/fetchtest"
	"territoires/geo"
)

// ddlNoCell is Données Locales' answer for a zone a cube does not cover.
const ddlNoCell = `{"message":"Aucune cellule ne correspond a la requête"}`

type ddlFakeCell struct {
	mesure, mesureLabel string
	mods                [][2]string // variable, code
	value               string
}

// ddlCells generates the cells of a cube for a territory; ok is false when
// the cube is not published for it.
func (s *Server) ddlCells(croisement string, year int, t *geo.Territory) (cells []ddlFakeCell, known, ok bool) {
	g := s.data
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	switch croisement {
	case "IND_POPLEGALES":
		p := g.Population(t, year)
		capt := g.Additive(t, "popcap", func(c *geo.Territory) float64 { return float64(int(fetchtest.Pop(c) * 0.015)) })
		mod := [][2]string{{"IND_POPLEGALES", "1"}}
		return []ddlFakeCell{
			{"POPMUN", "Population municipale", mod, num(p)},
			{"POPCAP", "Population comptée à part", mod, num(capt)},
			{"POPTOT", "Population totale", mod, num(p + capt)},
		}, true, true
	case "SEXE-AGE15_15_90":
		ages := map[string]string{"Y_LT15": "00", "Y15T29": "15", "Y30T44": "30", "Y45T59": "45", "Y60T74": "60", "Y75T89": "75", "Y_GE90": "90"}
		for _, sex := range []struct{ code, m string }{{"1", "M"}, {"2", "F"}, {"ENS", ""}} {
			total := 0.0
			for _, a := range fetchtest.AgeShares {
				var v float64
				if sex.m == "" {
					v = g.AgeSex(t, year, "M", a.Code) + g.AgeSex(t, year, "F", a.Code)
				} else {
					v = g.AgeSex(t, year, sex.m, a.Code)
				}
				total += v
				cells = append(cells, ddlFakeCell{"POP", "Population", [][2]string{{"SEXE", sex.code}, {"AGE15_15_90", ages[a.Code]}}, num(v)})
			}
			cells = append(cells, ddlFakeCell{"POP", "Population", [][2]string{{"SEXE", sex.code}, {"AGE15_15_90", "ENS"}}, num(total)})
		}
		return cells, true, true
	case "INDICS_FILO_DISP", "INDICS_FILO_DISP_DET":
		if fetchtest.IsLeaf(t) && fetchtest.Pop(t) < 2000 {
			return nil, true, false
		}
		ms := []string{"MEDIANE"}
		if croisement == "INDICS_FILO_DISP_DET" {
			ms = []string{"D1", "D9", "TP60"}
		}
		for _, m := range ms {
			v := num(fetchtest.Income(t, m))
			if fetchtest.IsLeaf(t) && fetchtest.Pop(t) < 2500 && m == "TP60" {
				v = "s" // secret
			}
			cells = append(cells, ddlFakeCell{"VALEUR", "Valeur", [][2]string{{croisement, m}}, v})
		}
		return cells, true, true
	}
	return nil, false, false
}

// ddlData serves GET /donnees-locales/donnees/geo-{croisement}@{jeu}/{nivgeo}-{code}.{modalites}.
func (s *Server) ddlData(r *http.Request) (int, http.Header, []byte) {
	bad := func(msg string) (int, http.Header, []byte) {
		return http.StatusBadRequest, jsonHeader, []byte(`{"message":` + strconv.Quote(msg) + `}`)
	}
	cube, ok := strings.CutPrefix(r.PathValue("cube"), "geo-")
	croisement, jeu, ok2 := strings.Cut(cube, "@")
	if !ok || !ok2 || len(jeu) < 4 {
		return bad("croisement invalide")
	}
	zone, mods, ok := strings.Cut(r.PathValue("zone"), ".")
	niv, code, ok2 := strings.Cut(zone, "-")
	if !ok || !ok2 || strings.Count(mods, ".") != strings.Count(croisement, "-") {
		return bad("zone ou modalités invalides")
	}
	var t *geo.Territory
	ref := s.opts.Ref
	switch niv {
	case "FE":
		t = ref.France
	case "REG":
		t, _ = ref.Lookup(geo.Region, code)
	case "DEP":
		t, _ = ref.Lookup(geo.Departement, code)
	case "EPCI":
		t, _ = ref.Lookup(geo.EPCI, code)
	case "COM":
		if t, ok = ref.Lookup(geo.Commune, code); !ok {
			t, _ = ref.Lookup(geo.Arrondissement, code)
		}
	default:
		return bad("niveau géographique inconnu: " + niv)
	}
	year := atoi(jeu[len(jeu)-4:])
	if t == nil {
		return http.StatusNotFound, jsonHeader, []byte(ddlNoCell)
	}
	cells, known, published := s.ddlCells(croisement, year, t)
	if !known {
		return bad("croisement inconnu: " + croisement)
	}
	if !published {
		return http.StatusNotFound, jsonHeader, []byte(ddlNoCell)
	}

	zoneObj := map[string]any{"codgeo": code, "nivgeo": niv, "Evenement": []any{}}
	list := func(v []any) any {
		if s.opts.LoneObjects && len(v) == 1 {
			return v[0]
		}
		return v
	}
	var cellObjs []any
	variables := map[string]bool{}
	var varList []any
	for _, c := range cells {
		var mods []any
		for _, m := range c.mods {
			mods = append(mods, map[string]string{"code": m[1], "variable": m[0]})
			if !variables[m[0]] {
				variables[m[0]] = true
				varList = append(varList, map[string]any{"code": m[0], "Libelle": m[0], "Modalite": []any{}})
			}
		}
		cellObjs = append(cellObjs, map[string]any{
			"Zone":     zoneObj,
			"Mesure":   map[string]string{"value": c.mesureLabel, "code": c.mesure},
			"Modalite": list(mods),
			"Valeur":   c.value,
		})
	}
	answer := map[string]any{
		"Croisement": map[string]any{
			"Filtre":     "",
			"JeuDonnees": map[string]any{"code": jeu, "Libelle": jeu, "Annee": year, "Source": croisement},
		},
		"Zone":     list([]any{zoneObj}),
		"Variable": varList,
		"Cellule":  list(cellObjs),
	}
	body, err := json.Marshal(answer)
	if err != nil {
		return http.StatusInternalServerError, nil, []byte(err.Error())
	}
	return http.StatusOK, jsonHeader, body
}
