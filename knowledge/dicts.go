package knowledge

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// InstallDicts makes the gojieba dictionaries of src (the files NewSegmenter
// reads, at its root) available as a directory, for gojieba reads files:
// it writes them once under root, in a directory named after a hash of
// their contents, and returns that directory. A later call with the same
// dictionaries finds the directory and writes nothing; changed
// dictionaries get a directory of their own. The files are written to a
// temporary directory that is then renamed into place, so that processes
// starting together never see half-written dictionaries. It returns an
// error naming the path when root cannot be written.
func InstallDicts(src fs.FS, root string) (string, error) {
	h := sha256.New()
	names := slices.Clone(jiebaFiles[:])
	for _, name := range names {
		data, err := fs.ReadFile(src, name)
		if err != nil {
			return "", fmt.Errorf("内置分词词典缺少 %s: %w", name, err)
		}
		fmt.Fprintf(h, "%s %d\n", name, len(data))
		h.Write(data)
	}
	dir := filepath.Join(root, "jieba-"+hex.EncodeToString(h.Sum(nil))[:16])
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		return dir, nil
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("无法创建分词词典缓存目录 %s: %w", root, err)
	}
	tmp, err := os.MkdirTemp(root, ".jieba-")
	if err != nil {
		return "", fmt.Errorf("无法写入分词词典缓存目录 %s: %w", root, err)
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	for _, name := range names {
		data, err := fs.ReadFile(src, name)
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(tmp, name), data, 0o644); err != nil {
			return "", fmt.Errorf("无法写入分词词典 %s: %w", filepath.Join(tmp, name), err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		// Another process may have installed the same dictionaries first.
		if fi, statErr := os.Stat(dir); statErr == nil && fi.IsDir() {
			return dir, nil
		}
		return "", fmt.Errorf("无法写入分词词典缓存目录 %s: %w", dir, err)
	}
	return dir, nil
}
