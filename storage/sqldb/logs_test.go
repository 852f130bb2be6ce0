package sqldb

import (
	"errors"
	"strings"
	"testing"
	"time"

	"fazhibot/console"
)

func TestNormalizeQuestion(t *testing.T) {
	tests := []struct{ in, want string }{
		{"社保怎么交？", "社保怎么交"},
		{"  社保 怎么交 ", "社保怎么交"},
		{"【社保】怎么交?!", "社保】怎么交"},
		{"ＡＢＣ罚款", "abc罚款"},
		{"2021年\u3000行政复议", "2021年行政复议"},
		{"What IS this", "whatisthis"},
		{"？！。", ""},
		{"", ""},
		{"\x00坏\xff字节", "坏字节"},
		{strings.Repeat("长", 300), strings.Repeat("长", 200)},
	}
	for _, tt := range tests {
		if got := console.NormalizeQuestion(tt.in); got != tt.want {
			t.Errorf("NormalizeQuestion(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSearchText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ＡＢＣ 罚款", "abc 罚款"},
		{"Hello\u3000World", "hello world"},
		{strings.Repeat("长", 250) + "尾", strings.Repeat("长", 200)},
	}
	for _, tt := range tests {
		if got := searchText(tt.in); got != tt.want {
			t.Errorf("searchText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestEscapeLike(t *testing.T) {
	if got, want := escapeLike(`100%_\x`), `100\%\_\\x`; got != want {
		t.Errorf("escapeLike = %q, want %q", got, want)
	}
}

func TestLatencyBucket(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want int
	}{
		{0, 0}, {5 * time.Millisecond, 0}, {5*time.Millisecond + 1, 1}, {150 * time.Millisecond, 5},
		{10 * time.Second, 15}, {time.Minute, 16},
	}
	for _, tt := range tests {
		if got := latencyBucket(tt.d); got != tt.want {
			t.Errorf("latencyBucket(%v) = %d, want %d", tt.d, got, tt.want)
		}
	}
	if latencyBuckets != 17 {
		t.Errorf("%d buckets; the bounds are stored, do not change them", latencyBuckets)
	}
}

func TestPercentile(t *testing.T) {
	hist := func(counts map[int]int64) []int64 {
		h := make([]int64, latencyBuckets)
		for b, n := range counts {
			h[b] = n
		}
		return h
	}
	tests := []struct {
		name string
		h    []int64
		want time.Duration
	}{
		{"empty", hist(nil), 0},
		{"one bucket", hist(map[int]int64{3: 10}), 50 * time.Millisecond},
		{"interpolated", hist(map[int]int64{3: 10, 5: 10}), 190 * time.Millisecond},
		{"first bucket", hist(map[int]int64{0: 100}), 5 * time.Millisecond},
		{"overflow", hist(map[int]int64{0: 1, 16: 99}), 10 * time.Second},
		{"tail below p95", hist(map[int]int64{4: 96, 15: 4}), 99 * time.Millisecond}, // 50ms + 95/96 of 50ms
	}
	for _, tt := range tests {
		if got := percentile(tt.h, 0.95); got != tt.want {
			t.Errorf("%s: percentile = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCursor(t *testing.T) {
	r := console.LogRecord{ID: 42, Time: time.Date(2026, 3, 10, 1, 2, 3, 4000, time.UTC)}
	at, id, err := parseCursor(cursor(r))
	if err != nil || at != "2026-03-10T01:02:03.000004Z" || id != 42 {
		t.Errorf("parseCursor(cursor) = %q, %d, %v", at, id, err)
	}
	for _, bad := range []string{"", "!!", "MjAyNg", "MjAyNi0wMy0xMFQwMTowMjowMy4wMDAwMDRafHg"} {
		if _, _, err := parseCursor(bad); !errors.Is(err, console.ErrInvalid) {
			t.Errorf("parseCursor(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}
