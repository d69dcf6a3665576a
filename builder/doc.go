// Package builder turns the territory referential and the indicators into
// the files of the static site: one page per territory, the sitemap, robots.txt
// and the 404 page, minified and published into the output folder.
//
// A build is a pipeline of named stages (select, prepare, render, extras,
// commit). Pages are rendered in parallel into pooled buffers, minified by one
// shared minifier and handed to a Publisher that stages the files that
// changed beside the output folder and moves them into place only when every
// stage succeeded: a failed build leaves the published site whole, and a
// build with nothing new writes nothing.
package builder
