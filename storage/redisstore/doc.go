// Package redisstore keeps fazhibot's conversation sessions, message dedupe
// claims, cached replies for WeChat retries, rate-limit counters and the
// WeChat access-token cache in Redis, so that several bot instances share
// them and they survive restarts. Package memstore is the in-process
// equivalent with the same method set and semantics.
//
// One go-redis v9 UniversalClient serves a single node, Sentinel or
// Cluster, chosen by the URL given to Open. The client is tuned to fail
// fast: WeChat drops a passive reply after 5 seconds, so a dead or hung
// Redis must cost a request well under a second, not the whole budget.
// The client reconnects by itself once Redis is back; nothing needs to be
// reopened. go-redis reports failed dials through its own process-wide
// logger; this package leaves it alone (the wiring may call
// redis.SetLogger).
//
// # Key layout
//
// Every key starts with Options.KeyPrefix (default "fazhibot:"), written P
// below. Every key has a TTL, so nothing accumulates.
//
//	P session:<user>                  session bytes, TTL = the session ttl
//	P claim:<key>                     random claim token, SET NX, TTL = the claim ttl
//	P reply:<key>                     cached reply bytes, TTL = the reply ttl
//	P rate:<window in ms>:<user>      INCR counter of a fixed window, TTL = the window
//	P token:<key>                     WeChat SDK cache value (access token, ticket)
//
// User names and keys are used verbatim; they may contain ':'. In Redis
// Cluster each key lives in its own slot: no command or script touches two
// keys. BeginMessage (claim, session read, rate count) and FinishMessage
// (session and reply cache) pipeline several single-key commands, so a
// message costs two round trips; in Cluster go-redis sends each pipeline
// to every node concerned at once.
package redisstore
