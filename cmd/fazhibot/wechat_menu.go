package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/officialaccount"
	oaconfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/menu"
	"github.com/silenceper/wechat/v2/util"

	"fazhibot/bot"
	"fazhibot/configs"
	"fazhibot/storage/memstore"
	"fazhibot/storage/redisstore"
)

// wechatUsage is printed for a malformed "wechat" command line.
const wechatUsage = "用法: fazhibot wechat menu push | show\n" +
	"  push  校验配置项 wechat.menu 中的菜单并推送到公众号\n" +
	"  show  查看公众号当前的自定义菜单"

// runWeChat dispatches the official-account subcommands: "menu push" and
// "menu show".
func runWeChat(ctx context.Context, e *env, args []string) error {
	sub := map[string]func(context.Context, *env) error{
		"push": runWeChatMenuPush,
		"show": runWeChatMenuShow,
	}
	if len(args) != 2 || args[0] != "menu" || sub[args[1]] == nil {
		fmt.Fprintln(e.stderr, wechatUsage)
		return errUsage
	}
	return sub[args[1]](ctx, e)
}

// runWeChatMenuPush sets wechat.menu as the account's custom menu and
// prints what it sent. The configuration was validated by run, so the menu
// is within WeChat's limits.
func runWeChatMenuPush(ctx context.Context, e *env) error {
	if len(e.cfg.WeChat.Menu) == 0 {
		return errors.New("配置项 wechat.menu 为空，没有可推送的菜单；请在配置文件中设置菜单")
	}
	buttons := sdkButtons(e.cfg.WeChat.Menu)
	return withMenuAPI(ctx, e.cfg, func(m *menuAPI) error {
		err := m.call(ctx, "推送菜单", func() error { return m.oa.GetMenu().SetMenu(buttons) })
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%w；菜单可能已经推送，请用 fazhibot wechat menu show 查看", err)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "已向公众号 %s 推送自定义菜单：\n", e.cfg.WeChat.AppID)
		printMenu(e.stdout, buttons)
		fmt.Fprintln(e.stdout, "关注者最迟约 5 分钟后看到新菜单（重新进入公众号会话即可刷新）。")
		return nil
	})
}

// runWeChatMenuShow prints the custom menu currently set on WeChat.
func runWeChatMenuShow(ctx context.Context, e *env) error {
	return withMenuAPI(ctx, e.cfg, func(m *menuAPI) error {
		var res menu.ResMenu
		err := m.call(ctx, "查询菜单", func() (err error) {
			res, err = m.oa.GetMenu().GetMenu()
			return err
		})
		var werr *weChatError
		if errors.As(err, &werr) && werr.code == errCodeNoMenu {
			fmt.Fprintf(e.stdout, "公众号 %s 目前没有自定义菜单。可用 fazhibot wechat menu push 推送配置项 wechat.menu 中的菜单。\n", e.cfg.WeChat.AppID)
			return nil
		}
		if err != nil {
			return err
		}
		buttons := make([]*menu.Button, len(res.Menu.Button))
		for i := range res.Menu.Button {
			buttons[i] = &res.Menu.Button[i]
		}
		fmt.Fprintf(e.stdout, "公众号 %s 当前的自定义菜单：\n", e.cfg.WeChat.AppID)
		printMenu(e.stdout, buttons)
		if n := len(res.Conditionalmenu); n > 0 {
			fmt.Fprintf(e.stdout, "另有 %d 个个性化菜单（只对部分关注者显示），此处未列出。\n", n)
		}
		return nil
	})
}

// menuAPI is the SDK's official account for the menu commands, with its
// token cache and what is needed to keep its errors free of credentials.
type menuAPI struct {
	oa       *officialaccount.OfficialAccount
	tokens   cache.Cache
	tokenKey string // the SDK's cache key of the account's access token
	secret   string
}

