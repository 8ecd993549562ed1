package probity

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
)

// NewID returns a random (version 4) UUID.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}

// DerivedID returns a name-based (version 5 style) UUID of the parts, so the same inputs
// always give the same id. Parts are separated so that ("ab","c") and ("a","bc") differ.
func DerivedID(parts ...string) string {
	h := sha1.New()
	h.Write([]byte("probity"))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	var b [16]byte
	copy(b[:], h.Sum(nil))
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}

// MappingSourceID returns the id of a control's data source: derived from the control
// and the source name, so re-applying a file never changes it.
func MappingSourceID(controlID, sourceName string) string {
	return DerivedID("source", controlID, sourceName)
}

// ControlSetID returns the id of a framework's control set, derived like MappingSourceID.
func ControlSetID(frameworkID, setName string) string {
	return DerivedID("controlset", frameworkID, setName)
}

func formatUUID(b [16]byte) string {
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}
