package preview

import (
	"bufio"
	"net/http"
	"strings"
)

// A rule of a _headers file (the format of Netlify and Cloudflare Pages):
// a path pattern, then indented "Name: value" lines, or "! Name" to drop a
// header that an earlier rule set.
type rule struct {
	pattern string
	set     [][2]string
	drop    []string
}

// parseRules reads a _headers file. Lines it does not understand are
// skipped, as hosts do.
func parseRules(src string) []rule {
	var rules []rule
	sc := bufio.NewScanner(strings.NewReader(src))
	for sc.Scan() {
		line := sc.Text()
		text := strings.TrimSpace(line)
		if text == "" || text[0] == '#' {
			continue
		}
		if line[0] != ' ' && line[0] != '\t' {
			rules = append(rules, rule{pattern: text})
			continue
		}
		if len(rules) == 0 {
			continue
		}
		r := &rules[len(rules)-1]
		if name, ok := strings.CutPrefix(text, "!"); ok {
			r.drop = append(r.drop, strings.TrimSpace(name))
		} else if name, value, ok := strings.Cut(text, ":"); ok {
			r.set = append(r.set, [2]string{strings.TrimSpace(name), strings.TrimSpace(value)})
		}
	}
	return rules
}

// apply sets the headers of every rule matching the URL path p, in order:
// a header set by two rules gets both values, comma-separated, unless a
// later rule drops it first (Cloudflare Pages' semantics).
func apply(rules []rule, h http.Header, p string) {
	for _, r := range rules {
		if !match(r.pattern, p) {
			continue
		}
		for _, name := range r.drop {
			h.Del(name)
		}
		for _, kv := range r.set {
			if old := h.Get(kv[0]); old != "" {
				h.Set(kv[0], old+", "+kv[1])
			} else {
				h.Set(kv[0], kv[1])
			}
		}
	}
}

// match reports whether the URL path p matches pattern, where "*" stands
// for any run of characters, slashes included.
func match(pattern, p string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == p
	}
	if !strings.HasPrefix(p, parts[0]) {
		return false
	}
	p = p[len(parts[0]):]
	for i, part := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(p, part)
		}
		j := strings.Index(p, part)
		if j < 0 {
			return false
		}
		p = p[j+len(part):]
	}
	return true
}
