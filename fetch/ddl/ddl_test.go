package ddl

import (
	"context"
	"strings"
	"territoires/fetch"
	"testing"

	"territoires/fetch/ddl/ddltest"
	"territoires/geo"
	"territoires/indicator"
)

// TestDDLRefresh fetches two cubes for every territory of the test
// referential from the fake: one call per territory and cube, 404 "Aucune
// cellule" cached as not published, secret values marked, every level
// decoded, and nothing fetched twice.
func TestDDLRefresh(t *testing.T) {
	ref := testRef(t)
	for _, lone := range []bool{false, true} {
		name := "arrays"
		if lone {
			name = "lone objects"
		}
		t.Run(name, func(t *testing.T) {
			srv := ddltest.New(ddltest.Options{Ref: ref, LoneObjects: lone})
			defer srv.Close()
			cfg := inseeConfig(t, srv.DDLURL)
			cfg.Source = "ddl"
			cfg.DDLCubes = []string{"IND_POPLEGALES@POPLEG2021", "INDICS_FILO_DISP_DET@GEO2024FILO2021"}
			var out strings.Builder
			sum, err := fetch.Refresh(context.Background(), cfg, ref, fetch.RefreshOptions{Out: &out})
			if err != nil {
				t.Fatalf("Refresh: %v\n%s", err, out.String())
			}
			territories := 0
			for _, tr := range ref.All {
				if tr.Kind != geo.Collectivite {
					territories++
				}
			}
			if want := int64(2 * territories); sum.Stats.Calls != want || sum.Plans[0].Calls != int(want) {
				t.Errorf("%d calls, plan %d, want %d (2 cubes × %d territories)", sum.Stats.Calls, sum.Plans[0].Calls, want, territories)
			}
			again, err := fetch.Refresh(context.Background(), cfg, ref, fetch.RefreshOptions{})
			if err != nil || again.Stats.Calls != 0 || again.Plans[0].Cached != again.Plans[0].Calls {
				t.Errorf("second refresh: %d calls, plan %d/%d cached, err %v; want no call", again.Stats.Calls, again.Plans[0].Cached, again.Plans[0].Calls, err)
			}

			figs := storeFigures(t, cfg, ref)
			// Additive: the département's population is its communes' sum.
			var sumCom float64
			for id, f := range figs {
				if strings.HasPrefix(id.territory, "commune/") && id.measure == indicator.PopLegale {
					sumCom += f.Value
				}
			}
			dep := figs[figID{"departement/69", indicator.PopLegale}]
			if dep.Status != indicator.Present || dep.Value != sumCom || dep.Period != "2021" {
				t.Errorf("departement/69 population %+v, want present, 2021, %v (sum of communes)", dep, sumCom)
			}
			tests := []struct {
				id     figID
				status indicator.Status
			}{
				{figID{"france/FR", indicator.RevenuD1}, indicator.Present},
				{figID{"epci/200046977", indicator.RevenuD9}, indicator.Present},
				{figID{"region/84", indicator.TauxPauvrete}, indicator.Present},
				{figID{"commune/69123", indicator.RevenuD1}, indicator.Present},
				{figID{"arrondissement-municipal/69381", indicator.RevenuD1}, indicator.Present},
				{figID{"commune/69001", indicator.RevenuD1}, indicator.NotPublished}, // Affoux, 404 Aucune cellule
				{figID{"commune/69001", indicator.PopLegale}, indicator.Present},
			}
			for _, tt := range tests {
				f, ok := figs[tt.id]
				if !ok || f.Status != tt.status {
					t.Errorf("%v: %+v (found %v), want status %v", tt.id, f, ok, tt.status)
				}
			}
			secrets := 0
			for _, f := range figs {
				if f.Status == indicator.Secret {
					secrets++
					if f.Value != 0 || f.Measure != indicator.TauxPauvrete {
						t.Errorf("secret figure %+v, want TAUX_PAUVRETE with no value", f)
					}
				}
			}
			if secrets == 0 {
				t.Errorf("no secret figure, want the poverty rate of communes of 2,000 to 2,500 inhabitants")
			}
		})
	}
}
