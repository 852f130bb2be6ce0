package knowledge

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

func TestStandardWording(t *testing.T) {
	terms, err := LoadTerms(os.DirFS("../configs/terms"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ in, want, fixes string }{
		{"环保局罚了好多钱", "环保局罚了多少钱", "[好多 → 多少(口语)]"},
		// The longest form wins where several start at the same place.
		{"区政府被告上了法院几次", "区政府被行政诉讼几次", "[告上了法院 → 行政诉讼(口语)]"},
		{"打官司输了没得", "行政诉讼败诉没有", "[打官司 → 行政诉讼(口语) 输了 → 败诉(口语) 没得 → 没有(口语)]"},
		{"住建委拆房子咋个赔钱", "住建委房屋征收怎么赔偿", "[拆房子 → 房屋征收(口语) 咋个 → 怎么(口语) 赔钱 → 赔偿(口语)]"},
		{"行政复议怎么申请", "行政复议怎么申请", "[]"},
		// A phrase of the lists split after its verb is joined first.
		{"开个公司要几天", "开公司要几天", "[开个公司 → 开公司(口语)]"},
		{"区政府被打了官司几件", "区政府被行政诉讼几件", "[打了官司 → 打官司(口语) 打官司 → 行政诉讼(口语)]"},
		{"晓不晓得哪点可以申请复议", "知不知道哪里可以申请复议", "[晓不晓得 → 知不知道(口语) 哪点 → 哪里(口语)]"},
	} {
		got, fixes := terms.standardWording(tc.in)
		if got != tc.want || fmt.Sprint(fixes) != tc.fixes {
			t.Errorf("standardWording(%q) = %q %v, want %q %s", tc.in, got, fixes, tc.want, tc.fixes)
		}
	}
}

func TestLoadColloquialErrors(t *testing.T) {
	for _, tc := range []struct{ text, err string }{
		{"多少", "至少需要两个词"},
		{"多少 好", "至少要两个字"},
		{"多少 好多\n什么 好多", "已对应"},
	} {
		_, err := LoadTerms(fstest.MapFS{ColloquialFile: {Data: []byte(tc.text)}})
		if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), ColloquialFile) {
			t.Errorf("%q: error %v, want one naming %s and containing %q", tc.text, err, ColloquialFile, tc.err)
		}
	}
}
