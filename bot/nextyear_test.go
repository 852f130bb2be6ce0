package bot

import (
	"strings"
	"testing"
	"time"
)

// TestNextYearFollowUp: 明年 in a conversation about a year is the year
// after it, whose plans that year's report gives; the calendar's next
// year has no report yet.
func TestNextYearFollowUp(t *testing.T) {
	h := newHarness(t, mustBase(t), nil)
	sent := time.Date(2026, 12, 5, 9, 0, 0, 0, time.Local)
	h.send(Message{Text: "教委2022年存在哪些不足", Time: sent})
	r := h.send(Message{Text: "明年打算咋个搞", Time: sent})
	if !r.Answered || !strings.Contains(r.PlainText(), "2023年的工作打算写在2022年度的报告中") {
		t.Fatalf("明年打算 after 2022: %v %q", r.Answered, r.Text)
	}
}
