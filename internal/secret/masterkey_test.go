package secret

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestLoadMasterKeyFromEnv(t *testing.T) {
	key := make([]byte, KeySize)
	for i := range key {
		key[i] = byte(i * 7)
	}
	missing := filepath.Join(t.TempDir(), "never-created")
	tests := []struct {
		name    string
		env     string
		want    []byte
		wantErr bool
	}{
		{name: "base64", env: base64.StdEncoding.EncodeToString(key), want: key},
		{name: "hex lower", env: hex.EncodeToString(key), want: key},
		{name: "hex upper", env: strings.ToUpper(hex.EncodeToString(key)), want: key},
		{name: "surrounding whitespace", env: " " + hex.EncodeToString(key) + "\n", want: key},
		{name: "base64 too short", env: base64.StdEncoding.EncodeToString(key[:16]), wantErr: true},
		{name: "base64 too long", env: base64.StdEncoding.EncodeToString(append(key, 1)), wantErr: true},
		{name: "hex too short", env: hex.EncodeToString(key[:31]), wantErr: true},
		{name: "raw base64 without padding", env: base64.RawStdEncoding.EncodeToString(key), wantErr: true},
		{name: "url base64", env: base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, KeySize)), wantErr: true},
		{name: "garbage", env: "correct horse battery staple", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadMasterKey(tt.env, missing)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("LoadMasterKey = %x, want an error", got)
				}
				if strings.Contains(err.Error(), strings.TrimSpace(tt.env)) {
					t.Errorf("error %q echoes the key material", err)
				}
			} else if err != nil || !bytes.Equal(got, tt.want) {
				t.Fatalf("LoadMasterKey = %x, %v; want %x", got, err, tt.want)
			}
			if _, err := os.Stat(missing); !os.IsNotExist(err) {
				t.Errorf("key file was touched although the environment value was set")
			}
		})
	}
}

func TestLoadMasterKeyCreatesAndReusesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "master.key")
	first, err := LoadMasterKey("", path)
	if err != nil {
		t.Fatalf("first LoadMasterKey: %v", err)
	}
	if len(first) != KeySize || bytes.Equal(first, make([]byte, KeySize)) {
		t.Fatalf("created key = %x, want 32 random bytes", first)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %04o, want 0600", fi.Mode().Perm())
	}
	onDisk, _ := os.ReadFile(path)
	if !bytes.Equal(onDisk, first) {
		t.Errorf("file holds %x, LoadMasterKey returned %x", onDisk, first)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the key file (temporary file left behind?)", len(entries))
	}
	second, err := LoadMasterKey("", path)
	if err != nil || !bytes.Equal(second, first) {
		t.Fatalf("second LoadMasterKey = %x, %v; want the same key %x", second, err, first)
	}
}

func TestLoadMasterKeyRefusesBadFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes are not meaningful on Windows")
	}
	tests := []struct {
		name    string
		content []byte
		mode    os.FileMode
		dir     bool
	}{
		{name: "mode 0644", content: testKey(3), mode: 0o644},
		{name: "mode 0640", content: testKey(3), mode: 0o640},
		{name: "mode 0604", content: testKey(3), mode: 0o604},
		{name: "mode 0610", content: testKey(3), mode: 0o610},
		{name: "too short", content: testKey(3)[:31], mode: 0o600},
		{name: "too long", content: append(testKey(3), '\n'), mode: 0o600},
		{name: "empty", content: nil, mode: 0o600},
		{name: "directory", dir: true, mode: 0o700},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "master.key")
			if tt.dir {
				if err := os.Mkdir(path, tt.mode); err != nil {
					t.Fatal(err)
				}
			} else {
				if err := os.WriteFile(path, tt.content, 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, tt.mode); err != nil {
					t.Fatal(err)
				}
			}
			got, err := LoadMasterKey("", path)
			if err == nil {
				t.Fatalf("LoadMasterKey = %x, want an error", got)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestLoadMasterKeyNeedsASource(t *testing.T) {
	if _, err := LoadMasterKey("", ""); err == nil {
		t.Fatal("LoadMasterKey with no env value and no file succeeded")
	}
}

func TestLoadMasterKeyThenBox(t *testing.T) {
	key, err := LoadMasterKey("", filepath.Join(t.TempDir(), "k"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := b.Seal([]byte("s"), nil)
	if got, err := b.Open(sealed, nil); err != nil || string(got) != "s" {
		t.Fatalf("round trip = %q, %v", got, err)
	}
}

func TestLoadMasterKeyUsesExistingFile(t *testing.T) {
	for _, mode := range []os.FileMode{0o600, 0o400} {
		path := filepath.Join(t.TempDir(), "master.key")
		if err := os.WriteFile(path, testKey(4), mode); err != nil {
			t.Fatal(err)
		}
		got, err := LoadMasterKey("", path)
		if err != nil || !bytes.Equal(got, testKey(4)) {
			t.Fatalf("mode %04o: LoadMasterKey = %x, %v; want %x", mode, got, err, testKey(4))
		}
	}
}

func TestLoadMasterKeyConcurrentCreation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	const n = 8
	keys := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { keys[i], errs[i] = LoadMasterKey("", path) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || !bytes.Equal(keys[i], keys[0]) {
			t.Fatalf("caller %d got %x, %v; caller 0 got %x", i, keys[i], errs[i], keys[0])
		}
	}
}
