// Package offline is the data source of the default build: it needs no
// network. Legal populations are the real ones of the referential; every
// other figure is synthetic, generated deterministically per commune from
// its code and legal population, and labelled as illustrative on every page.
//
// The figures are plausible and consistent between a commune and its
// parents: counts (census population, births, jobs, establishments) of an
// EPCI, a département, a région or France are the sums of their communes;
// rates and income figures are population-weighted means of their communes'
// values, as the producers compute them from the same underlying data.
// Small communes get the statistical secrecy INSEE applies (Filosofi deciles
// and poverty rate below 2,000 inhabitants, the median below 200).
package offline
