// Command gen converts the npm package @etalab/decoupage-administratif into
// the compact referential embedded by package geo (cog.tsv.gz).
//
// It fetches each version of the package with `npm pack` (the geography comes
// from the newest version; the earlier ones carry the legal populations of
// earlier years), checks the input (counts, every parent exists, every
// commune has a département and a région) and fails with a message naming
// what is wrong. Run it with `go generate ./geo`; Node and npm are needed
// only here, never to build the site.
//
// Output format, one record per line, fields separated by tabs, gzip-compressed:
//
//	#	comment lines
//	G	geo-year	package@version
//	Y	pop-year,pop-year,...            (ascending)
//	R	code	name	pops                  région
//	D	code	name	region	pops           département
//	X	code	name	pops                  collectivité d'outre-mer
//	E	siren	name	type	pops           EPCI
//	N	code	name	dep	liaison                arrondissement départemental
//	C	code	name	dep	region	epci	arrondissement	postal,codes	pops
//	A	code	name	commune	postal,codes	pops       arrondissement municipal
//	O	old-code	current-code	name	status  retired or delegated commune code
//
// where pops is a comma list aligned with the Y line, empty where unknown;
// liaison is INSEE's type of name (TNCC, 0 to 8), which gives the article
// ("arrondissement du Vigan"); status is "deleguee", "associee" or empty for
// a commune merged away. The name of a retired code is its name as a
// commune déléguée or associée in the newest version, else its last name in
// an older version's communes, else in the history of communes of 0.7.0.
package main

import (
	"archive/tar"
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

const pkg = "@etalab/decoupage-administratif"

// geoVersion is the package version that gives the geography (COG 2026).
const geoVersion = "6.0.0"

// versions maps each package version to the reference year of the legal
// populations it carries, read from the INSEE publication its README cites
// (population municipale of year N is published at the end of year N+2).
// Versions that repeat a year are kept only once: the newest wins.
var versions = []struct {
	version string
	popYear int
}{
	{"0.7.0", 2016}, // COG 2019, Insee publication 3677855
	{"1.1.1", 2019}, // COG 2021, 6011070
	{"2.3.1", 2020}, // COG 2022, 6683035
	{"3.1.1", 2020}, // COG 2023, same publication as 2.3.1
	{"4.1.0", 2022}, // COG 2024, 8290591
	{"5.3.0", 2023}, // COG 2025, 8680726
	{"6.0.0", 2023}, // COG 2026, same publication as 5.3.0
}

// expected counts of the COG 2026 geography (metropolitan France and the
// five overseas départements; the overseas collectivities are kept apart).
var expected = map[string]int{
	"commune":                  34969,
	"arrondissement-municipal": 45,
	"arrondissement":           333,
	"epci":                     1255,
	"departement":              101,
	"region":                   18,
	"collectivite":             8,
}

type commune struct {
	Code        string   `json:"code"`
	Nom         string   `json:"nom"`
	Type        string   `json:"type"`
	Zone        string   `json:"zone"`
	Departement string   `json:"departement"`
	Region      string   `json:"region"`
	Commune     string   `json:"commune"`
	ChefLieu    string   `json:"chefLieu"`
	CodesPostau []string `json:"codesPostaux"`
	Population  *int     `json:"population"`
	AnciensCode []string `json:"anciensCodes"`
	Arrondissem string   `json:"arrondissement"`
}

// arrondissement is an arrondissement départemental of arrondissements.json.
type arrondissement struct {
	Code        string `json:"code"`
	Nom         string `json:"nom"`
	Departement string `json:"departement"`
	Liaison     int    `json:"typeLiaison"`
}

// event is one period of a commune code in historique-communes.json (0.7.0).
type event struct {
	Code  string `json:"code"`
	Nom   string `json:"nom"`
	Debut string `json:"dateDebut"`
}

type epci struct {
	Code    string `json:"code"`
	Nom     string `json:"nom"`
	Type    string `json:"type"`
	Membres []struct {
		Code string `json:"code"`
	} `json:"membres"`
}

type area struct {
	Code   string `json:"code"`
	Nom    string `json:"nom"`
	Region string `json:"region"`
	Zone   string `json:"zone"`
}

type dataset struct {
	communes        []commune
	epcis           []epci
	departements    []area
	regions         []area
	arrondissements []arrondissement
	history         []event // only in 0.7.0
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("geo/gen: ")
	out := flag.String("out", "cog.tsv.gz", "output file")
	from := flag.String("from", "", "folder holding the package tarballs already packed (default: run npm pack into a temporary folder)")
	flag.Parse()
	if err := run(*out, *from); err != nil {
		log.Fatal(err)
	}
}

func run(out, from string) error {
	dir := from
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	} else {
		tmp, err := os.MkdirTemp("", "geo-gen-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	data := map[string]*dataset{}
	for _, v := range versions {
		tgz := filepath.Join(dir, "etalab-decoupage-administratif-"+v.version+".tgz")
		if _, err := os.Stat(tgz); err != nil {
			if err := npmPack(v.version, dir); err != nil {
				return err
			}
		}
		ds, err := readPackage(tgz)
		if err != nil {
			return fmt.Errorf("%s@%s: %w", pkg, v.version, err)
		}
		data[v.version] = ds
	}
	var buf bytes.Buffer
	if err := generate(&buf, data, expected); err != nil {
		return err
	}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return err
	}
	zw.Write(buf.Bytes())
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(out, gz.Bytes(), 0o644); err != nil {
		return err
	}
	log.Printf("wrote %s: %d bytes (%d uncompressed)", out, gz.Len(), buf.Len())
	return nil
}

func npmPack(version, dir string) error {
	if _, err := exec.LookPath("npm"); err != nil {
		return errors.New("npm not found: install Node.js and npm to regenerate the referential (building the site does not need them)")
	}
	cmd := exec.Command("npm", "pack", "--silent", "--pack-destination", dir, pkg+"@"+version)
	cmd.Stderr = os.Stderr
	if out, err := cmd.Output(); err != nil {
		return fmt.Errorf("npm pack %s@%s: %w (%s)", pkg, version, err, bytes.TrimSpace(out))
	}
	return nil
}

// readPackage reads the JSON files of one package tarball.
func readPackage(tgz string) (*dataset, error) {
	f, err := os.Open(tgz)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch name := filepath.Base(h.Name); name {
		case "communes.json", "epci.json", "departements.json", "regions.json", "arrondissements.json", "historique-communes.json":
			if filepath.Base(filepath.Dir(h.Name)) != "data" {
				continue
			}
			b, err := io.ReadAll(tr)
			if err != nil {
				return nil, err
			}
			files[name] = b
		}
	}
	ds := &dataset{}
	for name, dst := range map[string]any{
		"communes.json": &ds.communes, "epci.json": &ds.epcis,
		"departements.json": &ds.departements, "regions.json": &ds.regions,
		"arrondissements.json": &ds.arrondissements, "historique-communes.json": &ds.history,
	} {
		b, ok := files[name]
		if !ok && name == "historique-communes.json" {
			continue // only 0.7.0 has it
		}
		if !ok {
			return nil, fmt.Errorf("data/%s missing from the package", name)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			return nil, fmt.Errorf("data/%s: %w", name, err)
		}
	}
	return ds, nil
}

