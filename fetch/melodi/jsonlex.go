package melodi

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// lexer is a small streaming JSON reader for the large, regular MELODI
// pages: it reads tokens straight from a buffered reader, without
// reflection, four to five times faster than encoding/json on these pages.
// It is strict: what it accepts, encoding/json accepts (FuzzDecodeMELODI
// checks it).
type lexer struct {
	r      *bufio.Reader
	buf    []byte            // scratch for strings and scalars
	intern map[string]string // short strings seen: keys, codes, periods
}

// maxIntern bounds the interned strings: a page repeats each territory's
// code a few dozen times, and every key and code thousands of times.
const maxIntern = 1 << 16

func newLexer(r io.Reader) *lexer {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	return &lexer{r: br, intern: make(map[string]string, 1024)}
}

// text returns l.buf as a string, shared with earlier equal strings.
func (l *lexer) text() string {
	if s, ok := l.intern[string(l.buf)]; ok {
		return s
	}
	s := string(l.buf)
	if len(s) <= 64 && len(l.intern) < maxIntern {
		l.intern[s] = s
	}
	return s
}

var errSyntax = errors.New("invalid JSON")

// next returns the next non-space byte without consuming it.
func (l *lexer) peek() (byte, error) {
	for {
		c, err := l.r.ReadByte()
		if err != nil {
			if err == io.EOF {
				return 0, io.ErrUnexpectedEOF
			}
			return 0, err
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		l.r.UnreadByte()
		return c, nil
	}
}

// expect consumes the next non-space byte, which must be c.
func (l *lexer) expect(c byte) error {
	got, err := l.peek()
	if err != nil {
		return err
	}
	if got != c {
		return fmt.Errorf("%w: got %q, want %q", errSyntax, got, c)
	}
	l.r.ReadByte()
	return nil
}

// more reports whether an object or array goes on after an element,
// consuming the comma; first is true before the first element. end is '}'
// or ']'.
func (l *lexer) more(first bool, end byte) (bool, error) {
	c, err := l.peek()
	if err != nil {
		return false, err
	}
	if c == end {
		l.r.ReadByte()
		return false, nil
	}
	if first {
		return true, nil
	}
	if c != ',' {
		return false, fmt.Errorf("%w: got %q, want ',' or %q", errSyntax, c, end)
	}
	l.r.ReadByte()
	if c, err = l.peek(); err != nil {
		return false, err
	}
	if c == end {
		return false, fmt.Errorf("%w: trailing comma", errSyntax)
	}
	return true, nil
}

// members reads the members of an object whose { has been read: for each,
// fn gets its rank (from 0) and its key, and reads its value. It stops at
// the closing } or at the first error.
func (l *lexer) members(fn func(i int, key string) error) error {
	for i := 0; ; i++ {
		ok, err := l.more(i == 0, '}')
		if err != nil || !ok {
			return err
		}
		key, err := l.key()
		if err != nil {
			return err
		}
		if err := fn(i, key); err != nil {
			return err
		}
	}
}

// key reads an object key and its colon.
func (l *lexer) key() (string, error) {
	s, err := l.str()
	if err != nil {
		return "", err
	}
	return s, l.expect(':')
}

// str reads a JSON string.
func (l *lexer) str() (string, error) {
	if err := l.expect('"'); err != nil {
		return "", err
	}
	l.buf = l.buf[:0]
	escaped := false
	for {
		c, err := l.r.ReadByte()
		if err != nil {
			return "", io.ErrUnexpectedEOF
		}
		switch {
		case c == '"':
			if !escaped {
				if !utf8.Valid(l.buf) {
					return string([]rune(string(l.buf))), nil // as encoding/json: invalid bytes become U+FFFD
				}
				return l.text(), nil
			}
			var s string
			if err := json.Unmarshal(append(append([]byte{'"'}, l.buf...), '"'), &s); err != nil {
				return "", fmt.Errorf("%w: %w", errSyntax, err)
			}
			return s, nil
		case c == '\\':
			escaped = true
			l.buf = append(l.buf, c)
			c, err = l.r.ReadByte()
			if err != nil {
				return "", io.ErrUnexpectedEOF
			}
			l.buf = append(l.buf, c)
		case c < 0x20:
			return "", fmt.Errorf("%w: control character in string", errSyntax)
		default:
			l.buf = append(l.buf, c)
		}
	}
}

// scalar reads a string, number, true, false or null, and returns it as a
// string ("" for null) and whether it was a JSON string.
func (l *lexer) scalar() (s string, quoted bool, err error) {
	c, err := l.peek()
	if err != nil {
		return "", false, err
	}
	switch {
	case c == '"':
		s, err := l.str()
		return s, true, err
	case c == '{' || c == '[':
		return "", false, fmt.Errorf("%w: want a scalar, got %q", errSyntax, c)
	}
	l.buf = l.buf[:0]
	for {
		c, err := l.r.ReadByte()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", false, err
		}
		if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\t' || c == '\r' {
			l.r.UnreadByte()
			break
		}
		l.buf = append(l.buf, c)
	}
	switch lit := l.text(); lit {
	case "null":
		return "", false, nil
	case "true", "false":
		return lit, false, nil
	default:
		if !json.Valid(l.buf) || l.buf[0] == '"' {
			return "", false, fmt.Errorf("%w: bad literal %q", errSyntax, lit)
		}
		if _, err := strconv.ParseFloat(lit, 64); err != nil && !errors.Is(err, strconv.ErrRange) {
			return "", false, fmt.Errorf("%w: bad number %q", errSyntax, lit)
		}
		return lit, false, nil
	}
}

// skip reads and discards one value of any kind.
func (l *lexer) skip() error {
	c, err := l.peek()
	if err != nil {
		return err
	}
	switch c {
	case '{':
		l.r.ReadByte()
		return l.members(func(int, string) error { return l.skip() })
	case '[':
		l.r.ReadByte()
		for first := true; ; first = false {
			ok, err := l.more(first, ']')
			if err != nil || !ok {
				return err
			}
			if err := l.skip(); err != nil {
				return err
			}
		}
	default:
		_, _, err := l.scalar()
		return err
	}
}

// raw reads one value and returns its JSON text, for small values decoded
// with encoding/json.
func (l *lexer) raw() ([]byte, error) {
	c, err := l.peek()
	if err != nil {
		return nil, err
	}
	if c != '{' && c != '[' {
		s, quoted, err := l.scalar()
		if err != nil {
			return nil, err
		}
		if quoted {
			return json.Marshal(s)
		}
		if s == "" {
			return []byte("null"), nil
		}
		return []byte(s), nil
	}
	// Objects and arrays: collect the bytes while skipping.
	var out []byte
	depth := 0
	inStr, esc := false, false
	for {
		b, err := l.r.ReadByte()
		if err != nil {
			return nil, io.ErrUnexpectedEOF
		}
		out = append(out, b)
		switch {
		case inStr && esc:
			esc = false
		case inStr && b == '\\':
			esc = true
		case inStr && b == '"':
			inStr = false
		case inStr:
		case b == '"':
			inStr = true
		case b == '{' || b == '[':
			depth++
		case b == '}' || b == ']':
			depth--
			if depth == 0 {
				if !json.Valid(out) {
					return nil, fmt.Errorf("%w: %.40s", errSyntax, out)
				}
				return out, nil
			}
		}
	}
}

// end checks that nothing but spaces follows.
func (l *lexer) end() error {
	if _, err := l.peek(); err == io.ErrUnexpectedEOF {
		return nil
	}
	return fmt.Errorf("%w: data after the JSON value", errSyntax)
}
