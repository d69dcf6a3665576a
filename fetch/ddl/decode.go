package ddl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ddlAnswer is a Données Locales cube for one zone.
type ddlAnswer struct {
	Croisement struct {
		JeuDonnees struct {
			Code    string          `json:"code"`
			Libelle string          `json:"Libelle"`
			Annee   json.RawMessage `json:"Annee"`
			Source  string          `json:"Source"`
		} `json:"JeuDonnees"`
	} `json:"Croisement"`
	Zone    oneOrMany[ddlZone] `json:"Zone"`
	Cellule oneOrMany[ddlCell] `json:"Cellule"`
}

type ddlZone struct {
	Codgeo string `json:"codgeo"`
	Nivgeo string `json:"nivgeo"`
}

type ddlCell struct {
	Zone   ddlZone `json:"Zone"`
	Mesure struct {
		Code  string `json:"code"`
		Value string `json:"value"`
	} `json:"Mesure"`
	Modalite oneOrMany[ddlModalite] `json:"Modalite"`
	Valeur   json.RawMessage        `json:"Valeur"`
}

type ddlModalite struct {
	Code     string `json:"code"`
	Variable string `json:"variable"`
}

// oneOrMany decodes a JSON array, or a lone object as a one-element array,
// as the older DDL gateway sent for single cells, zones and modalities.
type oneOrMany[T any] []T

func (o *oneOrMany[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		*o = nil
		return nil
	case b[0] == '[':
		var s []T
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*o = s
		return nil
	default:
		var v T
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*o = []T{v}
		return nil
	}
}

var errDDLShape = errors.New("not a Données Locales answer")

// decodeDDL reads one Données Locales answer (one zone: small enough to
// decode at once).
//
// Facts (INSEE's inseeLocalData R package and pynsee, recorded answers):
// {"Croisement":{"JeuDonnees":{"code":"POPLEG2020","Annee":2020,...}},
// "Zone":[...],"Variable":[...],"Cellule":[{"Zone":{"codgeo":"44109",
// "nivgeo":"COM"},"Mesure":{"code":"POPMUN"},"Modalite":[{"code":"1",
// "variable":"IND_POPLEGALES"}],"Valeur":"320732"}]}. Valeur is a string;
// Zone, Cellule and Modalite are arrays, or a lone object from the older
// gateway.
func decodeDDL(r io.Reader) (*ddlAnswer, error) {
	var a ddlAnswer
	dec := json.NewDecoder(r)
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("%w: %w", errDDLShape, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the JSON object", errDDLShape)
	}
	if a.Croisement.JeuDonnees.Code == "" && len(a.Cellule) == 0 {
		return nil, fmt.Errorf("%w: no Croisement nor Cellule", errDDLShape)
	}
	return &a, nil
}
