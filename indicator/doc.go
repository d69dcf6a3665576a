// Package indicator is the typed model of statistics shared by the fetchers
// and the builder: one Figure per (territory, measure, breakdown, period),
// with its status (present, secret, not published), source and vintage.
//
// fetch/ produces Figures from INSEE and URSSAF answers; builder/ consumes
// them through a small interface of its own. Neither needs the other.
package indicator
