package builder

import "territoires/indicator"

// The "Diplômes et ménages" theme (Insee, census: DS_RP_DIPLOMES_PRINC,
// DS_RP_MENAGES_PRINC, DS_RP_FAMILLE_COMP), as shares compared with the
// parents.

var diplomasSpec = newShareSpec(shareSpec{
	id: "diplomes", title: "Diplôme le plus élevé",
	label:   "Répartition de la population de 15 ans ou plus non scolarisée selon le diplôme le plus élevé",
	measure: indicator.Diplomes, baseName: "Population non scolarisée de 15 ans ou plus",
	parts: []sharePart{
		{"EDUC=001T100_RP", "Aucun diplôme ou CEP"},
		{"EDUC=200_RP", "BEPC, brevet"},
		{"EDUC=300_RP", "CAP, BEP"},
		{"EDUC=350T351_RP", "Baccalauréat"},
		{"EDUC=500_RP", "Bac + 2"},
		{"EDUC=600_RP", "Bac + 3 ou 4"},
		{"EDUC=700_RP", "Bac + 5 ou plus"},
	},
	notes: []string{"Population de 15 ans ou plus sortie du système scolaire."},
})

var householdSizesSpec = newShareSpec(shareSpec{
	id: "menages-taille", title: "Ménages selon leur taille",
	label:   "Répartition des ménages selon le nombre de personnes",
	measure: indicator.MenagesTaille, baseName: "Ménages",
	parts: []sharePart{
		{"NPERS=1", "1 personne"}, {"NPERS=2", "2 personnes"}, {"NPERS=3", "3 personnes"},
		{"NPERS=4", "4 personnes"}, {"NPERS=5+", "5 personnes ou plus"},
	},
})

var familiesSpec = newShareSpec(shareSpec{
	id: "familles", title: "Familles",
	label:   "Répartition des familles : couples avec ou sans enfant, familles monoparentales",
	measure: indicator.Familles, baseName: "Familles",
	parts: []sharePart{
		{"TFN=22", "Couples avec enfant(s)"}, {"TFN=21", "Couples sans enfant"}, {"TFN=1", "Familles monoparentales"},
	},
	notes: []string{"Enfants de moins de 25 ans."},
})
