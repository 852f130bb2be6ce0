package main

import (
	"encoding/json"
	"testing"

	"fazhibot/knowledge"
)

// TestAskResultCorrections checks the corrections of ask --json: one
// {from, to, kind, label} object per correction, in order, and [] (not
// null) when there are none.
func TestAskResultCorrections(t *testing.T) {
	tests := []struct {
		name string
		in   []knowledge.Correction
		want string
	}{
		{"none", nil, `[]`},
		{"homophone", []knowledge.Correction{{From: "公正处", To: "公证处", Kind: knowledge.CorrectHomophone}},
			`[{"from":"公正处","to":"公证处","kind":"homophone","label":"同音"}]`},
		{"all kinds in order", []knowledge.Correction{
			{From: "龙民工", To: "农民工", Kind: knowledge.CorrectFuzzySound},
			{From: "业委会", To: "业主委员会", Kind: knowledge.CorrectAbbreviation},
			{From: "好多", To: "多少", Kind: knowledge.CorrectColloquial},
		}, `[{"from":"龙民工","to":"农民工","kind":"fuzzy_sound","label":"近音"},` +
			`{"from":"业委会","to":"业主委员会","kind":"abbreviation","label":"缩写"},` +
			`{"from":"好多","to":"多少","kind":"colloquial","label":"口语"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := json.Marshal(newAskResult(knowledge.Answer{Corrections: tt.in}))
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Corrections json.RawMessage `json:"corrections"`
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			if string(got.Corrections) != tt.want {
				t.Errorf("corrections = %s\nwant          %s", got.Corrections, tt.want)
			}
		})
	}
}