// withMenuAPI calls fn with the official account of cfg and an access
// token already fetched (or found in the token cache), then releases the
// cache. Tokens are cached in Redis when redis.url is set, so that every
// instance and command shares one token; otherwise in memory for this run.
func withMenuAPI(ctx context.Context, cfg configs.Config, fn func(*menuAPI) error) error {
	var missing []error
	if strings.TrimSpace(cfg.WeChat.AppID) == "" {
		missing = append(missing, errors.New("未配置公众号 AppID：请设置配置项 wechat.app_id 或环境变量 FAZHIBOT_WECHAT_APP_ID"))
	}
	if strings.TrimSpace(cfg.WeChat.AppSecret) == "" {
		missing = append(missing, errors.New("未配置公众号 AppSecret：请设置配置项 wechat.app_secret 或环境变量 FAZHIBOT_WECHAT_APP_SECRET"))
	}
	if len(missing) > 0 {
		return errors.Join(missing...)
	}

	var tokens cache.Cache
	if cfg.Redis.URL == "" {
		tokens = memstore.New(nil).TokenCache()
	} else {
		s, err := redisstore.Open(ctx, cfg.Redis.URL, redisstore.Options{})
		if err != nil {
			return fmt.Errorf("配置项 redis.url: %w", err)
		}
		defer s.Close()
		tokens = s.TokenCache()
	}

	m := &menuAPI{
		oa: officialaccount.NewOfficialAccount(&oaconfig.Config{
			AppID:     cfg.WeChat.AppID,
			AppSecret: cfg.WeChat.AppSecret,
			Cache:     tokens,
		}),
		tokens: tokens,
		// How credential.DefaultAccessToken names its cache entry; the
		// Redis test in wechat_menu_test.go checks it still does.
		tokenKey: credential.CacheKeyOfficialAccountPrefix + "_access_token_" + cfg.WeChat.AppID,
		secret:   cfg.WeChat.AppSecret,
	}
	if err := m.token(ctx); err != nil {
		return err
	}
	return fn(m)
}

// token makes sure an access token is in the cache, fetching one from
// WeChat when there is none.
func (m *menuAPI) token(ctx context.Context) error {
	_, err := m.oa.GetAccessTokenContext(ctx)
	return m.explain("获取访问令牌（access_token）", err)
}

// call runs fn, an SDK call that takes no context, and returns its error
// explained for staff with the step that failed. When WeChat rejects the
// cached access token (someone else fetched a newer one, which retires
// ours), call fetches a fresh token and runs fn once more. When ctx ends
// first, call returns at once and abandons fn, which finishes in the
// background.
func (m *menuAPI) call(ctx context.Context, step string, fn func() error) error {
	err := m.explain(step, abandonOnDone(ctx, fn))
	var werr *weChatError
	if errors.As(err, &werr) && staleToken(werr.code) && m.tokens.Delete(m.tokenKey) == nil {
		if terr := m.token(ctx); terr != nil {
			return terr
		}
		err = m.explain(step, abandonOnDone(ctx, fn))
	}
	return err
}

