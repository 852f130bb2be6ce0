// Package bot owns the conversation a citizen has with fazhibot: the
// incoming Message, the Reply, the per-user Session, intents such as
// follow-ups and paging, reply rendering, and the query-log entry.
//
// The same Dialogue serves every door: the WeChat callback, the JSON API
// and the terminal chat.
package bot
