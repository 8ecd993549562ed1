package secret

import (
	"bytes"
	"strings"
	"testing"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func TestNewBoxKeyLength(t *testing.T) {
	tests := []struct {
		n       int
		wantErr bool
	}{{0, true}, {16, true}, {24, true}, {31, true}, {32, false}, {33, true}, {64, true}}
	for _, tt := range tests {
		_, err := NewBox(make([]byte, tt.n))
		if got := err != nil; got != tt.wantErr {
			t.Errorf("NewBox(%d bytes) error = %v, want error %t", tt.n, err, tt.wantErr)
		}
	}
}

func TestBoxRoundTrip(t *testing.T) {
	b, err := NewBox(testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		plaintext []byte
		ad        []byte
	}{
		{"secret with ad", []byte("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), []byte("AKIDEXAMPLE")},
		{"no ad", []byte("s"), nil},
		{"empty plaintext", []byte{}, []byte("x")},
		{"binary", []byte{0, 1, 2, 255}, []byte{0}},
		{"large", bytes.Repeat([]byte("k"), 64<<10), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed, err := b.Seal(tt.plaintext, tt.ad)
			if err != nil {
				t.Fatal(err)
			}
			if sealed[0] != version1 {
				t.Errorf("version byte = %d, want %d", sealed[0], version1)
			}
			if len(tt.plaintext) > 4 && bytes.Contains(sealed, tt.plaintext) {
				t.Errorf("sealed value contains the plaintext")
			}
			got, err := b.Open(sealed, tt.ad)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, tt.plaintext) {
				t.Errorf("Open = %q, want %q", got, tt.plaintext)
			}
		})
	}
}

func TestBoxSealUsesFreshNonces(t *testing.T) {
	b, _ := NewBox(testKey(1))
	x, _ := b.Seal([]byte("same"), nil)
	y, _ := b.Seal([]byte("same"), nil)
	if bytes.Equal(x, y) || bytes.Equal(x[1:13], y[1:13]) {
		t.Errorf("two seals of the same plaintext share a nonce or ciphertext")
	}
}

func TestBoxOpenRejects(t *testing.T) {
	b, _ := NewBox(testKey(1))
	other, _ := NewBox(testKey(2))
	ad := []byte("AKIDEXAMPLE")
	sealed, err := b.Seal([]byte("top secret value"), ad)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		c := bytes.Clone(sealed)
		c[i] ^= 0x01
		return c
	}
	tests := []struct {
		name   string
		box    *Box
		sealed []byte
		ad     []byte
	}{
		{"tampered version", b, flip(0), ad},
		{"tampered nonce", b, flip(1), ad},
		{"tampered nonce end", b, flip(12), ad},
		{"tampered ciphertext", b, flip(13), ad},
		{"tampered tag", b, flip(len(sealed) - 1), ad},
		{"other additional data", b, sealed, []byte("AKIDOTHER")},
		{"missing additional data", b, sealed, nil},
		{"wrong key", other, sealed, ad},
		{"truncated", b, sealed[:len(sealed)-1], ad},
		{"too short", b, sealed[:20], ad},
		{"empty", b, nil, ad},
		{"appended byte", b, append(bytes.Clone(sealed), 0), ad},
		{"nil box", nil, sealed, ad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.box.Open(tt.sealed, tt.ad)
			if err == nil || got != nil {
				t.Fatalf("Open = %q, %v; want nil and an error", got, err)
			}
			if !strings.HasPrefix(err.Error(), "secret: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
	if _, err := (*Box)(nil).Seal([]byte("x"), nil); err == nil {
		t.Errorf("Seal on a nil Box succeeded")
	}
}

func TestDerive(t *testing.T) {
	k1, k2 := bytes.Repeat([]byte{1}, KeySize), bytes.Repeat([]byte{2}, KeySize)
	a, _ := NewBox(k1)
	again, _ := NewBox(k1)
	other, _ := NewBox(k2)
	tests := []struct {
		name string
		x, y []byte
		same bool
	}{
		{"same key and purpose", a.Derive("upload-urls"), again.Derive("upload-urls"), true},
		{"another purpose", a.Derive("upload-urls"), a.Derive("other"), false},
		{"another master key", a.Derive("upload-urls"), other.Derive("upload-urls"), false},
		{"not the master key", a.Derive("upload-urls"), k1, false},
	}
	for _, tt := range tests {
		if got := bytes.Equal(tt.x, tt.y); got != tt.same || len(tt.x) != 32 {
			t.Errorf("%s: equal = %v, want %v (len %d)", tt.name, got, tt.same, len(tt.x))
		}
	}
	if (*Box)(nil).Derive("x") != nil {
		t.Error("a nil Box derived a key")
	}
}
