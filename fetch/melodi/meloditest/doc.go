// Package meloditest provides a fake INSEE MELODI API for tests, speaking
// the shapes of the real answers (recordings of INSEE's melodi R package,
// ../shared/API-FACTS.md): every dimension of each dataset, deterministic
// plausible figures generated from a referential, the INSEE gateway's quota
// (HTTP 429 beyond), calls counted per request, and faults injected on
// demand (see fetchtest).
//
// Figures are consistent across levels where INSEE's are: additive counts
// of a parent (population, births, jobs, establishments) are the sums of
// its communes; income figures (Filosofi) of every level are the parent's
// own values, not sums. Small communes get secret Filosofi values.
package meloditest
