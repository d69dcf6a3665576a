// Package metadonnees is the client of INSEE's Métadonnées API for the
// study zonings: the zones d'emploi 2020, unités urbaines 2020, aires
// d'attraction des villes 2020 and bassins de vie 2022, their names and
// their member communes.
//
// It asks, for each zoning, the list of its zones (GET /geo/zonesDEmploi2020)
// then each zone's communes (GET /geo/zoneDEmploi2020/{code}/descendants?
// type=Commune), at the date of the referential's geography (date=2026-01-01),
// so that commune codes match it. The API sits behind INSEE's gateway: its
// calls spend the quota MELODI and Données Locales spend, through the same
// fetch.Host, and are cached by the fetch engine, once per geography vintage.
//
// The wire format follows the OpenAPI spec of InseeFr/Metadata-API (schema
// TerritoireBase: code, uri, type, dateCreation, dateSuppression,
// intituleSansArticle, typeArticle, intitule). No answer of the live API has
// been recorded: the fake in metadonneestest answers the spec's fields and
// shapes, not a recording.
//
// The package registers itself as the fetch provider "metadonnees"; import
// it for that effect. Its Source yields no figure: the builder reads the
// zones with fetch.LoadZones.
package metadonnees
