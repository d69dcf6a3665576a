package melodi

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"

	"territoires/fetch"
	"territoires/geo"
)

// defaultLevels are the GEO objects asked page by page when the catalogue
// does not list a dataset's levels.
var defaultLevels = []string{"FRANCE", "REG", "DEP", "EPCI", "COM", "ARM", "ARR", "ZE2020", "UU2020", "AAV2020", "BV2022"}

// geoQueries lists the GEO parameters of a paged refresh: one per level,
// or per département for communes with melodi_geo = "parent".
func (m *Melodi) geoQueries(info catalogInfo) []string {
	lv := info.Levels
	if len(lv) == 0 {
		lv = defaultLevels
	}
	var qs []string
	for _, l := range defaultLevels {
		if !slices.Contains(lv, l) {
			continue
		}
		if l == "COM" && m.byParent {
			for _, t := range m.ref.All {
				if (t.Kind == geo.Departement || t.Kind == geo.Collectivite) && len(t.Children) > 0 {
					qs = append(qs, "DEP-"+t.Code+"*COM")
				}
			}
			continue
		}
		qs = append(qs, l)
	}
	return qs
}

// filters are the server-side filters of a dataset: the measure codes kept
// and, for each dimension the range lists, its "all" code and kept codes.
func filters(ds *dataset, info catalogInfo, have map[string]bool) url.Values {
	v := url.Values{}
	if ds.MeasureDim != "" && have[ds.MeasureDim] {
		for _, code := range sortedKeys(ds.Measures) {
			v.Add(ds.MeasureDim, code)
		}
	}
	for _, d := range ds.Dims {
		if d.Ignore || d.KeepAny || !have[d.Name] {
			continue
		}
		if d.All != "" {
			v.Add(d.Name, d.All)
		}
		for _, code := range d.Keep {
			v.Add(d.Name, code)
		}
	}
	if ds.Latest && info.Latest != "" {
		v.Set("TIME_PERIOD", info.Latest)
	}
	return v
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// pageRequest is the request of one page. If seen is not nil, validating
// a downloaded page records its paging there.
func (m *Melodi) pageRequest(ds *dataset, info catalogInfo, f url.Values, geoParam string, page int, seen *pageSeen) fetch.Request {
	v := url.Values{}
	for k, codes := range f {
		v[k] = codes
	}
	v.Set("GEO", geoParam)
	v.Set("maxResult", strconv.Itoa(m.pageSize))
	v.Set("page", strconv.Itoa(page))
	v.Set("totalCount", "TRUE")
	path := "/data/" + ds.ID + "?" + v.Encode()
	return fetch.Request{
		URL:     m.base + path,
		Key:     "melodi" + path,
		Header:  jsonAccept,
		Vintage: vintage(ds, info),
		Validate: func(_ int, r io.Reader) error {
			p, n, err := decodeData(r, nil)
			if err == nil && seen != nil {
				*seen = pageSeen{paging: p, n: n, ok: true}
			}
			return err
		},
	}
}

// pageSeen is the paging of a page validated on download.
type pageSeen struct {
	paging paging
	n      int
	ok     bool
}

// more says whether a page is followed by another: not if the server says
// it is the last, nor if it is not full, nor if the count is reached.
func (m *Melodi) more(p paging, n, page int) bool {
	switch {
	case p.IsLast, n < m.pageSize:
		return false
	case p.Count != nil:
		return page*m.pageSize < *p.Count
	default:
		return true
	}
}

// pageInfo reads the paging of a cached page.
func (m *Melodi) pageInfo(ent *fetch.Entry, page int) (count int, more bool, err error) {
	f, err := ent.Open()
	if err != nil {
		return 0, false, err
	}
	defer f.Close()
	p, n, err := decodeData(fetch.BufReader(f), nil)
	if err != nil {
		return 0, false, fmt.Errorf("decode %s: %w", ent.URL, err)
	}
	count = -1
	if p.Count != nil {
		count = *p.Count
	}
	return count, m.more(p, n, page), nil
}

// fetchPages fetches a dataset level by level, page by page, and returns
// the cache keys of its pages and whether any was downloaded.
func (m *Melodi) fetchPages(ctx context.Context, e *fetch.Engine, ds *dataset, info catalogInfo, have map[string]bool) (keys []string, fresh bool, err error) {
	f := filters(ds, info, have)
	for _, g := range m.geoQueries(info) {
		for page := 1; ; page++ {
			var seen pageSeen
			req := m.pageRequest(ds, info, f, g, page, &seen)
			ent, err := e.Fetch(ctx, m.host, req)
			if err != nil {
				return nil, false, fmt.Errorf("GEO=%s page %d: %w", g, page, err)
			}
			keys = append(keys, req.Key)
			more := m.more(seen.paging, seen.n, page)
			if ent.Origin != fetch.FromNetwork || !seen.ok {
				if _, more, err = m.pageInfo(ent, page); err != nil {
					return nil, false, err
				}
			} else {
				fresh = true
			}
			if !more {
				break
			}
		}
	}
	return keys, fresh, nil
}

// rangeDims returns the dimensions of a dataset's cached range, nil if
// none is cached.
func (m *Melodi) rangeDims(e *fetch.Engine, ds *dataset, info catalogInfo) map[string]bool {
	ent, err := e.Lookup(m.host, m.rangeRequest(ds, info))
	if err != nil || ent == nil {
		return nil
	}
	_, have, _ := m.compareRange(ds, ent)
	return have
}

// planPages counts the pages of a paged dataset and how many are cached:
// exact once a level's first page (which carries the count) is cached,
// one page a level before.
func (m *Melodi) planPages(e *fetch.Engine, ds *dataset, info catalogInfo, have map[string]bool) (pages, cached int) {
	f := filters(ds, info, have)
	for _, g := range m.geoQueries(info) {
		n, count := 0, -1
		for page := 1; ; page++ {
			req := m.pageRequest(ds, info, f, g, page, nil)
			ok, _ := e.Cached(m.host, req)
			if !ok {
				break
			}
			ent, _ := e.Lookup(m.host, req)
			if ent == nil {
				break
			}
			c, more, err := m.pageInfo(ent, page)
			if err != nil {
				break
			}
			n++
			if c >= 0 {
				count = c
			}
			if !more {
				count = -2
				break
			}
		}
		cached += n
		switch {
		case count == -2:
			pages += n
		case count >= 0:
			pages += max((count+m.pageSize-1)/m.pageSize, n+1)
		default:
			pages += n + 1
		}
	}
	return pages, cached
}
