package urssaf

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"territoires/geo"
	"territoires/indicator"
)

// RegionCheck compares, for one région and year, the salaried jobs
// summed from the commune × APE export with the regional quarterly series
// (raw, fourth quarter, all sectors): both count jobs at the end of the
// year, from different files.
type RegionCheck struct {
	Region   string  // territory ID: "region/84"
	Year     int     // commune figures for Year, regional series for Year-T4
	Communes float64 // sum of the communes' effectifs_salaries_YYYY
	Series   float64 // effectifs_salaries_brut of the regional series
}

// Diff is Communes - Series.
func (c RegionCheck) Diff() float64 { return c.Communes - c.Series }

// RelDiff is Diff relative to Series (0 when Series is 0).
func (c RegionCheck) RelDiff() float64 {
	if c.Series == 0 {
		return 0
	}
	return c.Diff() / c.Series
}

func (c RegionCheck) String() string {
	return fmt.Sprintf("%s %d: communes %.0f, regional series %.0f (%+.2f %%)",
		c.Region, c.Year, c.Communes, c.Series, 100*c.RelDiff())
}

// CheckRegions compares the région totals of emp with the regional
// series for every région and year present in both, sorted by région then
// year. Differences are expected (the two files do not classify interim
// work, late declarations and secret cells alike); they are returned, never
// smoothed, for the caller to log.
func CheckRegions(emp *Employment, series *Series) []RegionCheck {
	if emp == nil || series == nil {
		return nil
	}
	regionPrefix := geo.Region.Slug() + "/"
	var out []RegionCheck
	for _, f := range series.Figures {
		if f.Measure != indicator.EffSalTrim || f.Dim != "" || f.Status != indicator.Present ||
			!strings.HasPrefix(f.Territory, regionPrefix) {
			continue
		}
		ys, ok := strings.CutSuffix(f.Period, "-T4")
		if !ok {
			continue
		}
		y, err := strconv.Atoi(ys)
		if err != nil {
			continue
		}
		v, st, ok := emp.Value(f.Territory, indicator.EffectifsSal, "", y)
		if !ok || st != indicator.Present {
			continue
		}
		out = append(out, RegionCheck{Region: f.Territory, Year: y, Communes: v, Series: f.Value})
	}
	slices.SortFunc(out, func(a, b RegionCheck) int {
		if c := strings.Compare(a.Region, b.Region); c != 0 {
			return c
		}
		return a.Year - b.Year
	})
	return out
}

// worstUrssafCheck returns the largest relative difference, in absolute value.
func worstUrssafCheck(checks []RegionCheck) (RegionCheck, bool) {
	var worst RegionCheck
	found := false
	for _, c := range checks {
		if !found || math.Abs(c.RelDiff()) > math.Abs(worst.RelDiff()) {
			worst, found = c, true
		}
	}
	return worst, found
}
