package builder

import "territoires/indicator"

// The Logement theme (Insee, census: DS_RP_LOGEMENT_PRINC): dwellings by
// category, houses and flats, owners and tenants, each as shares compared
// with the parents.

var dwellingCategoriesSpec = newShareSpec(shareSpec{
	id: "logements-categories", title: "Résidences principales, secondaires et logements vacants",
	label:   "Part des résidences principales, des résidences secondaires et logements occasionnels et des logements vacants",
	measure: indicator.Logements, baseName: "Logements",
	parts: []sharePart{
		{"OCS=DW_MAIN", "Résidences principales"},
		{"OCS=DW_SEC_DW_OCC", "Résidences secondaires et occasionnelles"},
		{"OCS=DW_VAC", "Logements vacants"},
	},
})

var dwellingTypesSpec = newShareSpec(shareSpec{
	id: "logements-types", title: "Maisons et appartements",
	label:   "Part des maisons et des appartements parmi les logements",
	measure: indicator.Logements, baseName: "Logements",
	parts: []sharePart{{"TDW=1", "Maisons"}, {"TDW=2", "Appartements"}},
	rest:  "Autres logements",
})

var dwellingTenureSpec = newShareSpec(shareSpec{
	id: "logements-statut", title: "Propriétaires et locataires",
	label:   "Part des résidences principales occupées par leur propriétaire, par un locataire ou à titre gratuit",
	measure: indicator.Logements, base: "OCS=DW_MAIN", baseName: "Résidences principales",
	parts: []sharePart{{"TSH=100", "Propriétaires"}, {"TSH=200", "Locataires"}, {"TSH=300", "Logés gratuitement"}},
	notes: []string{"Statut d'occupation des résidences principales."},
})

// touristShare is the share of secondary homes (percent) from which a
// page shows it among its key figures: twice France's (about 10 %), as in
// seaside and mountain resorts.
const touristShare = 20

// housingKeyFigures are the key figures of issue 12: the dwellings, the
// share of secondary homes where it marks a tourist commune, and the
// tourist beds where there are any.
func (d *dashboard) housingKeyFigures() []keyFigure {
	var kf []keyFigure
	if f, ok := d.fs.latest(indicator.Logements); ok && d.site.publishes("logement") {
		k := keyFigure{Label: "Logements", Detail: "au recensement " + f.Period}
		if f.Status == indicator.Present {
			k.Value = formatDecimal(f.Value, 0)
		} else {
			k.Value, k.Detail = "non diffusé", cell(f, 0, "")+", recensement "+f.Period
		}
		kf = append(kf, k)
		sec, ok := d.fs.figureAt(indicator.Logements, "OCS=DW_SEC_DW_OCC", f.Period)
		if ok && sec.Status == indicator.Present && f.Status == indicator.Present && f.Value > 0 {
			if share := sec.Value / f.Value * 100; share >= touristShare {
				kf = append(kf, keyFigure{Label: "Résidences secondaires", Value: formatPercent(share),
					Detail: "des logements, recensement " + f.Period})
			}
		}
	}
	if !d.site.publishes("tourisme") {
		return kf
	}
	if beds, _, figs, ok := touristBeds(d.fs); ok && beds > 0 {
		kf = append(kf, keyFigure{Label: "Lits touristiques", Value: formatDecimal(beds, 0),
			Detail: "estimés en " + figs[0].Period + " : hôtels, campings, autres hébergements collectifs"})
	}
	return kf
}
