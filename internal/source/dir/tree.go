// Package dir is the catalog source of a local directory, watched: any path that is not
// a URL.
package dir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/fsnotify/fsnotify"

	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/pipeline"
)

// Tree is a local directory of catalog files, watched at any depth with fsnotify (new
// folders included). A missing directory is a fault of the source, not an empty
// catalog: nothing is deleted until it is back.
type Tree struct {
	root  string
	cache map[string]pipeline.File // by path; Revision is modification time and size
}

var _ pipeline.Source = (*Tree)(nil)

// New returns the source for the directory at root, made absolute. It returns an error
// when the working directory, needed to make root absolute, cannot be found.
func New(root string) (*Tree, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("catalog directory %s: %w", root, err)
	}
	return &Tree{root: abs, cache: map[string]pipeline.File{}}, nil
}

// Name returns the directory's absolute path.
func (d *Tree) Name() string { return d.root }

// Snapshot implements pipeline.Source: it reads the files whose modification time or size
// changed.
func (d *Tree) Snapshot(ctx context.Context) (*pipeline.Snapshot, error) {
	info, err := os.Stat(d.root)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", d.root)
	}
	next := map[string]pipeline.File{}
	snap := &pipeline.Snapshot{}
	err = doc.WalkFiles(d.root, func(rel string, e fs.DirEntry) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil // removed while walking: the watch reports it
		} else if err != nil {
			return err
		}
		rev := strconv.FormatInt(fi.ModTime().UnixNano(), 10) + "/" + strconv.FormatInt(fi.Size(), 10)
		f, ok := d.cache[rel]
		if !ok || f.Revision != rev {
			// The catalog's own reading: regular files only, never a link's target, and
			// never a wait on a named pipe.
			cf, err := doc.ReadFile(d.root, rel, doc.ReadOptions{})
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			} else if err != nil {
				return err
			}
			f = pipeline.File{Path: rel, Data: cf.Data, Problem: cf.Problem, Revision: rev}
		}
		next[rel] = f
		snap.Files = append(snap.Files, f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	d.cache = next
	pipeline.SortFiles(snap.Files)
	return snap, nil
}

// Watch implements pipeline.Source. It returns an error when the directory goes away.
func (d *Tree) Watch(ctx context.Context, sig *pipeline.Signal) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	if err := d.addTree(w, d.root); err != nil {
		return err
	}
	sig.Healthy()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-w.Errors:
			return fmt.Errorf("watch %s: %w", d.root, err)
		case ev, ok := <-w.Events:
			if !ok {
				return fmt.Errorf("watch %s: closed", d.root)
			}
			if ev.Name == d.root && ev.Has(fsnotify.Remove|fsnotify.Rename) {
				return fmt.Errorf("catalog directory %s was removed", d.root)
			}
			if ev.Has(fsnotify.Create) {
				if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() && !strings.HasPrefix(filepath.Base(ev.Name), ".") {
					// Files may have landed in it before the watch did: the snapshot
					// that follows reads them.
					if err := d.addTree(w, ev.Name); err != nil && !errors.Is(err, fs.ErrNotExist) {
						return err
					}
				}
			}
			if ev.Has(fsnotify.Chmod) && !ev.Has(fsnotify.Write) {
				continue
			}
			sig.Changed(nil)
		}
	}
}

// addTree watches dir and every folder below it but hidden ones.
func (d *Tree) addTree(w *fsnotify.Watcher, dir string) error {
	return filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() {
			return nil
		}
		if p != d.root && strings.HasPrefix(e.Name(), ".") {
			return filepath.SkipDir
		}
		if err := w.Add(p); err != nil {
			return fmt.Errorf("watch %s: %w", p, err)
		}
		return nil
	})
}
