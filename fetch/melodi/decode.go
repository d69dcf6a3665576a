package melodi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// paging is the "paging" object of a MELODI answer.
type paging struct {
	First  string `json:"first"`
	Next   string `json:"next"`
	IsLast bool   `json:"isLast"`
	Count  *int   `json:"count"` // present when totalCount=TRUE was asked
}

var errShape = errors.New("not a MELODI data answer")

// jsonObs is the shape of one observation of a /data answer.
type jsonObs struct {
	Dimensions map[string]any                 `json:"dimensions"`
	Attributes map[string]any                 `json:"attributes"`
	Measures   map[string]struct{ Value any } `json:"measures"`
}

// decodeData streams a MELODI /data answer with encoding/json's tokens,
// calling fn for every observation in order, and returns the paging
// object and the number of observations. It holds one observation in
// memory; the observation passed to fn is reused for the next one.
//
// Facts about the format (recorded answers of the melodi R package):
//   - {"identifier":..., "title":..., "publisher":..., "observations":[...],
//     "paging":{...}}; paging has "first", "count" with totalCount=TRUE, and
//     "next" and "isLast" from page 2 on;
//   - an observation is {"dimensions":{"GEO":"2025-COM-44109","FREQ":"A",
//     "TIME_PERIOD":"2023",...},"measures":{"OBS_VALUE_NIVEAU":{"value":
//     327734.0}},"attributes":{...}}: the value may be written in exponent
//     form (1.2380964E7); the measure key varies by dataset
//     (OBS_VALUE_INDICE_DE_PRIX), so OBS_VALUE_NIVEAU is read if present,
//     else the first key in order; attributes (CONF_STATUS, OBS_STATUS,
//     UNIT_MULT) are optional.
func decodeData(r io.Reader, fn func(*obs) error) (paging, int, error) {
	var pg paging
	n := 0
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := expectDelim(dec, '{'); err != nil {
		return pg, n, fmt.Errorf("%w: %w", errShape, err)
	}
	sawObs := false
	var o obs
	var raw jsonObs
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return pg, n, err
		}
		key, _ := tok.(string)
		switch key {
		case "observations":
			sawObs = true
			if err := expectDelim(dec, '['); err != nil {
				return pg, n, fmt.Errorf("observations: %w", err)
			}
			for dec.More() {
				clear(raw.Dimensions)
				clear(raw.Attributes)
				clear(raw.Measures)
				if err := dec.Decode(&raw); err != nil {
					return pg, n, fmt.Errorf("observation %d: %w", n, err)
				}
				if err := raw.into(&o); err != nil {
					return pg, n, fmt.Errorf("observation %d: %w", n, err)
				}
				n++
				if fn != nil {
					if err := fn(&o); err != nil {
						return pg, n, err
					}
				}
			}
			if err := expectDelim(dec, ']'); err != nil {
				return pg, n, fmt.Errorf("observations: %w", err)
			}
		case "paging":
			if err := dec.Decode(&pg); err != nil {
				return pg, n, fmt.Errorf("paging: %w", err)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return pg, n, fmt.Errorf("%s: %w", key, err)
			}
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return pg, n, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return pg, n, fmt.Errorf("%w: data after the answer", errShape)
	}
	if !sawObs {
		return pg, n, fmt.Errorf("%w: no observations", errShape)
	}
	return pg, n, nil
}

// into copies a decoded observation into o, dimensions sorted by name.
func (j *jsonObs) into(o *obs) error {
	o.reset()
	for k, v := range j.Dimensions {
		s, err := scalar(v)
		if err != nil {
			return fmt.Errorf("dimension %s: %w", k, err)
		}
		o.dims = append(o.dims, pair{k, s})
	}
	slices.SortFunc(o.dims, func(a, b pair) int { return strings.Compare(a.name, b.name) })
	if o.get("GEO") == "" {
		return errors.New("no GEO dimension")
	}
	for k, v := range j.Attributes {
		s, err := scalar(v)
		if err != nil {
			return fmt.Errorf("attribute %s: %w", k, err)
		}
		o.attribute(k, s)
	}
	key := "OBS_VALUE_NIVEAU"
	if _, ok := j.Measures[key]; !ok {
		for k := range j.Measures {
			if key == "OBS_VALUE_NIVEAU" || k < key {
				key = k
			}
		}
	}
	if m, ok := j.Measures[key]; ok {
		s, err := scalar(m.Value)
		if err != nil {
			return fmt.Errorf("measure %s: %w", key, err)
		}
		if o.value, o.hasValue, err = number(s); err != nil {
			return fmt.Errorf("measure %s: %w", key, err)
		}
	}
	return nil
}

// attribute records the attributes the figures use.
func (o *obs) attribute(k, v string) {
	switch k {
	case "CONF_STATUS":
		o.confState = v
	case "OBS_STATUS":
		o.obsState = v
	case "UNIT_MULT":
		o.unitMult, _ = strconv.Atoi(v)
	}
}

// scalar renders a decoded JSON scalar as a string: "A", 2023 → "2023",
// null → "". Objects and arrays are errors.
func scalar(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	case bool:
		return strconv.FormatBool(v), nil
	}
	return "", fmt.Errorf("%T where a scalar is expected", v)
}

// number reads a number ("327734.0", "1.2380964E7", "21,5"); "" is no
// value. Anything else is an error.
func number(s string) (float64, bool, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false, nil
	}
	f, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil {
		return 0, false, fmt.Errorf("value %q is not a number", s)
	}
	return f, true, nil
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
