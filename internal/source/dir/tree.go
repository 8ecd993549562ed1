// Package dir is the catalog source of a local directory, watched: any path that is not
// a URL.
package dir

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/fsnotify/fsnotify"

	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/pipeline"
)

// Tree is a local directory of catalog files, watched at any depth with fsnotify (new
// folders included). A missing directory is a fault of the source, not an empty
// catalog: nothing is deleted until it is back.
type Tree struct {
	root  string
	cache map[string]pipeline.File // by path, without Data; Revision is modification time and size

	// mu guards what the watch tells Snapshot. While the watch runs, Snapshot looks
	// again only at the paths it named since the last snapshot; it walks the whole tree
	// when the watch is not running or was interrupted since (a watcher that overflows
	// stops with an error), when an event named a folder made, when a path removed or
	// renamed away held catalog files (a folder), or when no path was named (a poll, or
	// a reconcile to catch up).
	mu       sync.Mutex
	watching bool            // the watch has run without a break since walk was last set
	walk     bool            // the next snapshot walks the whole tree
	named    map[string]bool // catalog paths the watch named since the last snapshot
	gone     map[string]bool // other paths removed or renamed away since: files of other names, or folders
	walks    int             // full walks made, for tests
	// ready is set while the watch is being set up, and closed once every folder is
	// watched: a snapshot waits for it, since what changed meanwhile in a folder not yet
	// watched would be seen by neither.
	ready chan struct{}
}

// adding is called before each folder is added to the watch; tests hold the watch's
// setup with it.
var adding = func(dir string) {}

var _ pipeline.Reader = (*Tree)(nil)

// New returns the source for the directory at root, made absolute. It returns an error
// when the working directory, needed to make root absolute, cannot be found.
func New(root string) (*Tree, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("catalog directory %s: %w", root, err)
	}
	return &Tree{root: abs, cache: map[string]pipeline.File{}, walk: true, named: map[string]bool{}, gone: map[string]bool{}}, nil
}

// Name returns the directory's absolute path.
func (d *Tree) Name() string { return d.root }

