package melodi

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"territoires/fetch"
)

// catalogRequest asks for the catalogue once a day: its vintage is the day,
// so a restart the same day spends no call on it, and the next day asks
// again with If-None-Match / If-Modified-Since.
func (m *Melodi) catalogRequest() fetch.Request {
	return fetch.Request{
		URL:     m.base + "/catalog/all",
		Key:     "melodi/catalog/all",
		Header:  jsonAccept,
		Vintage: m.now().UTC().Format(time.DateOnly),
		Validate: func(_ int, r io.Reader) error {
			_, err := decodeCatalog(r)
			return err
		},
	}
}

// catalogInfo is what the catalogue says of one dataset.
type catalogInfo struct {
	Modified string   // "2025-06-24T09:30:31"
	Latest   string   // latest period: "2022"
	Product  string   // id of the CSV product, "" if none
	Levels   []string // spatialResolution ids: COM, DEP, ZE2020...
}

// decodeCatalog reads GET /catalog/all, an array of datasets, keeping for
// each its identifier, modification date, latest period, CSV product and
// levels. Of several CSV products, the French one is taken.
func decodeCatalog(r io.Reader) (map[string]catalogInfo, error) {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '['); err != nil {
		return nil, fmt.Errorf("melodi catalog: %w", err)
	}
	out := map[string]catalogInfo{}
	for dec.More() {
		var d struct {
			Identifier string `json:"identifier"`
			Modified   string `json:"modified"`
			Temporal   struct {
				EndPeriod string `json:"endPeriod"`
			} `json:"temporal"`
			Product []struct {
				ID            string `json:"id"`
				Format        string `json:"format"`
				PackageFormat string `json:"packageFormat"`
				Language      string `json:"language"`
			} `json:"product"`
			SpatialResolution []struct {
				ID string `json:"id"`
			} `json:"spatialResolution"`
		}
		if err := dec.Decode(&d); err != nil {
			return nil, fmt.Errorf("melodi catalog: %w", err)
		}
		if d.Identifier == "" {
			continue
		}
		info := catalogInfo{Modified: d.Modified, Latest: d.Temporal.EndPeriod}
		if len(info.Latest) >= 4 {
			info.Latest = info.Latest[:4]
		}
		for _, p := range d.Product {
			if strings.EqualFold(p.Format, "CSV") && (info.Product == "" || strings.EqualFold(p.Language, "FR")) {
				info.Product = p.ID
			}
		}
		for _, s := range d.SpatialResolution {
			info.Levels = append(info.Levels, s.ID)
		}
		out[d.Identifier] = info
	}
	if err := expectDelim(dec, ']'); err != nil {
		return nil, fmt.Errorf("melodi catalog: %w", err)
	}
	return out, nil
}

// readCatalog decodes a cached catalogue.
func readCatalog(ent *fetch.Entry) (map[string]catalogInfo, error) {
	f, err := ent.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return decodeCatalog(fetch.BufReader(f))
}

// vintage is the Request.Vintage of a dataset's calls: a new edition
// (modification date) asks again.
func vintage(ds *dataset, info catalogInfo) string { return ds.ID + " " + info.Modified }

// fileRequest downloads a dataset's CSV product. Its cache key does not
// depend on the base URL, so a mirror reuses the cache.
func (m *Melodi) fileRequest(ds *dataset, info catalogInfo) fetch.Request {
	path := "/file/" + ds.ID + "/" + info.Product
	return fetch.Request{
		URL:     m.base + path,
		Key:     "melodi" + path,
		Vintage: vintage(ds, info),
		Validate: func(_ int, r io.Reader) error {
			var sig [4]byte
			if _, err := io.ReadFull(r, sig[:]); err != nil || string(sig[:]) != "PK\x03\x04" {
				return fmt.Errorf("file %s is not a zip", info.Product)
			}
			return nil
		},
	}
}

// rangeRequest asks for a dataset's dimensions and codes.
func (m *Melodi) rangeRequest(ds *dataset, info catalogInfo) fetch.Request {
	return fetch.Request{
		URL:     m.base + "/range/" + ds.ID,
		Key:     "melodi/range/" + ds.ID,
		Header:  jsonAccept,
		Vintage: vintage(ds, info),
		Validate: func(_ int, r io.Reader) error {
			_, err := decodeRange(r)
			return err
		},
	}
}

// concept is one dimension (or attribute) of GET /range/{dataset}.
type concept struct {
	Code  string
	Codes []string
}

// decodeRange reads {"code":..., "range":[{"concept":{"code":...},
// "values":[{"code":...},...]},...]}.
func decodeRange(r io.Reader) ([]concept, error) {
	var a struct {
		Code  string `json:"code"`
		Range []struct {
			Concept struct {
				Code string `json:"code"`
			} `json:"concept"`
			Values []struct {
				Code string `json:"code"`
			} `json:"values"`
		} `json:"range"`
	}
	if err := json.NewDecoder(r).Decode(&a); err != nil {
		return nil, fmt.Errorf("melodi range: %w", err)
	}
	if a.Code == "" && len(a.Range) == 0 {
		return nil, fmt.Errorf("melodi range: no code nor range")
	}
	out := make([]concept, 0, len(a.Range))
	for _, c := range a.Range {
		k := concept{Code: c.Concept.Code}
		for _, v := range c.Values {
			k.Codes = append(k.Codes, v.Code)
		}
		out = append(out, k)
	}
	return out, nil
}

// notDimensions are the concepts of a range that are no dimension of the
// observations: the geography and period every dataset has, the measure,
// and the attributes.
var notDimensions = []string{"GEO", "TIME_PERIOD", "MEASURE", "OBS_STATUS", "OBS_STATUS_FR", "CONF_STATUS", "UNIT_MULT", "DECIMALS"}

// compareRange compares a cached range with the description of the
// dataset and says, one note each, the dimensions and codes it lacks. It
// also returns the dimensions the range lists.
func (m *Melodi) compareRange(ds *dataset, ent *fetch.Entry) (notes []string, have map[string]bool, err error) {
	f, err := ent.Open()
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	concepts, err := decodeRange(fetch.BufReader(f))
	if err != nil {
		return nil, nil, err
	}
	have = map[string]bool{}
	for _, c := range concepts {
		have[c.Code] = true
	}
	return describeRange(ds, concepts), have, nil
}

func describeRange(ds *dataset, concepts []concept) []string {
	var notes []string
	for _, c := range concepts {
		if slices.Contains(notDimensions, c.Code) {
			continue
		}
		var missing []string
		switch {
		case c.Code == ds.MeasureDim:
			for _, code := range c.Codes {
				if _, ok := ds.Measures[code]; !ok && !slices.Contains(ds.OtherMeasures, code) {
					missing = append(missing, code)
				}
			}
		default:
			i := slices.IndexFunc(ds.Dims, func(d dim) bool { return d.Name == c.Code })
			if i < 0 {
				notes = append(notes, fmt.Sprintf("%s: dimension %s not described (range: %d codes)", ds.ID, c.Code, len(c.Codes)))
				continue
			}
			d := ds.Dims[i]
			if d.Ignore || d.KeepAny || d.KnownAny {
				continue
			}
			for _, code := range c.Codes {
				if code != d.All && !slices.Contains(d.Keep, code) && !slices.Contains(d.Known, code) {
					missing = append(missing, code)
				}
			}
		}
		if len(missing) > 0 {
			notes = append(notes, fmt.Sprintf("%s: %s codes %s not described (range)", ds.ID, c.Code, strings.Join(missing, ", ")))
		}
	}
	return notes
}
