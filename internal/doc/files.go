package doc

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
)

// File is one input file: its path as the user knows it (relative to what they named,
// or an object key) and its bytes.
type File struct {
	Path string
	Data []byte
	// Problem, when set, says why the file was not read (it is a link or a named pipe,
	// say); Data is then empty, and the file's reader reports the problem at Path.
	Problem string
}

// IsDocumentName reports whether a file name has an extension of the documents doc
// reads: .yaml, .yml or .json, in any case.
func IsDocumentName(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// ReadOptions says how ReadPaths and ReadFile treat symbolic links.
type ReadOptions struct {
	// FollowSymlinks reads a link that resolves, through any number of links, to a
	// regular file inside the folder being read. Without it a link is never followed.
	// Links that lead out of that folder, and links to folders, are refused either way.
	FollowSymlinks bool
}

// ReadPaths reads the documents named by paths: files as given, folders walked at
// any depth for the entries WalkFiles finds. Each file's Path is as the user would write
// it. Only regular files are read: an entry of another type (a link, a named pipe) is
// returned with its Problem set, for the caller to report, as ReadFile describes. A file named
// in paths is read through links in its name (the user chose it) but must be a regular
// file too. ReadPaths returns an error when a path does not exist or a file cannot be
// read; a file over MaxFileSize is read only that far, and Parse reports it.
func ReadPaths(paths []string, opt ReadOptions) ([]File, error) {
	l, err := ListPaths(paths, opt)
	if err != nil {
		return nil, err
	}
	// Opening a file costs far more than reading one of this size: overlap the waits.
	files := make([]File, l.Len())
	errs := make([]error, l.Len())
	parallel(l.Len(), 8, func(i int) {
		files[i], errs[i] = l.Read(i)
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return files, nil
}

// Listing is the documents ReadPaths would read, found but not yet read, so that a
// reader can read, use and drop each file in turn instead of holding them all.
type Listing struct {
	jobs []listed
	opt  ReadOptions
}

type listed struct {
	root, rel string // rel is empty for a file named in paths
	problem   string // a named file's, found before opening it
}

// ListPaths finds the documents ReadPaths reads, in the same order, without reading
// them; Listing.Read reads each. It returns an error when a path does not exist or a
// folder cannot be walked.
func ListPaths(paths []string, opt ReadOptions) (*Listing, error) {
	l := &Listing{opt: opt}
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			j := listed{root: root}
			if !info.Mode().IsRegular() {
				j.problem = notRegular(info.Mode(), "")
			}
			l.jobs = append(l.jobs, j)
			continue
		}
		err = WalkFiles(root, func(rel string, _ fs.DirEntry) error {
			l.jobs = append(l.jobs, listed{root: root, rel: rel})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return l, nil
}

// Len returns how many files the listing holds.
func (l *Listing) Len() int { return len(l.jobs) }

// Read reads the i-th file of the listing as ReadPaths does, with the same Path,
// Problem and errors. It is safe for concurrent use.
func (l *Listing) Read(i int) (File, error) {
	j := l.jobs[i]
	if j.rel == "" {
		f := File{Path: filepath.ToSlash(j.root), Problem: j.problem}
		var err error
		if j.problem == "" {
			f.Data, f.Problem, err = readRegular(j.root, false)
		}
		return f, err
	}
	f, err := ReadFile(j.root, j.rel, l.opt)
	f.Path = filepath.ToSlash(filepath.Join(j.root, filepath.FromSlash(j.rel)))
	return f, err
}

// WalkFiles walks the folder root at any depth and calls fn, in lexical order, with the
// slash-separated path below root of each entry ReadPaths reads: every entry with a
// .yaml, .yml or .json name that is not a folder (whatever its type: ReadFile decides
// what to make of it), and every link to a folder that holds such files (ReadFile
// reports it, as folders behind links are not read). Hidden entries (.git and the like)
// and what is below them are skipped, as are entries that vanish during the walk. It
// returns the first error of the walk or of fn.
func WalkFiles(root string, fn func(rel string, e fs.DirEntry) error) error {
	return filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p != root {
				return nil
			}
			return err
		}
		if p == root {
			return nil
		}
		if strings.HasPrefix(e.Name(), ".") {
			if e.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case e.IsDir():
			return nil
		case e.Type()&fs.ModeSymlink != 0 && !IsDocumentName(e.Name()):
			if info, err := os.Stat(p); err != nil || !info.IsDir() || !holdsDocuments(p) {
				return nil
			}
		case !IsDocumentName(e.Name()):
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		return fn(filepath.ToSlash(rel), e)
	})
}

// holdsDocuments reports whether the folder a link at p leads to holds a document file
// at any depth, not counting hidden ones. It looks at names only, and at no more than a
// few thousand of them: a folder larger than that is taken to hold one.
func holdsDocuments(p string) bool {
	budget := 5000
	found := false
	// The separator makes the walk start at the folder the link leads to; links below it
	// are not followed.
	_ = filepath.WalkDir(p+string(filepath.Separator), func(q string, e fs.DirEntry, err error) error {
		if err != nil || e == nil {
			return nil
		}
		if budget--; budget < 0 || (!e.IsDir() && IsDocumentName(e.Name()) && !strings.HasPrefix(e.Name(), ".")) {
			found = true
			return filepath.SkipAll
		}
		if e.IsDir() && strings.HasPrefix(e.Name(), ".") && q != p+string(filepath.Separator) {
			return filepath.SkipDir
		}
		return nil
	})
	return found
}

// ReadFile reads the document file at rel, a slash-separated path below the folder root.
// It reads only regular files, at most MaxFileSize+1 bytes of them (Parse reports a
// longer file), and it cannot block: anything else, a symbolic link (unless
// opt.FollowSymlinks, and then only to a regular file whose real path is inside root), a named pipe, a
// socket or a device, is never read, and the File returned carries the reason in
// Problem instead of data. The type is checked on the opened descriptor, so a file
// swapped for another kind after the walk is refused as well. The File's Path is rel.
// ReadFile returns an error when the file cannot be read: it is gone (fs.ErrNotExist)
// or permission is denied.
func ReadFile(root, rel string, opt ReadOptions) (File, error) {
	f := File{Path: rel}
	name := filepath.Join(root, filepath.FromSlash(rel))
	info, err := os.Lstat(name)
	if err != nil {
		return f, err
	}
	if info.Mode()&fs.ModeSymlink == 0 {
		if !info.Mode().IsRegular() {
			f.Problem = notRegular(info.Mode(), "")
			return f, nil
		}
		f.Data, f.Problem, err = readRegular(name, true)
		return f, err
	}
	// A link: where does it lead? Looking does not open anything.
	real, err := filepath.EvalSymlinks(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		f.Problem = "not a regular file (symbolic link to nothing); only regular files are read"
		return f, nil
	case errors.Is(err, fs.ErrPermission):
		return f, err
	case err != nil:
		f.Problem = "not a regular file (symbolic link that does not resolve); only regular files are read"
		return f, nil
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return f, err
	}
	if within, err := filepath.Rel(realRoot, real); err != nil || !filepath.IsLocal(within) {
		f.Problem = "not a regular file (symbolic link out of the catalog folder); links are never followed out of it"
		return f, nil
	}
	target, err := os.Lstat(real)
	switch {
	case err != nil:
		return f, err
	case target.IsDir():
		f.Problem = "not a regular file (symbolic link to a folder); folders behind links are not read"
	case !opt.FollowSymlinks:
		f.Problem = "not a regular file (symbolic link); only regular files are read, and links only with --follow-symlinks"
	case !target.Mode().IsRegular():
		f.Problem = notRegular(target.Mode(), "symbolic link to ")
	default:
		// real holds no links, unless one was made since: O_NOFOLLOW refuses that.
		f.Data, f.Problem, err = readRegular(real, true)
	}
	return f, err
}

// readRegular reads the file at name when it is a regular file, without blocking and,
// with nofollow, without following a link in its last element. It returns the reason
// when the file is of another type.
func readRegular(name string, nofollow bool) ([]byte, string, error) {
	flag := os.O_RDONLY | openNonblock
	if nofollow {
		flag |= openNofollow
	}
	fh, err := os.OpenFile(name, flag, 0)
	if err != nil {
		if nofollow && isNofollowError(err) {
			return nil, notRegular(fs.ModeSymlink, ""), nil
		}
		return nil, "", err
	}
	return readOpened(fh)
}

// readOpened reads and closes fh when it is a regular file, at most MaxFileSize+1 bytes.
func readOpened(fh *os.File) ([]byte, string, error) {
	defer fh.Close()
	info, err := fh.Stat()
	if err != nil {
		return nil, "", err
	}
	if !info.Mode().IsRegular() {
		return nil, notRegular(info.Mode(), ""), nil
	}
	// One allocation of the right size (bounded by the limit) instead of ReadAll's
	// doubling.
	data := make([]byte, 0, min(info.Size(), MaxFileSize+1)+1)
	data, err = readUpTo(fh, data, MaxFileSize+1)
	if err != nil {
		return nil, "", fmt.Errorf("read %s: %w", fh.Name(), err)
	}
	return data, "", nil
}

// notRegular is the problem of a file of the type in mode.
func notRegular(mode fs.FileMode, prefix string) string {
	what := "special file"
	switch {
	case mode&fs.ModeSymlink != 0:
		what = "symbolic link"
	case mode&fs.ModeNamedPipe != 0:
		what = "named pipe"
	case mode&fs.ModeSocket != 0:
		what = "socket"
	case mode&fs.ModeDevice != 0:
		what = "device"
	case mode.IsDir():
		what = "folder"
	}
	return "not a regular file (" + prefix + what + "); only regular files are read"
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
