package melodi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// melodiObs is one MELODI observation, decoded.
type melodiObs struct {
	Dims    map[string]string // GEO, FREQ, TIME_PERIOD and the dataset's dimensions
	Measure string            // the first key of "measures": OBS_VALUE_NIVEAU, ...
	Value   float64
	HasVal  bool              // false when the value is absent or null
	Attrs   map[string]string // CONF_STATUS, OBS_STATUS, ...
}

// melodiPaging is the "paging" object of a MELODI answer.
type melodiPaging struct {
	First  string `json:"first"`
	Next   string `json:"next"`
	IsLast bool   `json:"isLast"`
	Count  *int   `json:"count"` // present when totalCount=TRUE was asked
}

var errMelodiShape = errors.New("not a MELODI data answer")

// decodeMelodi streams a MELODI /data answer, calling fn for every
// observation in order, and returns the paging object and the number of
// observations. It holds one observation in memory; the maps of the
// observation passed to fn are reused for the next one, so fn must not
// keep them.
//
// Facts about the format (recorded answers of the melodi R package):
//   - {"identifier":..., "observations":[...], "paging":{...}}; paging has
//     "first", "next" and "isLast", and "count" with totalCount=TRUE;
//   - an observation is {"dimensions":{"GEO":"2025-COM-44109","FREQ":"A",
//     "TIME_PERIOD":"2023",...},"measures":{"OBS_VALUE_NIVEAU":{"value":
//     327734.0}}, "attributes":{...}}: the measure key varies by dataset
//     (OBS_VALUE_INDICE_DE_PRIX...), so the first key is read, whatever its
//     name; attributes such as CONF_STATUS and OBS_STATUS are optional.
func decodeMelodi(r io.Reader, fn func(melodiObs) error) (melodiPaging, int, error) {
	var paging melodiPaging
	n := 0
	l := newLexer(r)
	if err := l.expect('{'); err != nil {
		return paging, n, fmt.Errorf("%w: %w", errMelodiShape, err)
	}
	sawObs := false
	obs := melodiObs{Dims: map[string]string{}, Attrs: map[string]string{}}
	err := l.members(func(_ int, key string) error {
		switch key {
		case "observations":
			sawObs = true
			if err := l.expect('['); err != nil {
				return fmt.Errorf("observations: %w", err)
			}
			for first := true; ; first = false {
				ok, err := l.more(first, ']')
				if err != nil {
					return fmt.Errorf("observation %d: %w", n, err)
				}
				if !ok {
					break
				}
				if err := l.observation(&obs); err != nil {
					return fmt.Errorf("observation %d: %w", n, err)
				}
				n++
				if fn != nil {
					if err := fn(obs); err != nil {
						return err
					}
				}
			}
		case "paging":
			b, err := l.raw()
			if err != nil {
				return fmt.Errorf("paging: %w", err)
			}
			if err := json.Unmarshal(b, &paging); err != nil {
				return fmt.Errorf("paging: %w", err)
			}
		default:
			if err := l.skip(); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
		}
		return nil
	})
	if err != nil {
		return paging, n, err
	}
	if err := l.end(); err != nil {
		return paging, n, err
	}
	if !sawObs {
		return paging, n, fmt.Errorf("%w: no observations", errMelodiShape)
	}
	return paging, n, nil
}

// observation reads one observation into obs, reusing its maps.
func (l *lexer) observation(obs *melodiObs) error {
	clear(obs.Dims)
	clear(obs.Attrs)
	obs.Measure, obs.Value, obs.HasVal = "", 0, false
	if err := l.expect('{'); err != nil {
		return err
	}
	err := l.members(func(_ int, key string) error {
		var err error
		switch key {
		case "dimensions":
			err = l.scalars(obs.Dims)
		case "attributes":
			err = l.scalars(obs.Attrs)
		case "measures":
			err = l.measures(obs)
		default:
			err = l.skip()
		}
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if obs.Dims["GEO"] == "" {
		return errors.New("no GEO dimension")
	}
	return nil
}

// openObject consumes the { of an object, or a null standing for an empty
// one; it reports whether an object's members follow.
func (l *lexer) openObject() (bool, error) {
	c, err := l.peek()
	if err != nil {
		return false, err
	}
	if c != '{' {
		s, _, err := l.scalar()
		if err != nil || s != "" {
			return false, fmt.Errorf("%w: want an object", errSyntax)
		}
		return false, nil
	}
	l.r.ReadByte()
	return true, nil
}

// scalars reads an object of scalars (or null) into m.
func (l *lexer) scalars(m map[string]string) error {
	if open, err := l.openObject(); !open || err != nil {
		return err
	}
	return l.members(func(_ int, k string) error {
		v, _, err := l.scalar()
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		m[k] = v
		return nil
	})
}

// measures reads {"FIRST_KEY":{"value":v,...},...}, keeping the first.
func (l *lexer) measures(obs *melodiObs) error {
	if open, err := l.openObject(); !open || err != nil {
		return err
	}
	return l.members(func(i int, k string) error {
		if i > 0 {
			return l.skip()
		}
		obs.Measure = k
		if err := l.expect('{'); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		return l.members(func(_ int, f string) error {
			if f != "value" {
				return l.skip()
			}
			s, quoted, err := l.scalar()
			if err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			if quoted {
				s = strconv.Quote(s)
			}
			if s == "" {
				s = "null"
			}
			if obs.Value, obs.HasVal, err = number(json.RawMessage(s)); err != nil {
				return fmt.Errorf("measure %s: %w", k, err)
			}
			return nil
		})
	})
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return io.ErrUnexpectedEOF
		}
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("got %v, want %q", tok, want)
	}
	return nil
}

// scalar renders a JSON scalar as a string: "A", 2023 → "2023", null → "".
func scalar(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	if bytes.Equal(v, []byte("null")) {
		return ""
	}
	return string(bytes.TrimSpace(v))
}

// number reads a JSON number or numeric string; null, absent or an empty
// string is no value. Any other string is an error.
func number(v json.RawMessage) (float64, bool, error) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || bytes.Equal(v, []byte("null")) {
		return 0, false, nil
	}
	s := string(v)
	if v[0] == '"' {
		if err := json.Unmarshal(v, &s); err != nil {
			return 0, false, err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return 0, false, nil
		}
	}
	f, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil {
		return 0, false, fmt.Errorf("value %s is not a number", v)
	}
	return f, true, nil
}
