package fetch

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// Sentinel errors, tested with errors.Is. Errors returned by the engine wrap
// one of them with the request that failed.
var (
	ErrBadRequest   = errors.New("bad request")            // 400: the request is wrong; not retried
	ErrUnauthorized = errors.New("unauthorized")           // 401: missing or invalid credentials; not retried
	ErrForbidden    = errors.New("forbidden")              // 403: credentials lack the right; not retried
	ErrNotFound     = errors.New("not found")              // 404 the host does not keep as data; not retried
	ErrRateLimited  = errors.New("rate limited")           // 429: retried after a pause of the whole host
	ErrServer       = errors.New("server error")           // 5xx: retried
	ErrStatus       = errors.New("unexpected status")      // any other status; not retried
	ErrTransport    = errors.New("transport error")        // connection refused, reset...: retried
	ErrStalled      = errors.New("answer stalled")         // less than 16 KiB in Options.StallTimeout: retried
	ErrTruncated    = errors.New("truncated body")         // the body ended early: retried
	ErrInvalidBody  = errors.New("invalid body")           // the body failed Request.Validate: retried
	ErrBudget       = errors.New("fetch budget exhausted") // the run's Budget is spent: stop cleanly
	ErrTooLarge     = errors.New("answer too large")       // the body exceeds Options.MaxBody: not retried
)

// statusErr maps an HTTP status to its sentinel error and whether the
// request deserves another attempt. It is the only place that does so.
func statusErr(status int) (sentinel error, retry bool) {
	switch {
	case status == http.StatusBadRequest:
		return ErrBadRequest, false
	case status == http.StatusUnauthorized:
		return ErrUnauthorized, false
	case status == http.StatusForbidden:
		return ErrForbidden, false
	case status == http.StatusNotFound:
		return ErrNotFound, false
	case status == http.StatusTooManyRequests:
		return ErrRateLimited, true
	case status == http.StatusRequestTimeout:
		return ErrServer, true
	case status >= 500:
		return ErrServer, true
	default:
		return ErrStatus, false
	}
}

// ResponseError describes an answer that was not kept: its status and the
// start of its body. It wraps a sentinel error; Engine.Fetch wraps it in
// turn with the request ("GET https://...: 403 Forbidden: ...").
type ResponseError struct {
	Status int
	Body   string // first bytes of the answer, for the log
	Err    error  // sentinel
}

func (e *ResponseError) Error() string {
	msg := fmt.Sprintf("%d %s", e.Status, http.StatusText(e.Status))
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

func (e *ResponseError) Unwrap() error { return e.Err }

// snippet returns the start of an error body on one line, for messages.
func snippet(b []byte) string {
	const max = 200
	if len(b) > max {
		b = b[:max]
		for len(b) > 0 && !utf8.Valid(b) {
			b = b[:len(b)-1]
		}
	}
	return strings.Join(strings.Fields(string(b)), " ")
}
