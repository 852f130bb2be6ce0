package configs

import (
	"fmt"
	"net/url"
	"strings"
)

// MenuButton is one button of the official account's custom menu
// (wechat.menu). A top-level button either opens SubButtons, or is a leaf;
// a leaf has exactly one of Key (a "click" button: WeChat sends the bot an
// event carrying the key, e.g. bot.MenuHot) or URL (a "view" button: the
// phone opens the web page). Sub-buttons have the same shape but are always
// leaves: WeChat menus have two levels.
//
// The menu is set in the configuration file only; there is no environment
// variable for it.
type MenuButton struct {
	Name       string       `yaml:"name"`        // the label shown on the phone
	Key        string       `yaml:"key"`         // event key of a click button
	URL        string       `yaml:"url"`         // http(s) page of a view button
	SubButtons []MenuButton `yaml:"sub_buttons"` // the second level
}

// The limits WeChat puts on a custom menu, checked by Config.Validate.
// Name widths are counted in units: an ASCII character is 1 unit, any other
// character (a 汉字, a full-width sign) 2 units, so that 4 汉字 or 8 ASCII
// letters fill a top-level button.
const (
	MaxMenuButtons      = 3    // top-level buttons
	MaxMenuSubButtons   = 5    // sub-buttons under one top-level button
	MaxMenuNameWidth    = 8    // units of a top-level name: 4 汉字
	MaxMenuSubNameWidth = 14   // units of a sub-button name: 7 汉字
	MaxMenuKeyBytes     = 128  // bytes of a click key
	MaxMenuURLBytes     = 1024 // bytes of a view URL
)

// Key paths of the menu in errors.
const (
	menuKey           = "wechat.menu"
	menuSubButtonsKey = "sub_buttons"
)

// defaultMenu is the menu of Default: one "法治问答" button opening the
// bot's three fixed answers. The keys are bot.MenuHot, bot.MenuReports and
// bot.MenuHelp (spelled out: configs does not depend on bot; a test in
// cmd/fazhibot keeps them in step). Each call returns a fresh value.
func defaultMenu() []MenuButton {
	return []MenuButton{{
		Name: "法治问答",
		SubButtons: []MenuButton{
			{Name: "热门问题", Key: "HOT"},
			{Name: "收录报告", Key: "REPORTS"},
			{Name: "使用帮助", Key: "HELP"},
		},
	}}
}

// MenuNameWidth returns the width of a menu name in the units of the
// MaxMenuNameWidth limits: 1 per ASCII character, 2 per other character.
func MenuNameWidth(name string) int {
	n := 0
	for _, r := range name {
		if r < 0x80 {
			n++
		} else {
			n += 2
		}
	}
	return n
}

// validateMenu returns an *Error for every way buttons break WeChat's
// limits, each naming the offending button by its key path, e.g.
// "wechat.menu[0].sub_buttons[5]". An empty menu is valid.
func validateMenu(buttons []MenuButton) []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, &Error{Key: key, Problem: fmt.Sprintf(format, args...)})
	}
	if len(buttons) > MaxMenuButtons {
		bad(fmt.Sprintf("%s[%d]", menuKey, MaxMenuButtons), "一级菜单最多 %d 个，实为 %d 个", MaxMenuButtons, len(buttons))
	}
	for i, b := range buttons {
		key := fmt.Sprintf("%s[%d]", menuKey, i)
		checkMenuName(bad, key, b.Name, "一级菜单", MaxMenuNameWidth)
		if len(b.SubButtons) == 0 {
			checkMenuLeaf(bad, key, b)
			continue
		}
		if b.Key != "" || b.URL != "" {
			bad(key, "有子菜单（sub_buttons）的按钮不能再设置 key 或 url")
		}
		if len(b.SubButtons) > MaxMenuSubButtons {
			bad(fmt.Sprintf("%s.%s[%d]", key, menuSubButtonsKey, MaxMenuSubButtons),
				"子菜单最多 %d 个，实为 %d 个", MaxMenuSubButtons, len(b.SubButtons))
		}
		for j, s := range b.SubButtons {
			subKey := fmt.Sprintf("%s.%s[%d]", key, menuSubButtonsKey, j)
			checkMenuName(bad, subKey, s.Name, "子菜单", MaxMenuSubNameWidth)
			if len(s.SubButtons) > 0 {
				bad(subKey+"."+menuSubButtonsKey, "子菜单不能再有子菜单，微信菜单只有两级")
				continue
			}
			checkMenuLeaf(bad, subKey, s)
		}
	}
	return errs
}

// checkMenuName reports an empty name or one wider than max units.
func checkMenuName(bad func(key, format string, args ...any), key, name, level string, max int) {
	key += ".name"
	if strings.TrimSpace(name) == "" {
		bad(key, "菜单名称不能为空")
		return
	}
	if w := MenuNameWidth(name); w > max {
		bad(key, "名称 %q 过长：%s最多 %d 个汉字或 %d 个英文字符（汉字计 2、英文计 1），实为 %d", name, level, max/2, max, w)
	}
}

// checkMenuLeaf reports a leaf button without exactly one valid key or url.
func checkMenuLeaf(bad func(key, format string, args ...any), key string, b MenuButton) {
	switch {
	case b.Key == "" && b.URL == "":
		bad(key, "须设置 key（点击后由机器人回复）或 url（点击后打开网页）之一，或设置 sub_buttons")
		return
	case b.Key != "" && b.URL != "":
		bad(key, "key 和 url 只能设置其中一个")
		return
	}
	if b.Key != "" {
		switch {
		case strings.TrimSpace(b.Key) == "":
			bad(key+".key", "不能只含空白")
		case len(b.Key) > MaxMenuKeyBytes:
			bad(key+".key", "最长 %d 字节，实为 %d 字节", MaxMenuKeyBytes, len(b.Key))
		}
		return
	}
	u, err := url.Parse(b.URL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		bad(key+".url", "网址 %q 无效，应以 http:// 或 https:// 开头", b.URL)
	case len(b.URL) > MaxMenuURLBytes:
		bad(key+".url", "最长 %d 字节，实为 %d 字节", MaxMenuURLBytes, len(b.URL))
	}
}
