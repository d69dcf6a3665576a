package melodi

import "testing"

func TestGeoMapper(t *testing.T) {
	g := newGeoMapper(testRef(t))
	for _, tt := range []struct{ in, id, reason string }{
		{"2025-COM-69123", "commune/69123", ""},
		{"COM-69381", "arrondissement-municipal/69381", ""},
		{"2025-ARM-69381", "arrondissement-municipal/69381", ""},
		{"2025-EPCI-200046977", "epci/200046977", ""},
		{"2025-DEP-69", "departement/69", ""},
		{"2025-REG-84", "region/84", ""},
		{"2025-FRANCE-F", "france/FR", ""},
		{"2025-FRANCE-FM", "", skipFranceFM},
		{"2025-ZE2020-2415", "zone-emploi/2415", ""},
		{"2025-UU2020-01121", "unite-urbaine/01121", ""},
		{"2025-AAV2020-062", "aire-attraction/062", ""},
		{"2025-BV2022-01004", "bassin-vie/01004", ""},
		{"2025-COM-44109", "", skipTerritory},
		{"2025-OTHER-X", "", skipLevel},
		{"nonsense", "", skipTerritory},
	} {
		id, reason := g.id(tt.in)
		if id != tt.id || reason != tt.reason {
			t.Errorf("id(%q) = %q, %q; want %q, %q", tt.in, id, reason, tt.id, tt.reason)
		}
	}
}
