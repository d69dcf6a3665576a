// Package melodi is the client of INSEE's MELODI API, the default INSEE
// source. It registers itself with fetch as the provider "melodi"; import
// it for that effect.
package melodi
