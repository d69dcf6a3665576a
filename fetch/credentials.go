package fetch

import (
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// credentialHeaders are removed from every request that leaves a host's
// origins, on top of the host's own Header keys. net/http drops
// Authorization and Cookie on a redirect to another domain, but not an
// API key header, and an OAuth2 transport adds its token again at every
// round trip, redirects included: hence the guard below.
var credentialHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie"}

// clientFor returns the client of one call to h. Requests to one of h's
// origins go through h's own client (which may add an OAuth2 token);
// requests elsewhere, redirects included, lose h's headers and go through
// the engine's plain client.
func (e *Engine) clientFor(h *Host, u *url.URL) *http.Client {
	base := h.Client
	if base == nil {
		base = e.client
	}
	g := &credentialGuard{
		own:   transportOf(base),
		plain: transportOf(e.client),
		strip: credentialHeaders,
	}
	for k := range h.Header {
		g.strip = append(g.strip[:len(g.strip):len(g.strip)], k)
	}
	for _, o := range h.Origins {
		if p, err := url.Parse(o); err == nil {
			g.origins = append(g.origins, origin(p))
		}
	}
	if len(h.Origins) == 0 {
		g.origins = []string{origin(u)}
	}
	return &http.Client{Transport: g, Jar: base.Jar, CheckRedirect: base.CheckRedirect}
}

func transportOf(c *http.Client) http.RoundTripper {
	if c.Transport == nil {
		return http.DefaultTransport
	}
	return c.Transport
}

// credentialGuard is the RoundTripper of clientFor.
type credentialGuard struct {
	own, plain http.RoundTripper
	origins    []string
	strip      []string
}

func (g *credentialGuard) RoundTrip(r *http.Request) (*http.Response, error) {
	if slices.Contains(g.origins, origin(r.URL)) {
		return g.own.RoundTrip(r)
	}
	r = r.Clone(r.Context()) // a RoundTripper must not change its request
	for _, k := range g.strip {
		r.Header.Del(k)
	}
	return g.plain.RoundTrip(r)
}

// origin returns "scheme://host:port" with the default port made explicit,
// so that https://api.insee.fr and https://API.insee.fr:443 are one origin
// and http://api.insee.fr (no TLS) is another.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}
