// Package configs holds fazhibot's one configuration type and the files that
// ship with the program.
//
// Config is built by Load from three layers, later ones winning: the
// defaults of Default, an optional YAML file (see config.example.yaml, which
// documents every key), and environment variables. Every key can be set from
// the environment as FAZHIBOT_ followed by its dotted path upper-cased with
// dots turned into underscores, e.g. database.url is FAZHIBOT_DATABASE_URL.
// Load is the only place in fazhibot that reads the environment; other
// packages receive plain values from the fields of Config.
//
// Errors meant for staff are in Simplified Chinese and name the offending
// key, e.g. `配置项 database.url: 不支持的地址 "mysql://x"，应为 sqlite:路径 或 postgres://…`.
//
// The package also embeds the built-in term lists (DefaultTerms) and the real
// reports bundled for citizens (BundledReports). The gojieba dictionaries in
// configs/jieba are not embedded, because gojieba loads them by file path;
// see KnowledgeConfig.DictDir.
package configs
