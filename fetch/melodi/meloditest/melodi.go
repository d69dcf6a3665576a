package meloditest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"territoires/geo"
)

var jsonHeader = http.Header{"Content-Type": {"application/json"}}

// unknownDataset is MELODI's answer for a dataset it does not know:
// HTTP 500 with a plain-text French message (recorded:
// get_data_not_exist.yml).
func unknownDataset() (int, http.Header, []byte) {
	return http.StatusInternalServerError, http.Header{"Content-Type": {"text/plain;charset=UTF-8"}},
		[]byte("Le serveur a rencontré une erreur inattendue.")
}

// dataset returns a served dataset, nil if unknown or removed.
func (s *Server) dataset(id string) *fakeDataset {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.removed[id] {
		return nil
	}
	return findDataset(id)
}

// text is a {lang, content} pair of the catalogue.
type text struct {
	Lang    string `json:"lang"`
	Content string `json:"content"`
}

// catalog serves GET /melodi/catalog/all in the shape of the recorded
// get_catalog_fr.yml, with an ETag.
func (s *Server) catalog(r *http.Request) (int, http.Header, []byte) {
	type product struct {
		ID            string `json:"id"`
		Format        string `json:"format"`
		Issued        string `json:"issued"`
		Modified      string `json:"modified"`
		Title         string `json:"title"`
		AccessURL     string `json:"accessURL"`
		ByteSize      int    `json:"byteSize"`
		PackageFormat string `json:"packageFormat,omitempty"`
		MediaType     string `json:"mediaType"`
		Language      string `json:"language"`
	}
	type resolution struct {
		ID    string `json:"id"`
		Label []text `json:"label"`
	}
	type entry struct {
		Identifier string `json:"identifier"`
		URI        string `json:"uri"`
		Title      []text `json:"title"`
		Issued     string `json:"issued"`
		Creator    string `json:"creator"`
		Modified   string `json:"modified"`
		Temporal   struct {
			StartPeriod string `json:"startPeriod"`
			EndPeriod   string `json:"endPeriod"`
		} `json:"temporal"`
		SpatialResolution []resolution `json:"spatialResolution"`
		NumObservations   int          `json:"numObservations"`
		Product           []product    `json:"product"`
	}
	other := entry{Identifier: "DD_CNA_AGREGATS", Title: []text{{"fr", "Produit Intérieur Brut (PIB) et grands agrégats économiques"}},
		Modified: "2025-08-29T13:38:58", SpatialResolution: []resolution{{ID: "NAT", Label: []text{{"fr", "Niveau national"}}}},
		Product: []product{{ID: "DD_CNA_AGREGATS_CSV_FR", Format: "CSV", AccessURL: "https://api.insee.fr/melodi/file/DD_CNA_AGREGATS/DD_CNA_AGREGATS_CSV_FR",
			ByteSize: 1895856, PackageFormat: "application/zip", MediaType: "text/csv", Language: "FR"}}}
	other.Temporal.StartPeriod, other.Temporal.EndPeriod = "1949-01-01T00:00:00", "2024-01-01T00:00:00"
	entries := []entry{other}
	s.mu.Lock()
	for _, d := range fakeDatasets {
		if s.removed[d.id] {
			continue
		}
		e := entry{Identifier: d.id, URI: "http://id.insee.fr/catalogues/jeuDeDonnees/" + strings.ToLower(d.id),
			Title: []text{{"fr", d.title}, {"en", d.title}}, Issued: "2024-06-10T15:39:49", Creator: "Insee", Modified: d.modified}
		if m, ok := s.modified[d.id]; ok {
			e.Modified = m
		}
		e.Temporal.StartPeriod = d.periods[0] + "-01-01T00:00:00"
		e.Temporal.EndPeriod = d.periods[len(d.periods)-1] + "-01-01T00:00:00"
		for _, l := range d.levels {
			e.SpatialResolution = append(e.SpatialResolution, resolution{ID: l, Label: []text{{"fr", l}}})
		}
		last := d.periods[len(d.periods)-1]
		xlsx := strings.TrimPrefix(d.id, "DS_") + "_FR"
		e.Product = append(e.Product, product{ID: xlsx, Format: "XLSX", AccessURL: s.publicURL("/file/" + d.id + "/" + xlsx),
			ByteSize: 5136116, MediaType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Language: "FR"})
		if !s.noFile[d.id] {
			id := d.id + "_" + last + "_CSV_FR"
			e.Product = append(e.Product, product{ID: id, Format: "CSV", Issued: e.Modified, Modified: e.Modified, Title: d.title,
				AccessURL: s.publicURL("/file/" + d.id + "/" + id), ByteSize: 19062789, PackageFormat: "application/zip",
				MediaType: "text/csv", Language: "FR"})
		}
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

func (s *Server) publicURL(path string) string { return "https://api.insee.fr/melodi" + path }

// geoObject is the MELODI level of a territory kind.
var geoObject = map[geo.Kind]string{
	geo.France: "FRANCE", geo.Region: "REG", geo.Departement: "DEP", geo.EPCI: "EPCI", geo.Commune: "COM",
	geo.Arrondissement: "ARM", geo.ArrondissementDep: "ARR", geo.ZoneEmploi: "ZE2020", geo.UniteUrbaine: "UU2020",
	geo.AireAttraction: "AAV2020", geo.BassinVie: "BV2022",
}

var kindOf = func() map[string]geo.Kind {
	m := map[string]geo.Kind{}
	for k, o := range geoObject {
		m[o] = k
	}
	return m
}()

// each calls fn for every observation of d for the territories ts of one
// level (obj), in order: GEO in the long form 2025-COM-69123.
func (s *Server) each(d *fakeDataset, obj, only string, ts []*geo.Territory, fn func(geoID string, period string, c cell)) {
	if !slices.Contains(d.levels, obj) {
		return
	}
	for _, t := range ts {
		ids := []string{"2025-" + obj + "-" + t.Code}
		if t.Kind == geo.France {
			ids = []string{"2025-FRANCE-F"}
			if d.fm {
				ids = append(ids, "2025-FRANCE-FM")
			}
			if only != "" {
				ids = slices.DeleteFunc(ids, func(id string) bool { return id != "2025-FRANCE-"+only })
			}
		}
		for _, id := range ids {
			for _, p := range d.periods {
				d.cells(s.data, t, p, func(c cell) {
					if strings.HasSuffix(id, "-FM") {
						c.value = math.Round(c.value * 0.97) // metropolitan France: less than the whole
					}
					fn(id, p, c)
				})
			}
		}
	}
}

// levelTerritories returns the territories of a level.
func (s *Server) levelTerritories(obj string) []*geo.Territory {
	k, ok := kindOf[obj]
	if !ok {
		return nil
	}
	if k == geo.France {
		return []*geo.Territory{s.opts.Ref.France}
	}
	if z, ok := s.zones[k]; ok {
		return z
	}
	return s.opts.Ref.OfKind(k)
}

// dataAnswer serves GET /melodi/data/{dataset}: observations in the shape
// of the recorded answers, paging as recorded (first, count with
// totalCount=TRUE; next, previous and isLast from page 2 on).
func (s *Server) dataAnswer(r *http.Request) (int, http.Header, []byte) {
	d := s.dataset(r.PathValue("dataset"))
	if d == nil {
		return unknownDataset()
	}
	q := r.URL.Query()
	geoParam := q.Get("GEO")
	levels, ok := s.resolveGEO(geoParam)
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
	filters := map[string][]string{}
	for k, v := range q {
		switch k {
		case "GEO", "maxResult", "page", "totalCount", "idTerritoire":
		default:
			if k != "TIME_PERIOD" && !slices.Contains(d.dims, k) {
				return http.StatusBadRequest, jsonHeader, []byte(`{"message":"Paramètre inconnu : ` + k + `"}`)
			}
			filters[k] = v
		}
	}
	var obs bytes.Buffer
	start, end := (page-1)*maxResult, page*maxResult
	n := 0
	for _, l := range levels {
		s.each(d, l.obj, l.only, l.ts, func(geoID, p string, c cell) {
			if f, ok := filters["TIME_PERIOD"]; ok && !slices.Contains(f, p) {
				return
			}
			for i, name := range d.dims {
				if f, ok := filters[name]; ok && !slices.Contains(f, c.dims[i]) {
					return
				}
			}
			if n >= start && n < end {
				if obs.Len() > 0 {
					obs.WriteByte(',')
				}
				writeObs(&obs, d, geoID, p, c)
			}
			n++
		})
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
	fmt.Fprintf(&body, `{"identifier":%q,"title":{"fr":%q,"en":%q},"publisher":{"id":"INSEE","label":[{"lang":"fr","content":"Institut national de la statistique et des etudes economiques (INSEE)"}]},"observations":[`, d.id, d.title, d.title)
	body.Write(obs.Bytes())
	body.WriteString(`],"paging":{"first":` + strconv.Quote(pageURL(1)))
	last := end >= n
	if page > 1 {
		if !last {
			body.WriteString(`,"next":` + strconv.Quote(pageURL(page+1)))
		}
		body.WriteString(`,"previous":` + strconv.Quote(pageURL(page-1)))
		fmt.Fprintf(&body, `,"isLast":%t`, last)
	}
	if strings.EqualFold(q.Get("totalCount"), "true") {
		fmt.Fprintf(&body, `,"count":%d`, n)
	}
	body.WriteString("}}")
	return http.StatusOK, jsonHeader, body.Bytes()
}

// javaDouble writes v as Java's Double.toString does, which MELODI's JSON
// numbers follow: 327734.0, 12.5, 1.2380964E7.
func javaDouble(v float64) string {
	if a := math.Abs(v); a != 0 && (a >= 1e7 || a < 1e-3) {
		s := strconv.FormatFloat(v, 'E', -1, 64) // 1.2380964E+07
		mant, exp, _ := strings.Cut(s, "E")
		if !strings.Contains(mant, ".") {
			mant += ".0"
		}
		e, _ := strconv.Atoi(exp)
		return mant + "E" + strconv.Itoa(e)
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func writeObs(b *bytes.Buffer, d *fakeDataset, geoID, period string, c cell) {
	fmt.Fprintf(b, `{"dimensions":{"GEO":%q,"TIME_PERIOD":%q`, geoID, period)
	for i, name := range d.dims {
		fmt.Fprintf(b, `,%q:%q`, name, c.dims[i])
	}
	b.WriteString("}")
	switch {
	case c.secret:
		b.WriteString(`,"attributes":{"UNIT_MULT":"0","CONF_STATUS":"C","OBS_STATUS":"A"},"measures":{"OBS_VALUE_NIVEAU":{"value":null}}}`)
	case slices.Contains(d.attrs, "CONF_STATUS"):
		fmt.Fprintf(b, `,"attributes":{"UNIT_MULT":"0","CONF_STATUS":"F","OBS_STATUS":"A"},"measures":{"OBS_VALUE_NIVEAU":{"value":%s}}}`, javaDouble(c.value))
	case len(d.attrs) > 0:
		fmt.Fprintf(b, `,"attributes":{"OBS_STATUS":"A"},"measures":{"OBS_VALUE_NIVEAU":{"value":%s}}}`, javaDouble(c.value))
	default:
		fmt.Fprintf(b, `,"measures":{"OBS_VALUE_NIVEAU":{"value":%s}}}`, javaDouble(c.value))
	}
}

// levelSet is the territories of one level asked by a GEO parameter.
type levelSet struct {
	obj  string
	ts   []*geo.Territory
	only string // "F" or "FM" when one France is asked
}

// resolveGEO resolves a GEO parameter: a level ("COM"), a parent's
// communes ("DEP-69*COM", "EPCI-244400404*COM"), one territory
// ("COM-69123", "FRANCE-F"), with or without the vintage prefix
// ("2025-COM-69123"). Several levels are not asked at once.
func (s *Server) resolveGEO(param string) ([]levelSet, bool) {
	if len(param) > 5 && param[4] == '-' {
		param = param[5:]
	}
	ref := s.opts.Ref
	if parent, child, found := strings.Cut(param, "*"); found {
		obj, code, _ := strings.Cut(parent, "-")
		k, ok := kindOf[obj]
		p, found := ref.Lookup(k, code)
		if !ok || child != "COM" || (k != geo.Departement && k != geo.EPCI) {
			return nil, false
		}
		if !found {
			return nil, true
		}
		if k == geo.Departement {
			return []levelSet{{"COM", s.data.Communes(code), ""}}, true
		}
		return []levelSet{{"COM", s.data.Members(p), ""}}, true
	}
	obj, code, single := strings.Cut(param, "-")
	k, known := kindOf[obj]
	if !known {
		return nil, false
	}
	if !single {
		return []levelSet{{obj, s.levelTerritories(obj), ""}}, true
	}
	if k == geo.France {
		return []levelSet{{obj, []*geo.Territory{ref.France}, code}}, code == "F" || code == "FM"
	}
	t, found := ref.Lookup(k, code)
	for _, z := range s.zones[k] {
		if z.Code == code {
			t, found = z, true
		}
	}
	if !found {
		return nil, true // no observation, like MELODI for an unknown code
	}
	return []levelSet{{obj, []*geo.Territory{t}, ""}}, true
}

// rangeAnswer serves GET /melodi/range/{dataset} in the shape of the
// recorded get_range_geo_ec_deces.yml: every dimension with its codes,
// then the measure and the attributes.
func (s *Server) rangeAnswer(r *http.Request) (int, http.Header, []byte) {
	d := s.dataset(r.PathValue("dataset"))
	if d == nil {
		return unknownDataset()
	}
	type label struct {
		Fr string `json:"fr"`
		En string `json:"en,omitempty"`
	}
	type typ struct {
		Code string `json:"code"`
		Fr   string `json:"fr"`
	}
	type value struct {
		Code  string `json:"code"`
		IRI   string `json:"iri,omitempty"`
		Label label  `json:"label"`
		Type  *typ   `json:"type,omitempty"`
		ID    string `json:"id,omitempty"`
	}
	type conceptT struct {
		Code  string `json:"code"`
		Label label  `json:"label"`
	}
	type dimension struct {
		Concept conceptT `json:"concept"`
		Values  []value  `json:"values"`
	}
	var geoValues []value
	for _, obj := range d.levels {
		for _, t := range s.levelTerritories(obj) {
			code := t.Code
			if t.Kind == geo.France {
				code = "F"
			}
			geoValues = append(geoValues, value{Code: code, IRI: "http://id.insee.fr/geo/" + strings.ToLower(obj) + "/" + code,
				Label: label{Fr: t.Name}, Type: &typ{Code: obj, Fr: obj}, ID: "2025-" + obj + "-" + code})
		}
	}
	codes := make([][]string, len(d.dims))
	var periods []string
	for _, obj := range d.levels {
		ts := s.levelTerritories(obj)
		if len(ts) == 0 {
			continue
		}
		s.each(d, obj, "", ts[:1], func(_, p string, c cell) {
			if !slices.Contains(periods, p) {
				periods = append(periods, p)
			}
			for i, code := range c.dims {
				if !slices.Contains(codes[i], code) {
					codes[i] = append(codes[i], code)
				}
			}
		})
		break
	}
	out := struct {
		Code  string      `json:"code"`
		Label label       `json:"label"`
		Range []dimension `json:"range"`
	}{Code: d.id, Label: label{Fr: d.title, En: d.title}}
	out.Range = append(out.Range, dimension{Concept: conceptT{"GEO", label{"Géographie", "Geography"}}, Values: geoValues})
	for i, name := range d.dims {
		dm := dimension{Concept: conceptT{name, label{Fr: name}}}
		for _, c := range codes[i] {
			dm.Values = append(dm.Values, value{Code: c, Label: label{Fr: c}})
		}
		out.Range = append(out.Range, dm)
	}
	tp := dimension{Concept: conceptT{"TIME_PERIOD", label{"Période temporelle", "Time period"}}}
	for _, p := range periods {
		tp.Values = append(tp.Values, value{Code: p, Label: label{p, p}})
	}
	out.Range = append(out.Range, tp,
		dimension{Concept: conceptT{"MEASURE", label{"Mesure", "Measure"}}, Values: []value{{Code: "OBS_VALUE_NIVEAU", Label: label{"Valeur", "Value"}}}})
	for _, a := range d.attrs {
		out.Range = append(out.Range, dimension{Concept: conceptT{a, label{Fr: a}}, Values: []value{{Code: "A", Label: label{Fr: "Normal"}}}})
	}
	body, err := json.Marshal(out)
	if err != nil {
		return http.StatusInternalServerError, nil, []byte(err.Error())
	}
	return http.StatusOK, jsonHeader, body
}

// fileAnswer serves GET /melodi/file/{dataset}/{product}: a zip holding
// {name}_data.csv and {name}_metadata.csv, ';'-separated with quoted
// fields. The data CSV has the columns GEO;GEO_OBJECT;<dimensions>;
// <attributes>;TIME_PERIOD;OBS_VALUE, GEO being the code and GEO_OBJECT
// its level (FRANCE-F: GEO "F", GEO_OBJECT "FRANCE").
func (s *Server) fileAnswer(r *http.Request) (int, http.Header, []byte) {
	d := s.dataset(r.PathValue("dataset"))
	product := r.PathValue("product")
	if d == nil {
		return unknownDataset()
	}
	if s.noFile[d.id] || !strings.HasSuffix(product, "_CSV_FR") || !strings.HasPrefix(product, d.id+"_") {
		return http.StatusNotFound, jsonHeader, []byte(`{"message":"Produit inconnu : ` + url.PathEscape(product) + `"}`)
	}
	s.mu.Lock()
	body, ok := s.zips[d.id]
	s.mu.Unlock()
	if !ok {
		var err error
		if body, err = s.buildZip(d, strings.TrimSuffix(product, "_CSV_FR")); err != nil {
			return http.StatusInternalServerError, nil, []byte(err.Error())
		}
		s.mu.Lock()
		s.zips[d.id] = body
		s.mu.Unlock()
	}
	h := http.Header{"Content-Type": {"application/octet-stream"},
		"Content-Disposition": {`inline; filename="` + product + `.zip"`}}
	return http.StatusOK, h, body
}

func (s *Server) buildZip(d *fakeDataset, name string) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	w, err := zw.Create(name + "_data.csv")
	if err != nil {
		return nil, err
	}
	quote := func(fields ...string) string {
		return `"` + strings.Join(fields, `";"`) + `"` + "\n"
	}
	head := append(append(append([]string{"GEO", "GEO_OBJECT"}, d.dims...), d.attrs...), "TIME_PERIOD", "OBS_VALUE")
	bw := &bytes.Buffer{}
	bw.WriteString(quote(head...))
	row := make([]string, 0, len(head))
	for _, obj := range d.levels {
		s.each(d, obj, "", s.levelTerritories(obj), func(geoID, p string, c cell) {
			parts := strings.SplitN(geoID, "-", 3)
			row = append(row[:0], parts[2], parts[1])
			row = append(row, c.dims...)
			value := strconv.FormatFloat(c.value, 'f', -1, 64)
			for _, a := range d.attrs {
				switch {
				case a == "CONF_STATUS" && c.secret:
					row = append(row, "C")
					value = ""
				case a == "CONF_STATUS":
					row = append(row, "F")
				case a == "UNIT_MULT":
					row = append(row, "0")
				default:
					row = append(row, "A")
				}
			}
			row = append(row, p, value)
			bw.WriteString(quote(row...))
			if bw.Len() > 1<<20 {
				w.Write(bw.Bytes())
				bw.Reset()
			}
		})
	}
	if _, err := w.Write(bw.Bytes()); err != nil {
		return nil, err
	}
	m, err := zw.Create(name + "_metadata.csv")
	if err != nil {
		return nil, err
	}
	var mb strings.Builder
	mb.WriteString(quote("COD_VAR", "LIB_VAR", "COD_MOD", "LIB_MOD"))
	for _, dim := range d.dims {
		mb.WriteString(quote(dim, dim, "_T", "Total"))
	}
	m.Write([]byte(mb.String()))
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
