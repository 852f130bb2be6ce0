package main

import (
	"encoding/json"
	"strings"
	"testing"

	"fazhibot/bot"
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
			out, err := json.Marshal(newAskResult(bot.Reply{}, knowledge.Answer{Corrections: tt.in}))
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

// TestAskPrintsCitizenReply: ask prints the reply of the same dialogue a
// citizen talks to (as chat shows it), not-covered suggestions and hotline
// included; with the official account configured, the offer of a later
// answer too; --json carries the same reply with the details.
func TestAskPrintsCitizenReply(t *testing.T) {
	t.Parallel()
	const question = "区政府2021年行政复议多少件"
	tests := []struct {
		name string
		env  map[string]string
		want []string // in the reply
	}{
		{"without the official account", nil, []string{"还没有收录", "您可以试着这样问", "12345"}},
		{"with the official account", map[string]string{"FAZHIBOT_WECHAT_APP_ID": "wx0123456789", "FAZHIBOT_WECHAT_APP_SECRET": "secret-for-tests"},
			[]string{"12345", "工作人员会查看这个问题"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			getenv := testEnv(t, tt.env)
			got := strings.TrimSuffix(runCommand(t, getenv, "", "ask", question), "\n")
			for _, want := range tt.want {
				if !strings.Contains(got, want) {
					t.Errorf("ask lacks %q:\n%s", want, got)
				}
			}
			// chat talks to the same dialogue; its first reply follows "> ".
			chat := runCommand(t, getenv, question+"\n退出\n", "chat")
			_, afterPrompt, _ := strings.Cut(chat, "> ")
			fromChat, _, _ := strings.Cut(afterPrompt, "\n> ")
			if base := strings.TrimSuffix(got, "\n工作人员会查看这个问题,如果补充了答案,会在这里发给您(48小时内有效)。回复'不用通知'取消。"); base != fromChat {
				t.Errorf("ask printed\n%s\nchat replied\n%s", got, fromChat)
			}
			var res askResult
			if err := json.Unmarshal([]byte(runCommand(t, getenv, "", "ask", "--json", question)), &res); err != nil {
				t.Fatal(err)
			}
			if res.Reply != got || res.Answered || res.Reason == "" {
				t.Errorf("ask --json = %+v, want the same reply, unanswered with its reason", res)
			}
		})
	}
}
