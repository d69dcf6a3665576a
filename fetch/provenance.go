package fetch

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"territoires/indicator"
)

// Report is what the last refresh of one dataset did: the provenance of
// its figures. Sources write one per dataset into the cache at refresh;
// the builder shows them on the "À propos / Données" page.
type Report struct {
	Source  string `json:"source"`  // "melodi"
	Dataset string `json:"dataset"` // "DS_FILOSOFI_CC"
	// Vintage is the vintage of the figures the cache holds (Figure.Vintage),
	// Modified the producer's date of that edition.
	Vintage  string `json:"vintage"`
	Modified string `json:"modified,omitempty"`
	// Latest is the latest period of the edition, which datasets showing
	// only the latest period keep.
	Latest string `json:"latest,omitempty"`
	// Refreshed is when its data were last downloaded or confirmed.
	Refreshed time.Time `json:"refreshed"`
	// Entries are the cache keys holding the data (a file, or pages).
	Entries []string `json:"entries"`
	// Read counts observations read, Kept the figures made of them;
	// Skipped the others, by reason.
	Read    int            `json:"read"`
	Kept    int            `json:"kept"`
	Skipped map[string]int `json:"skipped,omitempty"`
	// Notes say what the description of the dataset lacks and what values
	// were refused.
	Notes []string `json:"notes,omitempty"`
	// Failed is the error of the last attempt, if it failed: the figures
	// are then those of the last good refresh (stale).
	Failed   string    `json:"failed,omitempty"`
	FailedAt time.Time `json:"failed_at,omitzero"`
}

// Stale says whether the last refresh of the dataset failed, so that its
// figures are older than the producer's.
func (r Report) Stale() bool { return r.Failed != "" }

// reportPath is where a report lives in a cache directory.
func reportPath(cacheDir, source, dataset string) string {
	return filepath.Join(cacheDir, "provenance", source, dataset+".json")
}

// SaveReport writes a dataset's report into the cache at dir, atomically.
func SaveReport(dir string, r Report) error {
	path := reportPath(dir, r.Source, r.Dataset)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("save report: %w", err)
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("save report: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), tmpPrefix+"*")
	if err != nil {
		return fmt.Errorf("save report: %w", err)
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("save report: %w", err)
	}
	return nil
}

// LoadReport reads a dataset's report; ok is false if there is none.
func LoadReport(dir, source, dataset string) (r Report, ok bool, err error) {
	b, err := os.ReadFile(reportPath(dir, source, dataset))
	if errors.Is(err, fs.ErrNotExist) {
		return r, false, nil
	}
	if err == nil {
		err = json.Unmarshal(b, &r)
	}
	if err != nil {
		return r, false, fmt.Errorf("load report of %s: %w", dataset, err)
	}
	return r, true, nil
}

// LoadReports reads every report of the cache at dir, sorted by source
// and dataset.
func LoadReports(dir string) ([]Report, error) {
	paths, _ := filepath.Glob(filepath.Join(dir, "provenance", "*", "*.json"))
	var out []Report
	for _, p := range paths {
		src := filepath.Base(filepath.Dir(p))
		r, ok, err := LoadReport(dir, src, strings.TrimSuffix(filepath.Base(p), ".json"))
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Report) int {
		return strings.Compare(a.Source+"/"+a.Dataset, b.Source+"/"+b.Dataset)
	})
	return out, nil
}

// DatasetError is the failure of one dataset: the others go on.
type DatasetError struct {
	Source, Dataset string
	Err             error
}

func (e *DatasetError) Error() string { return e.Source + ": " + e.Dataset + ": " + e.Err.Error() }
func (e *DatasetError) Unwrap() error { return e.Err }

// FailedDatasets lists the datasets whose failure err carries, in order.
func FailedDatasets(err error) []string {
	var out []string
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if de, ok := err.(*DatasetError); ok {
			if !slices.Contains(out, de.Dataset) {
				out = append(out, de.Dataset)
			}
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

// OnlyDatasets says whether err is made of dataset failures only: the
// build goes on with what the cache holds.
func OnlyDatasets(err error) bool {
	if err == nil {
		return false
	}
	only := true
	var walk func(error)
	walk = func(err error) {
		if _, ok := err.(*DatasetError); ok {
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		default:
			only = false
		}
	}
	walk(err)
	return only
}

// Provenance returns the reports of the datasets, as the builder's
// provenance page shows them.
func (ix *Index) Provenance() []indicator.Provenance {
	out := make([]indicator.Provenance, 0, len(ix.reports))
	for _, r := range ix.reports {
		p := indicator.Provenance{
			Source: r.Source, Dataset: r.Dataset, Vintage: r.Vintage, Refreshed: r.Refreshed,
			Read: r.Read, Kept: r.Kept, Notes: r.Notes, Failed: r.Failed, FailedAt: r.FailedAt,
		}
		for reason, n := range r.Skipped {
			p.Skipped = append(p.Skipped, indicator.Skip{Reason: reason, Count: n})
		}
		slices.SortFunc(p.Skipped, func(a, b indicator.Skip) int {
			if a.Count != b.Count {
				return b.Count - a.Count
			}
			return strings.Compare(a.Reason, b.Reason)
		})
		out = append(out, p)
	}
	return out
}
