// Package bot owns the conversation a citizen has with fazhibot: the
// incoming Message, the Reply, the per-user Session, intents such as
// follow-ups and paging, reply rendering, and the query-log entry.
//
// The same Dialogue serves every door: the WeChat callback, the JSON API
// and the terminal chat. New wires it to the knowledge base (Knowledge),
// the session store (SessionStore), the rate limiter (RateLimiter) and the
// query log (QueryLogger); Respond turns one Message into one Reply and
// one LogEntry. The follow-up rule is documented on Respond.
//
// Evaluate runs a question set (ReadQuestions reads the JSON-lines format
// of the sample corpus) through a Dialogue and scores the replies; it
// backs `fazhibot eval` and the staff regression page.
package bot
