package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/probity-dev/probity"
)

// Blobs is a content-addressed store of evidence files: each is named by the SHA-256 of
// its bytes (lowercase hex), written whole or not at all.
type Blobs interface {
	// Put stores the bytes r yields and returns their digest and size. Storing bytes
	// that are there already changes nothing.
	Put(ctx context.Context, r io.Reader) (digest string, size int64, err error)
	// Open returns the bytes of the blob, or an ENOTFOUND error.
	Open(ctx context.Context, digest string) (io.ReadCloser, error)
}

// Dir is a Blobs in a local directory: DIR/ab/abcdef... for digest abcdef...
type Dir string

var _ Blobs = Dir("")

func (d Dir) path(digest string) string { return filepath.Join(string(d), digest[:2], digest) }

// Put implements Blobs: the bytes go to a temporary file in the directory, which is
// synced and renamed into place, so a blob is never seen partly written.
func (d Dir) Put(ctx context.Context, r io.Reader) (string, int64, error) {
	if err := os.MkdirAll(string(d), 0o700); err != nil {
		return "", 0, fmt.Errorf("blob store: %w", err)
	}
	tmp, err := os.CreateTemp(string(d), ".put-*")
	if err != nil {
		return "", 0, fmt.Errorf("blob store: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, nothing is left to remove
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), r)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, fmt.Errorf("blob store: %w", err)
	}
	digest := hex.EncodeToString(h.Sum(nil))
	if err := os.MkdirAll(filepath.Dir(d.path(digest)), 0o700); err != nil {
		return "", 0, fmt.Errorf("blob store: %w", err)
	}
	if err := os.Rename(tmp.Name(), d.path(digest)); err != nil {
		return "", 0, fmt.Errorf("blob store: %w", err)
	}
	return digest, n, nil
}

// Open implements Blobs.
func (d Dir) Open(ctx context.Context, digest string) (io.ReadCloser, error) {
	if !probity.IsSHA256Hex(digest) {
		return nil, probity.NotFound("blob", digest)
	}
	f, err := os.Open(d.path(digest))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, probity.NotFound("blob", digest)
	}
	return f, err
}

// checkBlob reads the blob and reports what is wrong with it: "" when its bytes hash to
// its name, else "missing" or "altered". It returns an error when the store cannot answer.
func checkBlob(ctx context.Context, b Blobs, digest string) (string, error) {
	r, err := b.Open(ctx, digest)
	if probity.ErrorCode(err) == probity.ENOTFOUND {
		return "missing", nil
	}
	if err != nil {
		return "", err
	}
	defer r.Close()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", fmt.Errorf("read blob %s: %w", digest, err)
	}
	if hex.EncodeToString(h.Sum(nil)) != digest {
		return "altered", nil
	}
	return "", nil
}