// populations returns, for one package version, the legal population of
// every territory it knows, keyed "kind/code".
func populations(ds *dataset) map[string]int {
	pops := map[string]int{}
	communePop := map[string]int{}
	for _, c := range ds.communes {
		if c.Population == nil {
			continue
		}
		p := *c.Population
		switch c.Type {
		case "arrondissement-municipal":
			pops["A/"+c.Code] = p
		case "commune-actuelle":
			pops["C/"+c.Code] = p
			communePop[c.Code] = p
			if c.Zone == "com" || isCOM(c.Departement) {
				pops["X/"+c.Departement] += p
				continue
			}
			pops["D/"+c.Departement] += p
			pops["R/"+c.Region] += p
			pops["F/FR"] += p
		}
	}
	for _, e := range ds.epcis {
		sum, ok := 0, true
		for _, m := range e.Membres {
			p, found := communePop[m.Code]
			if !found {
				ok = false
				break
			}
			sum += p
		}
		if ok {
			pops["E/"+e.Code] = sum
		}
	}
	return pops
}

// isCOM tells the codes of the overseas collectivities, which are neither
// départements nor régions (Mayotte, 976, is a département).
func isCOM(code string) bool {
	switch code {
	case "975", "977", "978", "984", "986", "987", "988", "989":
		return true
	}
	return false
}

