// Package fetch talks to the outside world: it downloads INSEE (MELODI and
// Données Locales) and URSSAF data through one request engine, keeps every
// answer in an on-disk cache, and decodes the cache into indicator.Figures.
//
// # The engine
//
// An Engine runs requests for one or more API hosts. Each Host has one
// Limiter shared by every worker, so that no sliding window (60 s by default)
// ever holds more calls than the host's quota minus a safety margin. Failed
// attempts are retried with exponential backoff and full jitter on 429, 5xx,
// time-outs, stalled or truncated bodies and bodies that fail validation;
// Retry-After and a per-host hook (Host.RateHint) can impose longer waits,
// and a 429 pauses the whole host, not just one worker. A 400, 401 or 403
// stops at once with an error that names the request. Every status maps to a
// sentinel error (ErrBadRequest, ErrRateLimited, ...) in one place, errors.go.
//
// # The cache
//
// Every answer is streamed to a temporary file, validated, fsynced and renamed
// into place, then described by a small metadata file written the same way:
// a process killed at any instant leaves either the old entry or the new one,
// never half of one. An entry is reused while its vintage matches the
// request's; a Request with Revalidate set is re-checked with If-None-Match /
// If-Modified-Since, and a 304 keeps the entry. Credentials never reach the
// cache: only the URL, status, validators and content type are stored.
//
// # Budget
//
// A run may be bounded by a number of calls or a duration (Budget). At the
// bound the engine starts nothing new and returns ErrBudget once in-flight
// requests are done, leaving a valid cache to resume from.
package fetch
