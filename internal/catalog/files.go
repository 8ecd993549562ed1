package catalog

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ReadPaths reads the catalog files named by paths: files as given, folders walked at
// any depth for .yaml, .yml and .json files, skipping hidden entries (.git and the like).
// Each file's Path is as the user would write it. It returns an error when a path does
// not exist or cannot be read; a file over MaxFileSize is read only that far, and Load
// reports it.
func ReadPaths(paths []string) ([]File, error) {
	var files []File
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			f, err := readFile(root)
			if err != nil {
				return nil, err
			}
			files = append(files, f)
			continue
		}
		err = filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if p != root && strings.HasPrefix(e.Name(), ".") {
				if e.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if e.IsDir() || !IsCatalogFile(e.Name()) {
				return nil
			}
			f, err := readFile(p)
			if err != nil {
				return err
			}
			files = append(files, f)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

func readFile(p string) (File, error) {
	fh, err := os.Open(p)
	if err != nil {
		return File{}, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, MaxFileSize+1))
	if err != nil {
		return File{}, fmt.Errorf("read %s: %w", p, err)
	}
	return File{Path: filepath.ToSlash(p), Data: data}, nil
}
