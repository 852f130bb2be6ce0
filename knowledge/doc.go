// Package knowledge owns what the bot knows: the rule-of-law reports
// (法治政府建设年度报告), their sections and passages, the keywords,
// synonyms and department aliases, the search index, and the grounded
// answer built from the best passage.
//
// The flow is:
//
//	Parse (txt, html, docx, md) → *Report with passages and heading paths
//	Keywords (gojieba TF-IDF)    → keywords stored with each passage
//	Build(reports, ...)          → *Base, an immutable in-memory index
//	Base.Search / Base.Answer    → ranked hits, or an honest "not covered"
//
// Storage of reports and versions lives elsewhere (package storage/sqldb,
// opened on SQLite or PostgreSQL by storage/sqlite and storage/postgres);
// this package has no I/O besides reading report files and dictionaries
// it is handed, and the snapshots of built indexes a Library keeps in the
// directory it is handed (snapshot.go).
package knowledge
