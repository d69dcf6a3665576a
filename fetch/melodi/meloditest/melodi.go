package meloditest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"territoires/fetch/fetchtest"
	"territoires/geo"
)

// cell is one generated observation of a territory, without GEO.
type cell struct {
	period string
	dims   [][2]string // dataset dimensions, in order
	value  float64
	secret bool
}

// fakeDataset describes one MELODI dataset of the fake.
type fakeDataset struct {
	id       string
	title    string
	measure  string // key of "measures"
	periods  []string
	modified string
	cells    func(g *fetchtest.Generator, t *geo.Territory, period string, emit func(cell))
}

func years(from, to int) []string {
	var ys []string
	for y := from; y <= to; y++ {
		ys = append(ys, strconv.Itoa(y))
	}
	return ys
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// fakeDatasets are the datasets the fake serves, with the dimension names
// and codes of MELODI.
var fakeDatasets = []*fakeDataset{
	{
		id: "DS_POPULATIONS_REFERENCE", title: "Populations de référence", measure: "OBS_VALUE_NIVEAU",
		periods: years(2021, 2023), modified: "2025-12-29T10:00:00",
		cells: func(g *fetchtest.Generator, t *geo.Territory, p string, emit func(cell)) {
			pm := g.Population(t, atoi(p))
			emit(cell{period: p, dims: [][2]string{{"POPREF_MEASURE", "PMUN"}}, value: pm})
			emit(cell{period: p, dims: [][2]string{{"POPREF_MEASURE", "PTOT"}}, value: pm + g.Additive(t, func(c *geo.Territory) float64 { return float64(int(fetchtest.Pop(c) * 0.015)) })})
			emit(cell{period: p, dims: [][2]string{{"POPREF_MEASURE", "PCAP"}}, value: g.Additive(t, func(c *geo.Territory) float64 { return float64(int(fetchtest.Pop(c) * 0.015)) })})
		},
	},
	{
		id: "DS_POPULATIONS_HISTORIQUES", title: "Séries historiques de population", measure: "OBS_VALUE_NIVEAU",
		periods: []string{"1968", "1975", "1982", "1990", "1999", "2010", "2015", "2021"}, modified: "2024-06-27T12:00:00",
		cells: func(g *fetchtest.Generator, t *geo.Territory, p string, emit func(cell)) {
			emit(cell{period: p, value: g.Population(t, atoi(p))})
		},
	},
	{
		id: "DS_RP_POPULATION_PRINC", title: "Population selon le sexe et l'âge", measure: "OBS_VALUE_NIVEAU",
		periods: []string{"2016", "2022"}, modified: "2025-06-26T12:00:00",
		cells: func(g *fetchtest.Generator, t *geo.Territory, p string, emit func(cell)) {
			y := atoi(p)
			for _, sex := range []string{"F", "M", "_T"} {
				total := 0.0
				for _, a := range fetchtest.AgeShares {
					v := 0.0
					if sex == "_T" {
						v = g.AgeSex(t, y, "F", a.Code) + g.AgeSex(t, y, "M", a.Code)
					} else {
						v = g.AgeSex(t, y, sex, a.Code)
					}
					total += v
					emit(cell{period: p, dims: [][2]string{{"SEX", sex}, {"AGE", a.Code}}, value: v})
				}
				emit(cell{period: p, dims: [][2]string{{"SEX", sex}, {"AGE", "_T"}}, value: total})
			}
		},
	},
	{
		id: "DS_FILOSOFI_CC", title: "Revenus, pauvreté et niveau de vie", measure: "OBS_VALUE_NIVEAU",
		periods: []string{"2020", "2021"}, modified: "2025-03-18T12:00:00",
		cells: func(g *fetchtest.Generator, t *geo.Territory, p string, emit func(cell)) {
			secret := fetchtest.IsLeaf(t) && fetchtest.Pop(t) < 1000
			for _, m := range []string{"MED_SL", "D1_SL", "D9_SL", "PR_MD60"} {
				emit(cell{period: p, dims: [][2]string{{"FILOSOFI_MEASURE", m}}, value: fetchtest.Income(t, m), secret: secret})
			}
		},
	},
	{
		id: "DS_RP_ACTIVITE_PRINC", title: "Population active", measure: "OBS_VALUE_NIVEAU",
		periods: []string{"2016", "2022"}, modified: "2025-06-26T12:00:00",
		cells: func(g *fetchtest.Generator, t *geo.Territory, p string, emit func(cell)) {
			for _, age := range []string{"Y15T64", "Y15T24"} {
				f := 1.0
				if age == "Y15T24" {
					f = 0.2
				}
				for _, st := range []string{"1", "2", "_T"} {
					emit(cell{period: p, dims: [][2]string{{"AGE", age}, {"EMPSTA_ENQ", st}}, value: float64(int(g.Activity(t, atoi(p), st) * f))})
				}
			}
		},
	},
	{
		id: "DS_RP_EMPLOI_LR_PRINC", title: "Emplois au lieu de travail", measure: "OBS_VALUE_NIVEAU",
		periods: []string{"2016", "2022"}, modified: "2025-06-26T12:00:00",
		cells: func(g *fetchtest.Generator, t *geo.Territory, p string, emit func(cell)) {
			emit(cell{period: p, value: g.Jobs(t, atoi(p))})
		},
	},
	{
		id: "DS_FLORES_A17", title: "Établissements et postes salariés", measure: "OBS_VALUE",
		periods: []string{"2022", "2023"}, modified: "2025-11-20T12:00:00",
		cells: func(g *fetchtest.Generator, t *geo.Territory, p string, emit func(cell)) {
			for _, m := range []string{"UNIT_LOC", "EMPL3112"} {
				total := 0.0
				for _, s := range fetchtest.Sectors {
					v := g.Establishments(t, m, s)
					total += v
					emit(cell{period: p, dims: [][2]string{{"FLORES_MEASURE", m}, {"A17", s}}, value: v})
				}
				emit(cell{period: p, dims: [][2]string{{"FLORES_MEASURE", m}, {"A17", "_T"}}, value: total})
			}
		},
	},
	{
		id: "DS_ETAT_CIVIL_NAIS_COMMUNES", title: "Naissances", measure: "OBS_VALUE_NIVEAU",
		periods: years(2015, 2024), modified: "2025-09-01T12:00:00",
		cells: func(g *fetchtest.Generator, t *geo.Territory, p string, emit func(cell)) {
			emit(cell{period: p, value: g.Events(t, "NAIS", atoi(p))})
		},
	},
	{
		id: "DS_ETAT_CIVIL_DECES_COMMUNES", title: "Décès", measure: "OBS_VALUE_NIVEAU",
		periods: years(2015, 2024), modified: "2025-09-01T12:00:00",
		cells: func(g *fetchtest.Generator, t *geo.Territory, p string, emit func(cell)) {
			emit(cell{period: p, value: g.Events(t, "DECES", atoi(p))})
		},
	},
}

func findDataset(id string) *fakeDataset {
	for _, d := range fakeDatasets {
		if d.id == id {
			return d
		}
	}
	return nil
}

var jsonHeader = http.Header{"Content-Type": {"application/json"}}

// melodiCatalog serves GET /melodi/catalog/all, with an ETag.
func (s *Server) catalog(r *http.Request) (int, http.Header, []byte) {
	type text struct {
		Lang    string `json:"lang"`
		Content string `json:"content"`
	}
	type product struct {
		ID            string `json:"id"`
		Format        string `json:"format"`
		AccessURL     string `json:"accessURL"`
		PackageFormat string `json:"packageFormat"`
	}
	type entry struct {
		Identifier string `json:"identifier"`
		Title      []text `json:"title"`
		Modified   string `json:"modified"`
		Temporal   struct {
			StartPeriod string `json:"startPeriod"`
			EndPeriod   string `json:"endPeriod"`
		} `json:"temporal"`
		Product         []product `json:"product"`
		NumObservations int       `json:"numObservations"`
	}
	entries := []entry{{Identifier: "DD_CNA_AGREGATS", Title: []text{{"fr", "Produit Intérieur Brut (PIB)"}}, Modified: "2025-08-29T13:38:58"}}
	entries[0].Temporal.StartPeriod, entries[0].Temporal.EndPeriod = "1949-01-01T00:00:00", "2024-01-01T00:00:00"
	s.mu.Lock()
	for _, d := range fakeDatasets {
		e := entry{Identifier: d.id, Title: []text{{"fr", d.title}, {"en", d.title}}, Modified: d.modified}
		if m, ok := s.modified[d.id]; ok {
			e.Modified = m
		}
		e.Temporal.StartPeriod = d.periods[0] + "-01-01T00:00:00"
		e.Temporal.EndPeriod = d.periods[len(d.periods)-1] + "-01-01T00:00:00"
		e.Product = []product{{ID: d.id + "_CSV_FR", Format: "CSV", PackageFormat: "application/zip",
			AccessURL: s.MelodiURL + "/file/" + d.id + "/" + d.id + "_CSV_FR"}}
		entries = append(entries, e)
	}
	s.mu.Unlock()
	body, _ := json.Marshal(entries)
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	h := http.Header{"Content-Type": {"application/json"}, "Etag": {etag}}
	if r.Header.Get("If-None-Match") == etag {
		return http.StatusNotModified, h, nil
	}
	return http.StatusOK, h, body
}

// melodiData serves GET /melodi/data/{dataset}.
func (s *Server) dataAnswer(r *http.Request) (int, http.Header, []byte) {
	d := findDataset(r.PathValue("dataset"))
	if d == nil {
		return http.StatusInternalServerError, http.Header{"Content-Type": {"text/plain;charset=UTF-8"}},
			[]byte("Le serveur a rencontré une erreur inattendue.")
	}
	q := r.URL.Query()
	geoParam := q.Get("GEO")
	obj, ts, ok := s.melodiTerritories(geoParam)
	if !ok {
		return http.StatusBadRequest, jsonHeader, []byte(`{"message":"GEO invalide: ` + geoParam + `"}`)
	}
	maxResult, page := 1000, 1
	if v := q.Get("maxResult"); v != "" {
		maxResult = atoi(v)
	}
	if v := q.Get("page"); v != "" {
		page = atoi(v)
	}
	if maxResult < 0 || maxResult > 100000 || page < 1 {
		return http.StatusBadRequest, jsonHeader, []byte(`{"message":"maxResult ou page invalide"}`)
	}
	filters := map[string]string{}
	for k := range q {
		switch k {
		case "GEO", "maxResult", "page", "totalCount", "idTerritoire":
		default:
			filters[k] = q.Get(k)
		}
	}

	known := map[string]bool{"TIME_PERIOD": true}
	d.cells(s.data, s.opts.Ref.France, d.periods[0], func(c cell) {
		for _, kv := range c.dims {
			known[kv[0]] = true
		}
	})
	for k := range filters {
		if !known[k] {
			return http.StatusBadRequest, jsonHeader, []byte(`{"message":"Paramètre inconnu : ` + k + `"}`)
		}
	}

	var obs bytes.Buffer
	start, end := (page-1)*maxResult, page*maxResult
	n := 0
	for _, t := range ts {
		geoID := "2025-" + obj + "-" + t.Code
		if t.Kind == geo.France {
			geoID = "2025-FRANCE-F"
		}
		for _, p := range d.periods {
			if f, ok := filters["TIME_PERIOD"]; ok && f != p {
				continue
			}
			d.cells(s.data, t, p, func(c cell) {
				for k, v := range filters {
					if k == "TIME_PERIOD" {
						continue
					}
					if i := slices.IndexFunc(c.dims, func(kv [2]string) bool { return kv[0] == k }); i < 0 || c.dims[i][1] != v {
						return
					}
				}
				if n >= start && n < end {
					if obs.Len() > 0 {
						obs.WriteByte(',')
					}
					writeObs(&obs, d, geoID, c)
				}
				n++
			})
		}
	}
	self := *r.URL
	self.Scheme, self.Host = "https", "api.insee.fr"
	pageURL := func(p int) string {
		v := self.Query()
		v.Set("page", strconv.Itoa(p))
		u := self
		u.RawQuery = v.Encode()
		return u.String()
	}
	var body bytes.Buffer
	fmt.Fprintf(&body, `{"identifier":%q,"title":{"fr":%q,"en":%q},"publisher":{"id":"INSEE"},"observations":[`, d.id, d.title, d.title)
	body.Write(obs.Bytes())
	body.WriteString(`],"paging":{"first":` + strconv.Quote(pageURL(1)))
	last := end >= n
	if !last {
		body.WriteString(`,"next":` + strconv.Quote(pageURL(page+1)))
	}
	fmt.Fprintf(&body, `,"isLast":%t`, last)
	if strings.EqualFold(q.Get("totalCount"), "true") {
		fmt.Fprintf(&body, `,"count":%d`, n)
	}
	body.WriteString("}}")
	return http.StatusOK, jsonHeader, body.Bytes()
}

func writeObs(b *bytes.Buffer, d *fakeDataset, geoID string, c cell) {
	fmt.Fprintf(b, `{"dimensions":{"GEO":%q,"FREQ":"A","TIME_PERIOD":%q`, geoID, c.period)
	for _, kv := range c.dims {
		fmt.Fprintf(b, `,%q:%q`, kv[0], kv[1])
	}
	if c.secret {
		fmt.Fprintf(b, `},"measures":{%q:{"value":null}},"attributes":{"CONF_STATUS":"C","OBS_STATUS":"M"}}`, d.measure)
		return
	}
	fmt.Fprintf(b, `},"measures":{%q:{"value":%s}}}`, d.measure, strconv.FormatFloat(c.value, 'f', 1, 64))
}

// melodiTerritories resolves a GEO parameter: a level ("COM"), a parent's
// communes ("DEP-69*COM") or one territory ("COM-69123", "FRANCE-F").
func (s *Server) melodiTerritories(param string) (obj string, ts []*geo.Territory, ok bool) {
	kinds := map[string]geo.Kind{"FRANCE": geo.France, "REG": geo.Region, "DEP": geo.Departement,
		"EPCI": geo.EPCI, "COM": geo.Commune, "ARM": geo.Arrondissement}
	ref := s.opts.Ref
	if parent, child, found := strings.Cut(param, "*"); found {
		dep, hasDep := strings.CutPrefix(parent, "DEP-")
		if !hasDep || child != "COM" {
			return "", nil, false
		}
		return "COM", s.data.Communes(dep), true
	}
	o, code, single := strings.Cut(param, "-")
	k, known := kinds[o]
	if !known {
		return "", nil, false
	}
	if !single {
		return o, ref.OfKind(k), true
	}
	if k == geo.France {
		return o, []*geo.Territory{ref.France}, code == "F"
	}
	t, found := ref.Lookup(k, code)
	if !found {
		return o, nil, true // no observation, like MELODI for an unknown code
	}
	return o, []*geo.Territory{t}, true
}

// DatasetIDs lists the MELODI datasets the fake serves.
func DatasetIDs() []string {
	var ids []string
	for _, d := range fakeDatasets {
		ids = append(ids, d.id)
	}
	return ids
}
