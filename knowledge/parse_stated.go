package knowledge

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The years a report may be for, as read from a file or stated by staff.
const (
	minYear = 1990
	maxYear = 2100
)

// MaxDepartmentRunes is the longest department name Stated accepts, in
// characters.
const MaxDepartmentRunes = 40

// Errors of what staff state about a report (Stated.Check, ParseYear),
// always wrapped with a message that says what is wrong. Their messages
// name the field for staff.
var (
	// ErrBadYear: a stated year is not a year a report can be for.
	ErrBadYear = errors.New("报告年度无效")
	// ErrBadDepartment: a stated department is not a department's name.
	ErrBadDepartment = errors.New("部门名称无效")
)

// Stated is what staff state about a report when importing it, for a
// file that does not say it (a page copied without its title) or says it
// wrong. A set field takes precedence over what the file says; the zero
// Stated states nothing.
type Stated struct {
	// Year is the year reported on (1990–2100); 0 reads it from the file.
	Year int
	// Department is the department that reports, such as "江津区司法局"
	// or "区司法局" (stored in the 江津区XX form); "" reads it from the file.
	Department string
}

// IsZero reports whether s states nothing.
func (s Stated) IsZero() bool { return s.Year == 0 && strings.TrimSpace(s.Department) == "" }

// Check returns nil when every set field of s is valid, else an error
// wrapping ErrBadYear or ErrBadDepartment whose Chinese message names the
// field and the rule (it does not quote the value, which may be
// unprintable). A department is 2 to MaxDepartmentRunes characters of
// Chinese characters, letters, digits and （）() only. It is safe for
// concurrent use.
func (s Stated) Check() error {
	if s.Year != 0 && (s.Year < minYear || s.Year > maxYear) {
		return fmt.Errorf("%w：年度应为 %d 到 %d 之间的四位数年份，如 2021", ErrBadYear, minYear, maxYear)
	}
	d := strings.TrimSpace(s.Department)
	if d == "" {
		return nil
	}
	const rule = "应为部门全称或简称，如 江津区司法局 或 区司法局"
	switch n := utf8.RuneCountInString(d); {
	case !utf8.ValidString(d):
		return fmt.Errorf("%w：含有乱码（不是有效的 UTF-8），%s", ErrBadDepartment, rule)
	case n < 2:
		return fmt.Errorf("%w：太短，%s", ErrBadDepartment, rule)
	case n > MaxDepartmentRunes:
		return fmt.Errorf("%w：有 %d 个字，最长 %d 个字", ErrBadDepartment, n, MaxDepartmentRunes)
	}
	for _, r := range d {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("（）()", r) {
			return fmt.Errorf("%w：只能由汉字、字母、数字和括号组成，%s", ErrBadDepartment, rule)
		}
	}
	if !strings.ContainsFunc(d, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
		return fmt.Errorf("%w：%s", ErrBadDepartment, rule)
	}
	return nil
}

// ParseYear reads a year as staff type it: "2021", "2021年" or
// "2021年度", with surrounding spaces and full-width digits allowed. ""
// (or only spaces) is 0, stating no year. Other input returns an error
// wrapping ErrBadYear whose Chinese message gives the rule. It is safe for
// concurrent use.
func ParseYear(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	s = strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return '0' + r - '０'
		}
		return r
	}, s)
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(s, "度"), "年"))
	y, err := strconv.Atoi(s)
	if err != nil || len(s) != 4 {
		return 0, fmt.Errorf("%w：年度应为四位数的年份，如 2021", ErrBadYear)
	}
	if err := (Stated{Year: y}).Check(); err != nil {
		return 0, err
	}
	return y, nil
}

// ParseStated is ParseContext with what staff stated about the report: a
// set field of st takes precedence over what the file says, so a file
// that names no year parses when st.Year is set. The report's info passage
// lists the stated values. Besides ParseContext's errors it returns a
// *ParseError wrapping ErrBadYear or ErrBadDepartment when st.Check fails.
// It is safe for concurrent use.
func ParseStated(ctx context.Context, name string, data []byte, lim Limits, st Stated) (*Report, error) {
	return parse(ctx, name, data, lim, st)
}
