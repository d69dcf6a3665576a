// Package config loads site.toml, the one configuration file of a site:
// title, base URL, output folder, which territories to build, workers, and
// the data sources. An unknown key or a bad value is an error that names the
// key and its line. The file is bounded (1 MiB, 32 levels of nesting) and
// the output folder may not overlap the site's folder, the fetch cache or
// the override folders.
package config
