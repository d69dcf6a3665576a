package config

import "fmt"

// MaxDepth bounds the nesting of site.toml: arrays, inline tables and the
// parts of a dotted key or table header ("a.b.c" is 3). A site needs 2; the
// decoder recurses once per level, so a file of a million "[" must be
// refused before it is decoded.
const MaxDepth = 32

// checkNesting scans TOML source, skipping strings and comments, and
// returns the line of the first place nested deeper than MaxDepth.
func checkNesting(src string) (int, error) {
	line := 1
	var stack []byte // open '[' (arrays) and '{' (inline tables)
	keyMode := true  // reading a key: at a line start (outside values) or after '{' or ','
	parts := 1       // parts of the key being read
	header := false  // inside a [table] or [[array]] header
	tooDeep := func() (int, error) {
		return line, fmt.Errorf("nested deeper than %d levels (arrays, inline tables and dotted keys)", MaxDepth)
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '\n':
			line++
			header = false
			if len(stack) == 0 {
				keyMode, parts = true, 1
			}
		case c == '#':
			for i+1 < len(src) && src[i+1] != '\n' {
				i++
			}
		case c == '"' || c == '\'':
			end, lines := skipString(src, i)
			i, line = end, line+lines
		case header:
			if c == '.' {
				if parts++; parts > MaxDepth {
					return tooDeep()
				}
			}
		case c == '[' && len(stack) == 0 && keyMode:
			header, parts = true, 1 // a [table] header: its brackets are not arrays
		case c == '[' || c == '{':
			stack = append(stack, c)
			if len(stack) > MaxDepth {
				return tooDeep()
			}
			keyMode, parts = c == '{', 1
		case c == ']' || c == '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case c == ',':
			if len(stack) > 0 && stack[len(stack)-1] == '{' {
				keyMode, parts = true, 1
			}
		case c == '=':
			keyMode = false
		case c == '.' && keyMode:
			if parts++; len(stack)+parts > MaxDepth {
				return tooDeep()
			}
		}
	}
	return 0, nil
}

// skipString returns the index of the last byte of the string that opens at
// src[i] (basic or literal, single or multi-line) and the newlines it holds.
// An unterminated string runs to the end: the decoder reports it.
func skipString(src string, i int) (end, lines int) {
	q := src[i]
	if i+2 < len(src) && src[i+1] == q && src[i+2] == q { // """ or '''
		for j := i + 3; j < len(src); j++ {
			switch {
			case src[j] == '\n':
				lines++
			case src[j] == '\\' && q == '"':
				if j+1 < len(src) && src[j+1] == '\n' {
					lines++
				}
				j++
			case src[j] == q && j+2 < len(src) && src[j+1] == q && src[j+2] == q:
				// A closing """ may be followed by up to two more quotes.
				k := j + 3
				for k < len(src) && k < j+5 && src[k] == q {
					k++
				}
				return k - 1, lines
			}
		}
		return len(src) - 1, lines
	}
	for j := i + 1; j < len(src); j++ {
		switch {
		case src[j] == '\n':
			return j - 1, 0 // not closed on its line: let the decoder say so
		case src[j] == '\\' && q == '"':
			j++
		case src[j] == q:
			return j, 0
		}
	}
	return len(src) - 1, 0
}
