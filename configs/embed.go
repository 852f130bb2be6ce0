package configs

import (
	"embed"
	"io/fs"
)

// The embedded file systems are read-only, so they are not mutable state.
var (
	//go:embed terms
	termsFS embed.FS

	//go:embed reports
	reportsFS embed.FS

	//go:embed jieba
	jiebaFS embed.FS
)

// JiebaDicts returns gojieba's dictionaries from configs/jieba, rooted at
// that directory (the files of DictFiles). They are used when
// knowledge.dict_dir is empty. The result is read-only and safe for
// concurrent use.
func JiebaDicts() fs.FS {
	return subFS(jiebaFS, "jieba")
}

// DefaultTerms returns the built-in term lists from configs/terms, rooted at
// that directory (a file configs/terms/x.txt is "x.txt"). They are used when
// knowledge.terms_dir is empty. The result is read-only and safe for
// concurrent use.
func DefaultTerms() fs.FS {
	return subFS(termsFS, "terms")
}

// BundledReports returns the real reports bundled for citizens from
// configs/reports, rooted at that directory (e.g. "jj-sthjj-2020.txt").
// The result is read-only and safe for concurrent use.
func BundledReports() fs.FS {
	return subFS(reportsFS, "reports")
}

func subFS(fsys embed.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		// fs.Sub fails only for an invalid path; dir is a constant.
		panic("configs: " + err.Error())
	}
	return sub
}
