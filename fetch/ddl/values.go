package ddl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

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

func isDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
