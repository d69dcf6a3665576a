// Package urssaf is the client of the URSSAF open-data portal
// (open.urssaf.fr, an OpenDataSoft Explore API v2.1): it registers the
// "urssaf" fetch.Source, refreshes the seven datasets the site uses (dataset
// metadata, then one streamed CSV export each when the modification date
// changed) and decodes the cached exports into indicator.Figures.
//
// Its fake, on loopback, is package urssaftest.
package urssaf
