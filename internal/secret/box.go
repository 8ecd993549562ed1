// Package secret seals small stored secrets (such as secret access keys)
// under a master key, and loads that master key.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

const (
	// KeySize is the master key length in bytes (AES-256).
	KeySize = 32
	// version1 prefixes every sealed value: version1 || nonce || ciphertext+tag.
	version1 byte = 1
)

// Box seals and opens small secrets (access key secrets) with AES-256-GCM
// under a master key. A Box is safe for concurrent use.
type Box struct {
	aead cipher.AEAD
	// derive is the root of Derive's keys: an HMAC of the master key, never the key.
	derive []byte
}

// NewBox returns a Box for a 32-byte key; it returns an error for any other
// length.
func NewBox(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secret: master key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secret: creating cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret: creating GCM: %w", err)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("probity-derived-keys/1"))
	return &Box{aead: aead, derive: m.Sum(nil)}, nil
}

// Seal encrypts plaintext and authenticates it together with additionalData
// (e.g. the access key id it belongs to, so that sealed values cannot be
// swapped between rows). It returns version byte || random 12-byte nonce ||
// ciphertext and tag; the version byte is authenticated too. It returns an
// error only if the Box is unusable or the random source fails.
func (b *Box) Seal(plaintext, additionalData []byte) ([]byte, error) {
	if b == nil || b.aead == nil {
		return nil, errors.New("secret: seal with an uninitialised Box")
	}
	ns := b.aead.NonceSize()
	out := make([]byte, 1+ns, 1+ns+len(plaintext)+b.aead.Overhead())
	out[0] = version1
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("secret: generating nonce: %w", err)
	}
	return b.aead.Seal(out, out[1:], plaintext, associated(out[0], additionalData)), nil
}

// Open decrypts a value produced by Seal with the same additionalData. It
// returns an error, and no plaintext, if the value is truncated, has an
// unknown version, was sealed under another key or with other
// additionalData, or was modified in any way.
func (b *Box) Open(sealed, additionalData []byte) ([]byte, error) {
	if b == nil || b.aead == nil {
		return nil, errors.New("secret: open with an uninitialised Box")
	}
	ns := b.aead.NonceSize()
	if len(sealed) < 1+ns+b.aead.Overhead() {
		return nil, errors.New("secret: sealed value is truncated")
	}
	if sealed[0] != version1 {
		return nil, fmt.Errorf("secret: unknown sealed value version %d", sealed[0])
	}
	pt, err := b.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], associated(sealed[0], additionalData))
	if err != nil {
		return nil, fmt.Errorf("secret: opening sealed value: %w", err)
	}
	return pt, nil
}

// associated returns the GCM additional data: the version byte followed by
// the caller's additional data.
func associated(version byte, additionalData []byte) []byte {
	ad := make([]byte, 0, 1+len(additionalData))
	return append(append(ad, version), additionalData...)
}

// Derive returns a 32-byte key for the purpose (such as "upload-urls"), the same for every
// Box of the same master key and different for every purpose; it reveals nothing of the
// master key. It returns nil for an uninitialised Box.
func (b *Box) Derive(purpose string) []byte {
	if b == nil || b.derive == nil {
		return nil
	}
	m := hmac.New(sha256.New, b.derive)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}