// abandonOnDone returns fn's error, or ctx's error as soon as ctx ends.
func abandonOnDone(ctx context.Context, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// staleToken reports whether WeChat's error code means the access token
// is not (or no longer) valid.
func staleToken(code int64) bool {
	return code == 40001 || code == 40014 || code == 42001
}

// errCodeNoMenu is WeChat's error code for "the account has no menu".
const errCodeNoMenu = 46003

// weChatError is a failed step of the menu commands, in Chinese; code is
// WeChat's error code, or 0 when WeChat did not answer with one (a
// network failure, say). Its message never contains the AppSecret or an
// access token.
type weChatError struct {
	step string
	code int64
	msg  string // WeChat's errmsg, or the redacted error
}

func (e *weChatError) Error() string {
	if e.code == 0 {
		return fmt.Sprintf("%s失败：%s", e.step, e.msg)
	}
	s := fmt.Sprintf("%s失败：微信返回错误码 %d", e.step, e.code)
	if hint := weChatErrorHints[e.code]; hint != "" {
		s += "（" + hint + "）"
	}
	return s + "：" + e.msg
}

// weChatErrorHints explains the WeChat error codes staff are likely to meet
// with the menu commands.
var weChatErrorHints = map[int64]string{
	-1:    "微信系统繁忙，请稍后重试",
	40001: "AppSecret 错误，或 access_token 无效；请核对 wechat.app_secret",
	40002: "不合法的凭证类型",
	40013: "AppID 无效，请核对 wechat.app_id",
	40014: "access_token 不合法",
	40016: "一级菜单个数不合法",
	40017: "菜单按钮类型不合法",
	40018: "一级菜单名称过长",
	40019: "菜单按钮 key 过长",
	40023: "子菜单个数不合法",
	40024: "子菜单按钮类型不合法",
	40025: "子菜单名称过长",
	40026: "子菜单按钮 key 过长",
	40027: "子菜单网址过长",
	40054: "子菜单网址的域名不合法",
	40055: "菜单网址的域名不合法",
	40125: "AppSecret 无效，请核对 wechat.app_secret",
	40164: "本机 IP 不在公众号的 IP 白名单中，请在公众号后台“设置与开发 > 基本配置”中添加",
	41001: "缺少 access_token",
	42001: "access_token 已过期",
	45009: "今日调用次数已达上限",
	46003: "公众号没有自定义菜单",
	48001: "公众号没有该接口的权限；未认证的订阅号不能使用自定义菜单接口",
}

// sdkErrorCode matches the error codes the SDK puts into the text of its
// plain errors, e.g. "GetMenu Error , errcode=46003 , errmsg=menu no exist"
// and "get access_token error : errcode=40001 , errormsg=invalid credential".
var sdkErrorCode = regexp.MustCompile(`errcode=(-?\d+)\s*,\s*(?:errmsg|errormsg)=(.*)$`)

// accessTokenParam matches an access token in a URL the SDK put into an
// error.
var accessTokenParam = regexp.MustCompile(`access_token=[^&\s"]*`)

// explain returns err of the SDK as a *weChatError for step, or nil for a
// nil err. A cancelled or timed-out step is reported as such, wrapping
// context.Canceled or context.DeadlineExceeded.
func (m *menuAPI) explain(step string, err error) error {
	switch {
	case err == nil:
		return nil
	// Not wrapping err itself: a *url.Error quotes the request URL.
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("%s已取消：%w", step, context.Canceled)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s超时：%w", step, context.DeadlineExceeded)
	}
	e := &weChatError{step: step}
	var common *util.CommonError
	if errors.As(err, &common) {
		e.code, e.msg = common.ErrCode, common.ErrMsg
	} else if sub := sdkErrorCode.FindStringSubmatch(err.Error()); sub != nil {
		e.code, _ = strconv.ParseInt(sub[1], 10, 64)
		e.msg = strings.TrimSpace(sub[2])
	} else {
		e.msg = err.Error()
	}
	// Errors of the HTTP layer quote the request URL, which holds the
	// AppSecret (token request) or the access token (API calls).
	if m.secret != "" {
		e.msg = strings.ReplaceAll(e.msg, m.secret, "***")
	}
	e.msg = accessTokenParam.ReplaceAllString(e.msg, "access_token=***")
	return e
}

// sdkButtons converts the configured menu into the SDK's buttons.
func sdkButtons(buttons []configs.MenuButton) []*menu.Button {
	out := make([]*menu.Button, len(buttons))
	for i, b := range buttons {
		btn := new(menu.Button)
		switch {
		case len(b.SubButtons) > 0:
			btn.SetSubButton(b.Name, sdkButtons(b.SubButtons))
		case b.URL != "":
			btn.SetViewButton(b.Name, b.URL)
		default:
			btn.SetClickButton(b.Name, b.Key)
		}
		out[i] = btn
	}
	return out
}

// printMenu writes buttons as a numbered tree, one button a line, saying
// what each does.
func printMenu(w io.Writer, buttons []*menu.Button) {
	if len(buttons) == 0 {
		fmt.Fprintln(w, "（空菜单）")
	}
	for i, b := range buttons {
		if len(b.SubButtons) == 0 {
			fmt.Fprintf(w, "%d. %s  %s\n", i+1, b.Name, describeButton(b))
			continue
		}
		fmt.Fprintf(w, "%d. %s\n", i+1, b.Name)
		for j, s := range b.SubButtons {
			fmt.Fprintf(w, "   %d.%d %s  %s\n", i+1, j+1, s.Name, describeButton(s))
		}
	}
}

// clickAnswers names what the bot answers for each menu key it knows; the
// bot answers any other key with its help.
var clickAnswers = map[string]string{
	bot.MenuHot:     "热门问题",
	bot.MenuReports: "收录报告",
	bot.MenuHelp:    "使用帮助",
}

// describeButton says in Chinese what tapping the leaf button b does.
func describeButton(b *menu.Button) string {
	switch b.Type {
	case "click":
		if answer := clickAnswers[strings.ToUpper(strings.TrimSpace(b.Key))]; answer != "" {
			return fmt.Sprintf("点击后机器人回复%s（key %s）", answer, b.Key)
		}
		return fmt.Sprintf("点击后机器人回复使用帮助（key %s 不是 %s、%s、%s 之一）", b.Key, bot.MenuHot, bot.MenuReports, bot.MenuHelp)
	case "view":
		return "打开网页 " + b.URL
	case "miniprogram":
		return fmt.Sprintf("打开小程序 %s 的页面 %s", b.AppID, b.PagePath)
	case "media_id", "view_limited":
		return "发送素材 " + b.MediaID
	case "":
		return "（没有动作）"
	}
	if b.Key != "" {
		return fmt.Sprintf("%s 类型按钮（key %s）", b.Type, b.Key)
	}
	return b.Type + " 类型按钮"
}
