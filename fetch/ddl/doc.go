// Package ddl is the client of INSEE's Données Locales API, kept as an
// alternative to MELODI (site.toml: [fetch] source = "ddl"). It registers
// itself with fetch as the provider "ddl"; import it for that effect.
package ddl