// Snapshot implements pipeline.Source: it reads the files whose modification time or size
// changed, among those the watch named, or all of them (see Tree.mu), to sum them. Its
// files hold no Data: the pipeline reads what it needs with ReadFile.
func (d *Tree) Snapshot(ctx context.Context) (*pipeline.Snapshot, error) {
	d.mu.Lock()
	ready := d.ready
	d.mu.Unlock()
	if ready != nil {
		select {
		case <-ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	info, err := os.Stat(d.root)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", d.root)
	}
	d.mu.Lock()
	named, gone := d.named, d.gone
	walk := d.walk || !d.watching || len(named)+len(gone) == 0
	d.named, d.gone, d.walk = map[string]bool{}, map[string]bool{}, false
	d.mu.Unlock()
	// A path gone that held catalog files was a folder: what it held is found by a
	// walk. Any other (an editor's temporary file renamed over the one it saves) is
	// not the catalog's.
	walk = walk || d.holdsAny(gone)
	var snap *pipeline.Snapshot
	if !walk {
		snap, err = d.look(named)
		if errors.Is(err, errWalk) {
			walk = true
		}
	}
	if walk {
		snap, err = d.walkAll(ctx)
	}
	if err != nil {
		// What was named is looked at again, by the next snapshot's full walk.
		d.mu.Lock()
		d.walk = true
		d.mu.Unlock()
		return nil, err
	}
	return snap, nil
}

// holdsAny reports whether the files kept include one below any of the paths.
func (d *Tree) holdsAny(paths map[string]bool) bool {
	if len(paths) == 0 {
		return false
	}
	for rel := range d.cache {
		for dir := rel; ; {
			i := strings.LastIndexByte(dir, '/')
			if i < 0 {
				break
			}
			if dir = dir[:i]; paths[dir] {
				return true
			}
		}
	}
	return false
}

// errWalk says that a named path needs a full walk: it is a folder, or was one.
var errWalk = errors.New("walk the tree")

// look makes the snapshot from the files kept, looking again only at the named paths.
func (d *Tree) look(named map[string]bool) (*pipeline.Snapshot, error) {
	next := maps.Clone(d.cache)
	for rel := range named {
		fi, err := os.Lstat(filepath.Join(d.root, filepath.FromSlash(rel)))
		if errors.Is(err, fs.ErrNotExist) {
			if d.holdsAny(map[string]bool{rel: true}) {
				return nil, errWalk // a folder named like a file, gone with what it held
			}
			delete(next, rel)
			continue
		} else if err != nil {
			return nil, err
		}
		if fi.IsDir() || (fi.Mode()&fs.ModeSymlink != 0 && !doc.IsDocumentName(rel)) {
			return nil, errWalk
		}
		f, ok, err := d.read(rel, fi, d.cache)
		if err != nil {
			return nil, err
		}
		if !ok {
			delete(next, rel)
			continue
		}
		next[rel] = f
	}
	snap := &pipeline.Snapshot{Files: make([]pipeline.File, 0, len(next))}
	for _, f := range next {
		snap.Files = append(snap.Files, f)
	}
	d.cache = next
	pipeline.SortFiles(snap.Files)
	return snap, nil
}

// read returns the file at rel, with its sum and without its bytes, as cache holds it
// when its modification time and size are those of fi, else read again; ok is false
// when it is gone.
func (d *Tree) read(rel string, fi fs.FileInfo, cache map[string]pipeline.File) (f pipeline.File, ok bool, err error) {
	rev := strconv.FormatInt(fi.ModTime().UnixNano(), 10) + "/" + strconv.FormatInt(fi.Size(), 10)
	if f, ok := cache[rel]; ok && f.Revision == rev {
		return f, true, nil
	}
	// The catalog's own reading: regular files only, never a link's target, and never a
	// wait on a named pipe.
	cf, err := doc.ReadFile(d.root, rel, doc.ReadOptions{})
	if errors.Is(err, fs.ErrNotExist) {
		return pipeline.File{}, false, nil
	} else if err != nil {
		return pipeline.File{}, false, err
	}
	f = pipeline.File{Path: rel, Problem: cf.Problem, Revision: rev}
	if f.Problem == "" {
		f.Sum = sha256.Sum256(cf.Data)
	}
	return f, true, nil
}

// ReadFile implements pipeline.Reader: it reads the file at path (relative, with forward
// slashes) as the catalog reads it: a regular file, never through a link. It returns an
// error when the file is gone or is no longer a regular file.
func (d *Tree) ReadFile(ctx context.Context, path string) ([]byte, error) {
	if !pipeline.IsCatalogPath(path) || !filepath.IsLocal(filepath.FromSlash(path)) {
		return nil, fmt.Errorf("%s is not a catalog file of %s", path, d.root)
	}
	cf, err := doc.ReadFile(d.root, path, doc.ReadOptions{})
	if err != nil {
		return nil, err
	}
	if cf.Problem != "" {
		return nil, fmt.Errorf("%s: %s", path, cf.Problem)
	}
	return cf.Data, nil
}

// walkAll makes the snapshot from a walk of the whole tree.
func (d *Tree) walkAll(ctx context.Context) (*pipeline.Snapshot, error) {
	d.walks++
	next := map[string]pipeline.File{}
	snap := &pipeline.Snapshot{}
	err := doc.WalkFiles(d.root, func(rel string, e fs.DirEntry) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil // removed while walking: the watch reports it
		} else if err != nil {
			return err
		}
		f, ok, err := d.read(rel, fi, d.cache)
		if err != nil || !ok {
			return err
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
	// Whatever happened before the watch started, or while it was down, the next
	// snapshot walks the tree to find.
	ready := make(chan struct{})
	d.mu.Lock()
	d.walk, d.watching, d.ready = true, true, ready
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		d.watching = false
		d.mu.Unlock()
	}()
	err = d.addTree(w, d.root)
	d.mu.Lock()
	d.ready = nil
	d.mu.Unlock()
	close(ready)
	if err != nil {
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
			if d.note(ev) {
				sig.Changed(nil)
			}
		}
	}
}

// note records what an event named for the next snapshot, and reports whether it may
// have changed the catalog: a catalog file is looked at again; a hidden entry, or a
// file of another name, is not the catalog's; a folder made makes the next snapshot
// walk the whole tree; a path gone by then (a file of another name or a folder, removed
// or renamed away: the event does not say) is left to the snapshot, which knows what
// it held.
func (d *Tree) note(ev fsnotify.Event) bool {
	rel, err := filepath.Rel(d.root, ev.Name)
	d.mu.Lock()
	defer d.mu.Unlock()
	if err != nil || !filepath.IsLocal(rel) {
		d.walk = true
		return true
	}
	rel = filepath.ToSlash(rel)
	switch {
	case pipeline.IsCatalogPath(rel):
		d.named[rel] = true
		return true
	case hidden(rel):
		return false
	case !ev.Has(fsnotify.Create | fsnotify.Remove | fsnotify.Rename):
		return false // a write to a file of another name
	}
	switch fi, err := os.Lstat(ev.Name); {
	case err == nil && fi.Mode().IsRegular():
		return false // a file of another name
	case err == nil:
		d.walk = true // a folder, or what may be one
	default:
		d.gone[rel] = true
	}
	return true
}

// hidden reports whether a slash-separated path has a hidden part.
func hidden(rel string) bool {
	for _, part := range strings.Split(rel, "/") {
		if strings.HasPrefix(part, ".") {
			return true
		}
	}
	return false
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
		adding(p)
		if err := w.Add(p); err != nil {
			return fmt.Errorf("watch %s: %w", p, err)
		}
		return nil
	})
}
