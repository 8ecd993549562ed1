package secret

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// LoadMasterKey returns the master key: from envValue if non-empty (standard
// base64 or hex, which must decode to 32 bytes; otherwise it returns an error
// that does not echo the value), else from keyFile, creating it with 32
// random bytes and mode 0600 (and its directory with mode 0700) if it does
// not exist. It returns an error for an existing key file whose mode grants
// any group or other permission (not checked on Windows), that is not a
// regular file, or that does not hold exactly 32 bytes.
func LoadMasterKey(envValue string, keyFile string) ([]byte, error) {
	if envValue != "" {
		return decodeKey(envValue)
	}
	if keyFile == "" {
		return nil, errors.New("secret: no master key: both the environment value and the key file path are empty")
	}
	key, err := readKeyFile(keyFile)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if err := createKeyFile(keyFile); err != nil {
		return nil, err
	}
	return readKeyFile(keyFile)
}

// decodeKey decodes a 32-byte key written as standard base64 (44 characters)
// or hex (64 characters), ignoring surrounding whitespace.
func decodeKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if k, err := base64.StdEncoding.DecodeString(s); err == nil && len(k) == KeySize {
		return k, nil
	}
	if k, err := hex.DecodeString(s); err == nil && len(k) == KeySize {
		return k, nil
	}
	return nil, fmt.Errorf("secret: master key from the environment must be %d bytes written as standard base64 (44 characters) or hex (64 characters); got %d characters", KeySize, len(s))
}

// readKeyFile reads and checks an existing key file. Its error wraps
// fs.ErrNotExist when the file does not exist.
func readKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("secret: opening master key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("secret: checking master key file %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("secret: master key file %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("secret: master key file %s has mode %04o; it must not grant group or other permissions (chmod 600)", path, perm)
	}
	key, err := io.ReadAll(io.LimitReader(f, KeySize+1))
	if err != nil {
		return nil, fmt.Errorf("secret: reading master key file %s: %w", path, err)
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("secret: master key file %s must hold exactly %d bytes", path, KeySize)
	}
	return key, nil
}

// createKeyFile writes 32 random bytes to path with mode 0600. The key is
// written to a temporary file first and hard-linked into place, so readers
// never see a partial key and a concurrent creator's key is never replaced;
// losing that race is not an error.
func createKeyFile(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("secret: creating master key directory: %w", err)
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("secret: generating master key: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".masterkey-*") // mode 0600
	if err != nil {
		return fmt.Errorf("secret: creating master key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(key)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("secret: writing master key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("secret: installing master key file: %w", err)
	}
	return nil
}
