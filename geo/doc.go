// Package geo is the territory referential: every commune, municipal
// arrondissement, arrondissement départemental, EPCI, département, région
// and overseas collectivity of the official geography (COG 2026), with
// names, codes, postal codes, the legal population of several years, the
// links to parent territories and the retired commune codes with their
// names. INSEE's study zonings are linked to it at build time (Zonings).
//
// The data come from the npm package @etalab/decoupage-administratif
// (Licence Ouverte) and are converted by the generator in ./gen into
// cog.tsv.gz, embedded in the binary: using the referential never needs Node.
// Regenerate with `go generate ./geo`.
package geo

//go:generate go run ./gen -out cog.tsv.gz
