package builder

import (
	"fmt"
	"strings"
	"time"

	"territoires/indicator"
)

// Provenancer is what the builder asks a Source for the "À propos /
// Données" page: per dataset, its vintage, last refresh, observations read,
// figures kept and skipped. The fetch cache's index implements it; a source
// without it (the offline figures) gets a page saying they are illustrative.
type Provenancer interface {
	Provenance() []indicator.Provenance
}

// provenanceView is the data of templates/donnees.html.
type provenanceView struct {
	Site                          *siteView
	Title, Description, Canonical string
	Themes                        []themeView // none: no chart script
	Rows                          []provenanceRow
	Stale                         int
}

type provenanceRow struct {
	Source, Dataset, Vintage, Refreshed string
	Read, Kept                          string
	Skipped                             []string
	Notes                               []string
	Failed                              string
}

// provenancePage renders /a-propos/donnees/.
func (b *build) provenancePage(pub *Publisher) error {
	// Parsed here, minified once like the other page templates.
	t, err := parseMinified(newMinifier(), "donnees.html", b.tfs, "layout.html", "donnees.html")
	if err != nil {
		return err
	}
	v := &provenanceView{Site: b.site, Title: "Données : provenance et millésimes", Canonical: b.site.abs("/a-propos/donnees/"),
		Description: "Pour chaque jeu de données : identifiant, millésime, date de mise à jour, observations lues, chiffres retenus et écartés."}
	if p, ok := b.figs.src.(Provenancer); ok {
		for _, r := range p.Provenance() {
			row := provenanceRow{Source: r.Source, Dataset: r.Dataset, Vintage: r.Vintage,
				Read: frInt(r.Read), Kept: frInt(r.Kept), Notes: r.Notes, Failed: r.Failed}
			if !r.Refreshed.IsZero() {
				row.Refreshed = r.Refreshed.In(time.UTC).Format("02/01/2006")
			}
			for _, s := range r.Skipped {
				row.Skipped = append(row.Skipped, fmt.Sprintf("%s : %s", s.Reason, frInt(s.Count)))
			}
			if r.Failed != "" {
				v.Stale++
			}
			v.Rows = append(v.Rows, row)
		}
	}
	return b.publishHTML(pub, "a-propos/donnees/index.html", t, v)
}

// frInt writes n with a narrow no-break space every three digits: 12 345.
func frInt(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteString("\u202f")
		}
		b.WriteRune(c)
	}
	return b.String()
}