func generate(w io.Writer, data map[string]*dataset, expected map[string]int) error {
	geo := data[geoVersion]
	// Legal populations by year; a repeated year keeps the newest version.
	var years []int
	popsByYear := map[int]map[string]int{}
	for _, v := range versions {
		p := populations(data[v.version])
		if prev, ok := popsByYear[v.popYear]; ok {
			for _, key := range []string{"C/75056", "C/69123", "C/13055"} {
				if prev[key] != p[key] {
					return fmt.Errorf("versions giving year %d disagree on %s (%d and %d): check the year table in geo/gen", v.popYear, key, prev[key], p[key])
				}
			}
		} else {
			years = append(years, v.popYear)
		}
		popsByYear[v.popYear] = p
	}
	popField := func(key string) string {
		var b strings.Builder
		for i, y := range years {
			if i > 0 {
				b.WriteByte(',')
			}
			if v, ok := popsByYear[y][key]; ok {
				b.WriteString(strconv.Itoa(v))
			}
		}
		return b.String()
	}

	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	count := map[string]int{}

	regions := map[string]bool{}
	coms := map[string]bool{}
	var lines []string
	for _, r := range sortedAreas(geo.regions) {
		if r.Zone == "com" || isCOM(r.Code) {
			continue
		}
		regions[r.Code] = true
		count["region"]++
		lines = append(lines, join("R", r.Code, r.Nom, popField("R/"+r.Code)))
	}
	deps := map[string]bool{}
	for _, d := range sortedAreas(geo.departements) {
		if d.Zone == "com" || isCOM(d.Code) {
			coms[d.Code] = true
			count["collectivite"]++
			lines = append(lines, join("X", d.Code, d.Nom, popField("X/"+d.Code)))
			continue
		}
		if !regions[d.Region] {
			fail("département %s (%s): région %q not found", d.Code, d.Nom, d.Region)
		}
		deps[d.Code] = true
		count["departement"]++
		lines = append(lines, join("D", d.Code, d.Nom, d.Region, popField("D/"+d.Code)))
	}

	arrs := map[string]bool{}
	arrList := slices.Clone(geo.arrondissements)
	slices.SortFunc(arrList, func(a, b arrondissement) int { return cmp.Compare(a.Code, b.Code) })
	for _, a := range arrList {
		if !deps[a.Departement] {
			fail("arrondissement %s (%s): département %q not found", a.Code, a.Nom, a.Departement)
		}
		if a.Liaison < 0 || a.Liaison > 8 {
			fail("arrondissement %s (%s): type of name %d, want 0 to 8", a.Code, a.Nom, a.Liaison)
		}
		arrs[a.Code] = true
		count["arrondissement"]++
		lines = append(lines, join("N", a.Code, a.Nom, a.Departement, strconv.Itoa(a.Liaison)))
	}

	current := map[string]commune{}
	for _, c := range geo.communes {
		if c.Type == "commune-actuelle" {
			current[c.Code] = c
		}
	}
	epciOf := map[string]string{}
	epcis := slices.Clone(geo.epcis)
	slices.SortFunc(epcis, func(a, b epci) int { return cmp.Compare(a.Code, b.Code) })
	for _, e := range epcis {
		if len(e.Membres) == 0 {
			fail("EPCI %s (%s) has no member", e.Code, e.Nom)
		}
		for _, m := range e.Membres {
			if _, ok := current[m.Code]; !ok {
				fail("EPCI %s (%s): member commune %s not found", e.Code, e.Nom, m.Code)
			}
			if prev, dup := epciOf[m.Code]; dup {
				fail("commune %s belongs to two EPCI: %s and %s", m.Code, prev, e.Code)
			}
			epciOf[m.Code] = e.Code
		}
		count["epci"]++
		lines = append(lines, join("E", e.Code, e.Nom, e.Type, popField("E/"+e.Code)))
	}

	communes := slices.Clone(geo.communes)
	slices.SortFunc(communes, func(a, b commune) int { return cmp.Compare(a.Code, b.Code) })
	retired := map[string]string{}
	status := map[string]string{} // deleguee or associee
	names := map[string]string{}
	for _, c := range communes {
		postal := slices.Clone(c.CodesPostau)
		slices.Sort(postal)
		switch c.Type {
		case "commune-actuelle":
			count["commune"]++
			if c.Departement == "" || c.Region == "" {
				fail("commune %s (%s) has no département or région", c.Code, c.Nom)
			}
			if isCOM(c.Departement) {
				if !coms[c.Departement] {
					fail("commune %s (%s): collectivité %q not found", c.Code, c.Nom, c.Departement)
				}
			} else {
				if !deps[c.Departement] {
					fail("commune %s (%s): département %q not found", c.Code, c.Nom, c.Departement)
				}
				if !regions[c.Region] {
					fail("commune %s (%s): région %q not found", c.Code, c.Nom, c.Region)
				}
			}
			if c.Arrondissem != "" && !arrs[c.Arrondissem] {
				fail("commune %s (%s): arrondissement %q not found", c.Code, c.Nom, c.Arrondissem)
			}
			lines = append(lines, join("C", c.Code, c.Nom, c.Departement, c.Region, epciOf[c.Code], c.Arrondissem, strings.Join(postal, ","), popField("C/"+c.Code)))
			for _, old := range c.AnciensCode {
				if _, isCurrent := current[old]; !isCurrent {
					retired[old] = c.Code
				}
			}
		case "arrondissement-municipal":
			count["arrondissement-municipal"]++
			if _, ok := current[c.Commune]; !ok {
				fail("arrondissement %s (%s): commune %q not found", c.Code, c.Nom, c.Commune)
			}
			lines = append(lines, join("A", c.Code, c.Nom, c.Commune, strings.Join(postal, ","), popField("A/"+c.Code)))
		case "commune-deleguee", "commune-associee":
			if _, isCurrent := current[c.Code]; isCurrent {
				continue
			}
			if _, ok := current[c.ChefLieu]; !ok {
				fail("%s %s (%s): chef-lieu %q not found", c.Type, c.Code, c.Nom, c.ChefLieu)
				continue
			}
			retired[c.Code] = c.ChefLieu
			status[c.Code] = strings.TrimPrefix(c.Type, "commune-")
			names[c.Code] = c.Nom
		default:
			fail("commune %s: unknown type %q", c.Code, c.Type)
		}
	}
	formerNames(names, retired, data)
	for old := range retired {
		if names[old] == "" {
			fail("retired commune %s: no name in any version", old)
		}
	}
	for k, want := range expected {
		if count[k] != want {
			fail("found %d %s, want %d: the package changed, check geo/gen", count[k], k, want)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid input:\n%w", errors.Join(errs...))
	}

	fmt.Fprintf(w, "# territoires referential, generated by geo/gen from %s (Licence Ouverte). Do not edit.\n", pkg)
	fmt.Fprintf(w, "G\t2026\t%s@%s\n", pkg, geoVersion)
	ys := make([]string, len(years))
	for i, y := range years {
		ys[i] = strconv.Itoa(y)
	}
	fmt.Fprintf(w, "Y\t%s\n", strings.Join(ys, ","))
	fmt.Fprintf(w, "F\tFR\tFrance\t%s\n", popField("F/FR"))
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
	olds := make([]string, 0, len(retired))
	for old := range retired {
		olds = append(olds, old)
	}
	slices.Sort(olds)
	for _, old := range olds {
		fmt.Fprintln(w, join("O", old, retired[old], names[old], status[old]))
	}
	return nil
}

// formerNames completes names, the names of retired codes, from the older
// versions: the newest version where the code was a commune (current,
// déléguée or associée), then the history of 0.7.0 (the latest period of
// the code).
func formerNames(names, retired map[string]string, data map[string]*dataset) {
	for i := len(versions) - 1; i >= 0; i-- {
		ds := data[versions[i].version]
		if ds == nil {
			continue
		}
		for _, c := range ds.communes {
			if _, ok := retired[c.Code]; ok && names[c.Code] == "" && c.Type != "arrondissement-municipal" {
				names[c.Code] = c.Nom
			}
		}
	}
	latest := map[string]event{}
	for _, v := range versions {
		ds := data[v.version]
		if ds == nil {
			continue
		}
		for _, e := range ds.history {
			if _, ok := retired[e.Code]; !ok || names[e.Code] != "" {
				continue
			}
			if prev, ok := latest[e.Code]; !ok || e.Debut > prev.Debut {
				latest[e.Code] = e
			}
		}
	}
	for code, e := range latest {
		names[code] = e.Nom
	}
}

func sortedAreas(as []area) []area {
	as = slices.Clone(as)
	slices.SortFunc(as, func(a, b area) int { return cmp.Compare(a.Code, b.Code) })
	return as
}

func join(fields ...string) string {
	for _, f := range fields {
		if strings.ContainsAny(f, "\t\n") {
			log.Fatalf("field %q holds a tab or newline", f)
		}
	}
	return strings.Join(fields, "\t")
}
