package melodi

import (
	"archive/zip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// decodeFile streams the data of a MELODI file product: a zip holding
// {name}_data.csv and {name}_metadata.csv. The data file is read row by
// row, calling fn for every observation; memory stays flat whatever the
// size of the dataset. r is the cached body (an *os.File is an
// io.ReaderAt), size its length.
//
// Facts (real headers quoted in MELODI-CATALOGUE.md):
// "GEO";"GEO_OBJECT";"ACTIVITY";...;"OBS_STATUS";"TIME_PERIOD";"OBS_VALUE",
// ';'-separated, quoted or not. GEO is the code and GEO_OBJECT its level
// (COM, DEP, FRANCE...); a GEO already in the long form 2025-COM-44109 is
// read as such. OBS_VALUE may be empty (secret, CONF_STATUS C), decimal
// with a point or a comma. Columns other than GEO_OBJECT, OBS_VALUE and the
// attributes (OBS_STATUS, OBS_STATUS_FR, CONF_STATUS, UNIT_MULT, DECIMALS)
// are dimensions.
func decodeFile(r io.ReaderAt, size int64, fn func(*obs) error) (int, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return 0, fmt.Errorf("file product: %w", err)
	}
	var data *zip.File
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "_data.csv") {
			data = f
		}
	}
	if data == nil {
		return 0, errors.New("file product: no *_data.csv in the zip")
	}
	rc, err := data.Open()
	if err != nil {
		return 0, fmt.Errorf("file product: %w", err)
	}
	defer rc.Close()
	return decodeCSV(rc, fn)
}

// column roles in a data CSV.
const (
	colDim = iota
	colGeoObject
	colValue
	colAttr
)

// decodeCSV reads a MELODI data CSV.
func decodeCSV(r io.Reader, fn func(*obs) error) (int, error) {
	cr := csv.NewReader(r)
	cr.Comma = ';'
	cr.ReuseRecord = true
	cr.FieldsPerRecord = 0
	head, err := cr.Read()
	if err != nil {
		return 0, fmt.Errorf("data csv: header: %w", err)
	}
	names := make([]string, len(head))
	roles := make([]int, len(head))
	geoCol, valueCol := -1, -1
	for i, h := range head {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		names[i] = h
		switch h {
		case "GEO":
			geoCol = i
		case "GEO_OBJECT":
			roles[i] = colGeoObject
		case "OBS_VALUE":
			roles[i], valueCol = colValue, i
		case "OBS_STATUS", "OBS_STATUS_FR", "CONF_STATUS", "UNIT_MULT", "DECIMALS":
			roles[i] = colAttr
		}
	}
	if geoCol < 0 || valueCol < 0 {
		return 0, fmt.Errorf("data csv: header %q lacks GEO or OBS_VALUE", strings.Join(names, ";"))
	}
	var o obs
	n := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("data csv: %w", err)
		}
		o.reset()
		level := ""
		for i, v := range rec {
			switch roles[i] {
			case colDim:
				o.dims = append(o.dims, pair{names[i], v})
			case colGeoObject:
				level = v
			case colValue:
				if o.value, o.hasValue, err = number(v); err != nil {
					line, _ := cr.FieldPos(i)
					return n, fmt.Errorf("data csv: line %d: %w", line, err)
				}
			case colAttr:
				o.attribute(names[i], v)
			}
		}
		if g := rec[geoCol]; level != "" && !strings.Contains(g, "-") {
			for i := range o.dims {
				if o.dims[i].name == "GEO" {
					o.dims[i].code = level + "-" + g
				}
			}
		}
		n++
		if err := fn(&o); err != nil {
			return n, err
		}
	}
}
