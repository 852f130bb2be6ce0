// Package handlers is fazhibot's HTTP door. Every route is registered in
// routes.go; they are the WeChat official account callback
// (Options.WeChatPath, "/wechat" by default), the JSON API POST /api/v1/ask,
// GET /healthz and, when Options.Console has a DB, the staff console: pages
// under /admin/ and its JSON API under /api/v1/admin/. Errors become
// responses in one place, errors.go: plain text, JSON {"error": "…"} under
// /api/, or a Chinese HTML page under /admin/.
//
// # The WeChat callback
//
// WeChat verifies the URL with a GET carrying signature, timestamp, nonce
// and echostr; the Server echoes echostr when signature is the SHA-1 of the
// sorted token, timestamp and nonce. Messages arrive as POSTs in one of the
// three modes of the WeChat console:
//
//   - plaintext mode (Options.EncodingAESKey empty): the XML body is the
//     message, and signature authenticates the URL only;
//   - compatible and safe mode (EncodingAESKey set, encrypt_type=aes): the
//     body carries Encrypt, msg_signature signs token, timestamp, nonce and
//     Encrypt, and the decrypted message must name Options.AppID. The Server
//     reads only the encrypted copy and answers encrypted in both modes.
//
// Because plaintext signatures do not cover the body, a Server with an
// EncodingAESKey refuses plaintext POSTs (no downgrade), and one without
// refuses encrypted ones. Every request is refused with 403 when a signature
// is wrong (compared in constant time) or its timestamp is more than five
// minutes from Options.Now (replay protection), or the AppID does not match;
// with 413 when the body exceeds 64 KiB; with 400 when it is not the XML
// WeChat sends. A panic in a handler is logged and answered with 500 and
// never stops the process (or, if the response had already started, aborts
// the connection); a panicking Responder is logged and its message answered
// with an apology, "抱歉，系统出了点问题，请稍后再试。", cached like any reply.
//
// Text, voice (with WeChat's speech recognition, possibly empty), subscribe,
// unsubscribe and menu-click messages go to the Responder; image, video,
// short video, location, link and unknown message types go to it as
// bot.KindUnsupported. Other events (VIEW, LOCATION, SCAN, …) get no reply.
// A reply is a passive text message (at most 2048 bytes), encrypted and
// signed in safe mode; an empty bot.Reply.Text is answered with the plain
// body "success", never with an encrypted empty message.
//
// # One SDK server per request
//
// The callback is built on github.com/silenceper/wechat/v2's
// officialaccount server. Each request first passes this package's own
// checks, which the SDK lacks: the 64 KiB limit (http.MaxBytesReader), the
// signature and in safe mode msg_signature in constant time, the timestamp
// window, and XML well-formedness; in safe mode the handler decrypts once
// itself, so that a wrong AppID is a 403 and a malformed message a 400
// rather than one of the SDK's untyped errors. Only then does the request
// get its own officialaccount.OfficialAccount and server.Server, with
// validation skipped: the SDK parses (and decrypts) the message, calls the
// message handler, which maps it to a bot.Message and runs the
// deduplication and the Responder under the reply deadline below, and
// builds and encrypts the reply. The SDK sees a copy of the request with
// the already-read body, an XML Content-Type and only the query it needs,
// so a client cannot switch it to JSON parsing or to echoing echostr on a
// POST. What it refuses after these checks is answered with 400.
//
// The per-request official account costs a few small allocations and no
// I/O: its cache stores nothing and its access-token handle fails, because
// passive replies never call WeChat's API (see BenchmarkNewWeChatServer).
// Two SDK rules are overridden here: in safe mode the SDK answers "no
// reply" with nothing (and its Send would encrypt an empty message), so the
// handler writes "success" itself; and the SDK's echo of echostr is used
// only for the GET verification.
//
// Replies carry what the SDK puts in them: CreateTime from the wall clock
// (not Options.Now), and in safe mode the request's timestamp and nonce in
// the signed envelope, encrypted with the request's 16 random bytes. The
// SDK parses that timestamp as a 32-bit number, so safe-mode callbacks will
// be refused with 400 from 2038-01-19 unless the SDK is fixed by then.
//
// Only the subpackages are imported (officialaccount, its config, message,
// server, cache and credential), never the SDK's root package, whose init
// turns the global logrus logger up to Debug on stdout. The SDK logs
// message contents only at logrus Debug, and this package leaves logrus's
// global state alone, so at logrus's default Info level nothing is logged.
//
// # Exactly one reply within five seconds
//
// WeChat waits five seconds for a passive reply and then retries the same
// message up to three times. Each message has a dedupe key:
// "msg:"+sender+":"+MsgId (the sender's OpenID is part of it, so one
// citizen is never answered from another's cached reply), or
// "evt:"+sender+":"+CreateTime+":"+Event for events. The request that
// wins ReplyCache.Claim runs the Responder with a deadline of
// Options.ReplyTimeout (at most 4.5 s); a Responder that misses the
// deadline is answered with "正在查询，请稍后再发一次" and its eventual result
// is discarded (its context is cancelled; the bot may keep its own caches
// warm so that asking again is fast). The reply text, not its XML, is saved
// with SaveReply for 30 seconds before the response is written, so a retry
// — arriving while the first attempt still runs, or after it — polls for
// and renders the identical text, and the Responder runs once. A retry that
// finds no reply by its own deadline is answered with the busy text. The
// work is not cancelled when WeChat hangs up, since its retry wants the
// reply. If the ReplyCache fails, the Server does not fail: it runs the
// Responder without deduplication, within the same deadline.
//
// When the Responder is an OnceResponder that CanClaim (bot.Dialogue on
// redisstore or memstore), the Server leaves the claim to it: the Dialogue
// claims the key in the same round trip that reads the session and counts
// the rate limit, and saves the reply text with the session in a second,
// so a message costs Redis two round trips. The Server then only polls for
// a retry's reply and caches the busy and failure texts; the outcomes above
// are the same.
//
// # The JSON API
//
// POST /api/v1/ask takes {"user": "…", "text": "…"} with an
// "Authorization: Bearer <token>" header and answers {"answered": bool,
// "reply": "…", "hits": [{"report_id", "title", "section", "score"}]}.
// Tokens are checked by Options.Authorize when set, otherwise against
// Options.APITokens in constant time; failing that, with the console
// configured, the API token of an enabled console account is accepted too
// (revoked tokens and disabled accounts get 401). With none of these,
// every request gets 401.
// The Responder runs as for WeChat under Options.ReplyTimeout (a late
// answer is the busy text with answered false), but without
// deduplication, and is cancelled if the client goes away. Refusals are
// JSON: 401 (with WWW-Authenticate), 400, 413, 415, 405 (with Allow) and
// 404 for unknown paths under /api/.
//
// # The staff console
//
// Staff keep the knowledge base's draft up to date and admins publish it;
// everything they see is Simplified Chinese. The pages are html/template
// files embedded from templates/ (layout.html around each page, shared
// parts in partials.html) with a stylesheet and a small script from
// static/, no external resources; a Content-Security-Policy allows only
// them. User text is always rendered escaped.
//
// Areas, each in its own admin_*.go file, as pages and as JSON: reports
// (upload several files, preview how each was split, save the chosen ones
// in one transaction; list, section tree, passage edits, delete), FAQ,
// term lists, the hit test and the regression run against the draft (and
// the live version), versions (publish, submit, approve, reject, restore),
// accounts and API tokens, the audit log, and the query log for admins
// (dashboard with server-rendered SVG charts, filtered list, detail, the
// unanswered queue grouped by similarity with "添加为FAQ", CSV export).
// Edits carry the revision they started from; a stale one is a 409
// with a Chinese explanation, and the page shows the newer content beside
// what was typed.
//
// Authentication (auth*.go): pages use a session cookie (HttpOnly,
// SameSite=Lax, Path=/, Secure and the __Host- prefix with
// ConsoleOptions.SecureCookies) whose random 256-bit value is stored only
// as its SHA-256 (console.WebSession); each session has its own CSRF token,
// which every state-changing request must carry in the form field
// csrf_token or the X-CSRF-Token header, compared in constant time (403
// otherwise). Anonymous visitors of a page are sent to /admin/login. The
// JSON API also accepts "Authorization: Bearer <token>" with an API token
// an account created on the users page (shown once; stored as its SHA-256;
// revoked tokens and disabled accounts get 401); bearer requests need no
// CSRF token. The log-in form has its own double-submit token. Passwords
// are bcrypt hashes. Failed log-ins are counted in this instance's memory
// per name and client address (an IPv6 client by its /64) and per address
// across names: five for a name, or twenty for an address, within fifteen
// minutes block further attempts with 429 until the oldest ages out (behind
// a reverse proxy every client has the proxy's address). The counts are
// bounded (10,000 entries); when full, attempts that need a new entry are
// refused rather than older entries forgotten, so no volume of failures
// unlocks a name. At most a quarter of GOMAXPROCS (at least one) password
// checks run at once; an attempt that finds none free within 250 ms gets
// 429 at once, so a flood of log-ins cannot take the CPU the WeChat
// callback needs. A password change ends every other session of the
// account (console.Accounts.SetPasswordHash); disabling an account ends
// its sessions and revokes its API tokens for good. With no account in
// the database, ConsoleOptions.SetupToken opens the one-time link
// /admin/setup?token=… that creates the first admin.
//
// Roles: staff edit the draft, run tests, submit versions and publish only
// when ConsoleOptions.Approval is "none"; admins also publish, approve,
// reject, restore, manage accounts, revoke anyone's tokens and read the
// audit and query logs. Refusals are 403 with what is needed. Every change
// is recorded in the audit log by the console's store (console.Store)
// under the acting account's name. Publish, approve and restore go through package publishing, as
// the command line's do: the instance reloads (ConsoleOptions.Published)
// and the version is announced to the others (ConsoleOptions.Announcer).
//
// Upload previews live in this instance's memory for 30 minutes; with
// several instances behind a balancer, a preview must be saved on the
// instance that made it (sticky sessions), or it is reported as expired.
package handlers
