package builder

// depArticles is the preposition and article before the name of each
// département, as French writes it after "communes": "du Rhône", "de
// l'Ain", "de la Loire", "des Landes", "de Paris". Codes not listed take
// "de ".
var depArticles = map[string]string{
	"01": "de l'", "02": "de l'", "03": "de l'", "04": "des ", "05": "des ", "06": "des ",
	"07": "de l'", "08": "des ", "09": "de l'", "10": "de l'", "11": "de l'", "12": "de l'",
	"13": "des ", "14": "du ", "15": "du ", "16": "de la ", "17": "de la ", "18": "du ",
	"19": "de la ", "2A": "de la ", "2B": "de la ", "21": "de la ", "22": "des ", "23": "de la ",
	"24": "de la ", "25": "du ", "26": "de la ", "27": "de l'", "28": "de l'", "29": "du ",
	"30": "du ", "31": "de la ", "32": "du ", "33": "de la ", "34": "de l'", "35": "de l'",
	"36": "de l'", "37": "de l'", "38": "de l'", "39": "du ", "40": "des ", "41": "du ",
	"42": "de la ", "43": "de la ", "44": "de la ", "45": "du ", "46": "du ", "47": "du ",
	"48": "de la ", "49": "de ", "50": "de la ", "51": "de la ", "52": "de la ", "53": "de la ",
	"54": "de ", "55": "de la ", "56": "du ", "57": "de la ", "58": "de la ", "59": "du ",
	"60": "de l'", "61": "de l'", "62": "du ", "63": "du ", "64": "des ", "65": "des ",
	"66": "des ", "67": "du ", "68": "du ", "69": "du ", "70": "de la ", "71": "de ",
	"72": "de la ", "73": "de la ", "74": "de la ", "75": "de ", "76": "de la ", "77": "de ",
	"78": "des ", "79": "des ", "80": "de la ", "81": "du ", "82": "du ", "83": "du ",
	"84": "du ", "85": "de la ", "86": "de la ", "87": "de la ", "88": "des ", "89": "de l'",
	"90": "du ", "91": "de l'", "92": "des ", "93": "de la ", "94": "du ", "95": "du ",
	"971": "de la ", "972": "de la ", "973": "de la ", "974": "de ", "976": "de ",
}

// ofDepartement writes "du Rhône", "de l'Ain": a département's name after
// "communes".
func ofDepartement(code, name string) string {
	a, ok := depArticles[code]
	if !ok {
		a = "de "
	}
	return a + name
}
