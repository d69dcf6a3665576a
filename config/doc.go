// Package config loads site.toml, the one configuration file of a site:
// title, base URL, output folder, which territories to build, workers, and
// the data sources. An unknown key or a bad value is an error that names the
// key and its line.
package config
