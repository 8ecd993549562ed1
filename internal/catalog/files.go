package catalog

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
)

// ReadPaths reads the catalog files named by paths: files as given, folders walked at
// any depth for .yaml, .yml and .json files, skipping hidden entries (.git and the like).
// Each file's Path is as the user would write it. It returns an error when a path does
// not exist or cannot be read; a file over MaxFileSize is read only that far, and Load
// reports it.
func ReadPaths(paths []string) ([]File, error) {
	var names []string
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			names = append(names, root)
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
			if !e.IsDir() && IsCatalogFile(e.Name()) {
				names = append(names, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return readFiles(names)
}

// readFiles reads the files concurrently: opening a file costs far more than reading
// one of this size, and the waits overlap.
func readFiles(names []string) ([]File, error) {
	files := make([]File, len(names))
	errs := make([]error, len(names))
	parallel(len(names), 8, func(i int) { files[i], errs[i] = readFile(names[i]) })
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return files, nil
}

func readFile(p string) (File, error) {
	fh, err := os.Open(p)
	if err != nil {
		return File{}, err
	}
	defer fh.Close()
	// One allocation of the right size (bounded by the limit) instead of ReadAll's
	// doubling.
	size := int64(512)
	if info, err := fh.Stat(); err == nil {
		size = min(info.Size(), MaxFileSize+1)
	}
	data := make([]byte, 0, size+1)
	data, err = readUpTo(fh, data, MaxFileSize+1)
	if err != nil {
		return File{}, fmt.Errorf("read %s: %w", p, err)
	}
	return File{Path: filepath.ToSlash(p), Data: data}, nil
}

// readUpTo appends to buf what r holds, at most limit bytes in all.
func readUpTo(r io.Reader, buf []byte, limit int) ([]byte, error) {
	for len(buf) < limit {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):min(cap(buf), limit)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
	return buf, nil
}

// parallel calls fn(i) for every i below n on up to workers goroutines and returns when
// all calls have.
func parallel(n, workers int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				fn(i)
			}
		})
	}
	wg.Wait()
}
