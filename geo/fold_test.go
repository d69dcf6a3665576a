package geo

import "testing"

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Saint-Étienne", "saint etienne"},
		{"L'Haÿ-les-Roses", "l hay les roses"},
		{"Œuilly", "oeuilly"},
		{"Bœurs-en-Othe", "boeurs en othe"},
		{"  Lyon 1er Arrondissement ", "lyon 1er arrondissement"},
		{"ÉVRY-COURCOURONNES", "evry courcouronnes"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
