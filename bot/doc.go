// Package bot owns the conversation a citizen has with fazhibot: the
// incoming Message, the Reply, the per-user Session, intents such as
// follow-ups and paging, and the query-log entry.
//
// The same Dialogue serves every door: the WeChat callback, the JSON API
// and the terminal chat. A Reply comes in parts (text, numbered choices,
// note, what 更多 and 详情 would give, the passages behind it) and each
// door renders them its own way; a door with a size limit asks for pages
// (Message.PageBytes) and the session keeps the rest for 更多. New wires it to the knowledge base (Knowledge),
// the session store (SessionStore), the rate limiter (RateLimiter) and the
// query log (QueryLogger); Respond turns one Message into one Reply and
// one LogEntry. The follow-up rule is documented on Respond.
//
// Evaluate runs a question set (ReadQuestions reads the JSON-lines format
// of the sample corpus) through a Dialogue and scores the replies; it
// backs `fazhibot eval` and the staff regression page.
package bot
