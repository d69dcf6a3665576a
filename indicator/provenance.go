package indicator

import "time"

// Provenance is where the figures of one dataset come from and what became
// of its observations: the rows of the "À propos / Données" page. The
// fetcher fills it at refresh; the builder shows it.
type Provenance struct {
	Source    string // API: "melodi", "urssaf"
	Dataset   string // "DS_FILOSOFI_CC"
	Vintage   string // vintage of the figures held: "DS_FILOSOFI_CC 2021"
	Refreshed time.Time
	Read      int    // observations read
	Kept      int    // figures kept
	Skipped   []Skip // observations not kept, by reason, most first
	Notes     []string
	// Failed is the error of the last refresh, if it failed: the figures
	// are those of the last good one (stale).
	Failed   string
	FailedAt time.Time
}

// Skip counts observations not kept for one reason.
type Skip struct {
	Reason string
	Count  int
}
