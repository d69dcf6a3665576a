package fetch

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"territoires/geo"
	"territoires/indicator"
)

// UrssafRegionCheck compares, for one région and year, the salaried jobs
// summed from the commune × APE export with the regional quarterly series
// (raw, fourth quarter, all sectors): both count jobs at the end of the
// year, from different files.
type UrssafRegionCheck struct {
	Region   string  // territory ID: "region/84"
	Year     int     // commune figures for Year, regional series for Year-T4
	Communes float64 // sum of the communes' effectifs_salaries_YYYY
	Series   float64 // effectifs_salaries_brut of the regional series
}

// Diff is Communes - Series.
func (c UrssafRegionCheck) Diff() float64 { return c.Communes - c.Series }

// RelDiff is Diff relative to Series (0 when Series is 0).
func (c UrssafRegionCheck) RelDiff() float64 {
	if c.Series == 0 {
		return 0
	}
	return c.Diff() / c.Series
}

func (c UrssafRegionCheck) String() string {
	return fmt.Sprintf("%s %d: communes %.0f, regional series %.0f (%+.2f %%)",
		c.Region, c.Year, c.Communes, c.Series, 100*c.RelDiff())
}

// CheckUrssafRegions compares the région totals of emp with the regional
// series for every région and year present in both, sorted by région then
// year. Differences are expected (the two files do not classify interim
// work, late declarations and secret cells alike); they are returned, never
// smoothed, for the caller to log.
func CheckUrssafRegions(emp *UrssafEmployment, series *UrssafSeries) []UrssafRegionCheck {
	if emp == nil || series == nil {
		return nil
	}
	regionPrefix := geo.Region.Slug() + "/"
	var out []UrssafRegionCheck
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
		out = append(out, UrssafRegionCheck{Region: f.Territory, Year: y, Communes: v, Series: f.Value})
	}
	slices.SortFunc(out, func(a, b UrssafRegionCheck) int {
		if c := strings.Compare(a.Region, b.Region); c != 0 {
			return c
		}
		return a.Year - b.Year
	})
	return out
}

// worstUrssafCheck returns the largest relative difference, in absolute value.
func worstUrssafCheck(checks []UrssafRegionCheck) (UrssafRegionCheck, bool) {
	var worst UrssafRegionCheck
	found := false
	for _, c := range checks {
		if !found || math.Abs(c.RelDiff()) > math.Abs(worst.RelDiff()) {
			worst, found = c, true
		}
	}
	return worst, found
}
