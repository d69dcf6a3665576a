// Package fetchtest provides what the fake API servers of the fetch
// packages share: a Gateway on loopback that counts calls, enforces a quota
// over a sliding window (HTTP 429 beyond), injects faults on demand (429
// storms, 500s, slow or stalled answers, truncated bodies, invalid JSON)
// and holds calls until released (to kill a client mid-run); and a
// Generator of deterministic plausible figures for a referential.
package fetchtest
