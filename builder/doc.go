// Package builder turns the territory referential and the indicators into
// the files of the static site: one page per territory, the sitemap, robots.txt
// and the 404 page, minified and published into the output folder.
//
// A build is a pipeline of named stages (select, prepare, render, extras,
// commit). Pages are rendered in parallel into pooled buffers, minified by one
// shared minifier and handed to a Publisher that builds the new site whole
// beside the output folder (unchanged files hard-linked, changed ones
// written) and switches the two folders in one step only when every stage
// succeeded: readers see the old site or the new one, a failed or killed
// build leaves the published site whole, a build with nothing new writes
// nothing, and nothing the program did not write is ever removed.
package builder
