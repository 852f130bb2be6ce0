// Package notify closes the loop on unanswered questions: a citizen whose
// WeChat question the reports did not cover is remembered for WeChat's
// 48-hour customer-service window, and when staff answer the question in
// the console (an FAQ entry or a linked passage, published) the citizen is
// sent the answer in the same chat, once.
//
// The rules live here, apart from HTTP and storage:
//
//   - Only the OpenID, the question as typed and when it was asked are
//     kept, in a Store (Redis or the embedded in-memory store) that drops
//     them after Window (at most Grace later); never in the query log. A
//     citizen who replies "不用通知" is forgotten at once (Service.Forget).
//   - Staff and admins may send (MaySend); every send is recorded through
//     the Ledger (who, which question, the answer, to how many) and its
//     outcome (notified, expired, unsubscribed, failed, deferred).
//   - Each citizen gets at most one message per question: an entry is
//     taken from the Store before its message is sent, so a second send,
//     on this or another instance, finds nobody to send to. Nothing is
//     retried: a failure is counted and the entry is gone, and a rate
//     limit stops the send, leaving the citizens not yet tried for a later
//     send.
//   - Sends run in the background, one at a time per question group, with
//     progress (Service.Job).
//
// The Store implementations are storage/redisstore.NotifyStore and
// storage/memstore.NotifyStore; the Sender is notify/wechatsend.Sender on
// silenceper/wechat/v2's customer-service message API.
package notify
