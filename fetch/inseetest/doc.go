// Package inseetest provides fake INSEE servers for tests: MELODI and
// Données Locales on one loopback httptest server, speaking their JSON
// formats, with deterministic plausible figures generated from a
// referential, the gateway's quota enforced over a sliding window (HTTP 429
// beyond), calls counted per request, and faults injected on demand: 429
// storms, 500s, slow or stalled answers, truncated bodies, invalid JSON,
// and requests held until released (to kill a client mid-run).
//
// Figures are consistent across levels where INSEE's are: additive counts
// of a parent (population, births, jobs, establishments) are the sums of
// its communes; income figures (Filosofi) of every level are the parent's
// own values, not sums. Small communes get secret Filosofi values in MELODI
// and a 404 "Aucune cellule" in Données Locales.
package inseetest
