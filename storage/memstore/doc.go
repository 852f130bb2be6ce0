// Package memstore keeps fazhibot's conversation sessions, message dedupe
// claims, cached replies for WeChat retries, rate-limit counters and the
// WeChat access-token cache in process memory. It is the embedded default
// when Redis is not configured; package redisstore is the shared equivalent
// with the same method set and semantics.
//
// Entries expire lazily: a read of an expired entry deletes it and reports it
// missing. Writes occasionally sweep every expired entry, so memory stays
// proportional to the live entries; no background goroutine runs.
//
// The data is lost when the process exits and is not shared between
// processes, so memstore fits a single bot instance only.
package memstore
