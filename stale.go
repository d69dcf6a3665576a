package main

import (
	"fmt"
	"io"
	"slices"

	"territoires/fetch"
)

// staleDatasets lists, and logs, the datasets whose figures are older
// than the producer's: the last refresh failed (their last good vintage is
// shown), or they failed before any success (nothing is shown).
func staleDatasets(ix *fetch.Index, calls fetch.Summary, log io.Writer) []string {
	var out []string
	for _, p := range ix.Provenance() {
		if p.Failed == "" {
			continue
		}
		out = append(out, p.Dataset)
		if p.Kept == 0 {
			fmt.Fprintf(log, "stale: %s: last refresh failed (%s); no figure of it in the cache\n", p.Dataset, p.Failed)
		} else {
			fmt.Fprintf(log, "stale: %s: last refresh failed (%s); pages show %s, refreshed %s\n",
				p.Dataset, p.Failed, p.Vintage, p.Refreshed.Format("2006-01-02"))
		}
	}
	for _, d := range calls.Failed {
		if !slices.Contains(out, d) {
			out = append(out, d)
			fmt.Fprintf(log, "stale: %s: its refresh failed\n", d)
		}
	}
	return out
}
