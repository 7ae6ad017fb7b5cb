package profile

import (
	"slices"
	"testing"
)

func TestACVCommuneCodes(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Abbeville (80001)", []string{"80001"}},
		{"Arpajon-sur-Cère (15012); Aurillac (15014)", []string{"15012", "15014"}},
		{"Arpajon-sur-Cère (15012) ; Aurillac (15014) ;", []string{"15012", "15014"}},
		{"Bastia (2B033)", []string{"2B033"}},
		{"Saint-Denis (La Réunion) (97411)", []string{"97411"}}, // the last parentheses hold the code
		{"", nil},
		{"Abbeville", nil},
		{"Abbeville ()", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := acvCommuneCodes(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
