package fetch

import "flag"

// The -update flag rewrites the golden files of the decoder tests of the
// package, which read it by name.
var _ = flag.Bool("update", false, "rewrite golden files")
