package report

import (
	"bufio"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"time"
	"unicode/utf8"
)

// zipWriter writes a zip archive as a stream, as archive/zip does, but keeps its central
// directory in a temporary file instead of memory: archive/zip holds a header per file
// until Close, some 300 bytes each, which a million evidence files would not fit in a flat
// memory budget. Entries are deflated (or stored) with a data descriptor; each entry must
// be under 4 GiB; offsets and the entry count use zip64 records when they need to. The
// output reads with archive/zip, unzip and Python's zipfile.
type zipWriter struct {
	w       *countWriter
	cd      *bufio.Writer
	cdFile  *os.File
	entries int64
	dosTime uint16
	dosDate uint16
	fw      *flate.Writer

	cur *zipEntry
}

type zipEntry struct {
	z      *zipWriter
	name   string
	method uint16
	offset int64
	start  int64 // where the data begins
	crc    hash.Hash32
	sha    hash.Hash
	size   int64
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// newZipWriter returns a writer onto w whose files have the modification time at; the
// central directory goes to a temporary file in tempDir, removed by close.
func newZipWriter(w io.Writer, tempDir string, at time.Time) (*zipWriter, error) {
	f, err := os.CreateTemp(tempDir, "probity-zipdir-*")
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	os.Remove(f.Name()) // kept open; nothing to clean up after a crash
	fw, _ := flate.NewWriter(io.Discard, flate.BestSpeed)
	at = at.UTC()
	return &zipWriter{w: &countWriter{w: w}, cd: bufio.NewWriterSize(f, 64<<10), cdFile: f, fw: fw,
		dosDate: uint16(at.Day() + int(at.Month())<<5 + (at.Year()-1980)<<9),
		dosTime: uint16(at.Second()/2 + at.Minute()<<5 + at.Hour()<<11)}, nil
}

const (
	flagDataDescriptor = 0x8
	flagUTF8           = 0x800
	methodStore        = 0
	methodDeflate      = 8
)

func (z *zipWriter) flags(name string) uint16 {
	f := uint16(flagDataDescriptor)
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			return f | flagUTF8
		}
	}
	return f
}

// create starts a file, ending the one before; deflate compresses it.
func (z *zipWriter) create(name string, deflate bool) (*zipEntry, error) {
	if z.cur != nil {
		return nil, errors.New("report: zip entry still open")
	}
	if len(name) > 0xffff {
		return nil, fmt.Errorf("report: zip path too long: %.80s...", name)
	}
	e := &zipEntry{z: z, name: name, method: methodStore, offset: z.w.n, crc: crc32.NewIEEE(), sha: sha256.New()}
	if deflate {
		e.method = methodDeflate
	}
	var h [30]byte
	b := h[:]
	le := binary.LittleEndian
	le.PutUint32(b[0:], 0x04034b50)
	le.PutUint16(b[4:], 20)
	le.PutUint16(b[6:], z.flags(name))
	le.PutUint16(b[8:], e.method)
	le.PutUint16(b[10:], z.dosTime)
	le.PutUint16(b[12:], z.dosDate)
	le.PutUint16(b[26:], uint16(len(name)))
	if _, err := z.w.Write(b); err != nil {
		return nil, err
	}
	if _, err := io.WriteString(z.w, name); err != nil {
		return nil, err
	}
	e.start = z.w.n
	if deflate {
		z.fw.Reset(z.w)
	}
	z.cur = e
	return e, nil
}

// Write adds bytes to the entry.
func (e *zipEntry) Write(p []byte) (int, error) {
	e.crc.Write(p)
	e.sha.Write(p)
	e.size += int64(len(p))
	if e.method == methodDeflate {
		return e.z.fw.Write(p)
	}
	return e.z.w.Write(p)
}

// close ends the entry and returns the SHA-256 of its bytes, lowercase hex.
func (e *zipEntry) close() (string, error) {
	z := e.z
	if e.method == methodDeflate {
		if err := z.fw.Close(); err != nil {
			return "", err
		}
	}
	z.cur = nil
	csize := z.w.n - e.start
	if e.size >= 0xffffffff || csize >= 0xffffffff {
		return "", fmt.Errorf("report: %s is larger than 4 GiB", e.name)
	}
	le := binary.LittleEndian
	var dd [16]byte
	le.PutUint32(dd[0:], 0x08074b50)
	le.PutUint32(dd[4:], e.crc.Sum32())
	le.PutUint32(dd[8:], uint32(csize))
	le.PutUint32(dd[12:], uint32(e.size))
	if _, err := z.w.Write(dd[:]); err != nil {
		return "", err
	}
	var c [46]byte
	zip64 := e.offset >= 0xffffffff
	le.PutUint32(c[0:], 0x02014b50)
	le.PutUint16(c[4:], 3<<8|45) // made on Unix, zip 4.5
	need := uint16(20)
	if zip64 {
		need = 45
	}
	le.PutUint16(c[6:], need)
	le.PutUint16(c[8:], z.flags(e.name))
	le.PutUint16(c[10:], e.method)
	le.PutUint16(c[12:], z.dosTime)
	le.PutUint16(c[14:], z.dosDate)
	le.PutUint32(c[16:], e.crc.Sum32())
	le.PutUint32(c[20:], uint32(csize))
	le.PutUint32(c[24:], uint32(e.size))
	le.PutUint16(c[28:], uint16(len(e.name)))
	if zip64 {
		le.PutUint16(c[30:], 12)
	}
	le.PutUint32(c[38:], 0o100644<<16)
	if zip64 {
		le.PutUint32(c[42:], 0xffffffff)
	} else {
		le.PutUint32(c[42:], uint32(e.offset))
	}
	z.cd.Write(c[:])
	z.cd.WriteString(e.name)
	if zip64 {
		var x [12]byte
		le.PutUint16(x[0:], 0x0001)
		le.PutUint16(x[2:], 8)
		le.PutUint64(x[4:], uint64(e.offset))
		z.cd.Write(x[:])
	}
	z.entries++
	return hex.EncodeToString(e.sha.Sum(nil)), nil
}

// close writes the central directory and the end records, and removes the temporary file.
// It does not close the underlying writer.
func (z *zipWriter) close() error {
	defer z.cdFile.Close()
	if z.cur != nil {
		return errors.New("report: zip entry still open")
	}
	if err := z.cd.Flush(); err != nil {
		return fmt.Errorf("report: zip directory: %w", err)
	}
	if _, err := z.cdFile.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("report: zip directory: %w", err)
	}
	cdOffset := z.w.n
	if _, err := io.Copy(z.w, z.cdFile); err != nil {
		return err
	}
	cdSize := z.w.n - cdOffset
	le := binary.LittleEndian
	if z.entries >= 0xffff || cdOffset >= 0xffffffff || cdSize >= 0xffffffff {
		var r [56 + 20]byte
		eocd64 := z.w.n
		le.PutUint32(r[0:], 0x06064b50)
		le.PutUint64(r[4:], 44)
		le.PutUint16(r[12:], 3<<8|45)
		le.PutUint16(r[14:], 45)
		le.PutUint64(r[24:], uint64(z.entries))
		le.PutUint64(r[32:], uint64(z.entries))
		le.PutUint64(r[40:], uint64(cdSize))
		le.PutUint64(r[48:], uint64(cdOffset))
		le.PutUint32(r[56:], 0x07064b50)
		le.PutUint64(r[64:], uint64(eocd64))
		le.PutUint32(r[72:], 1)
		if _, err := z.w.Write(r[:]); err != nil {
			return err
		}
	}
	var r [22]byte
	le.PutUint32(r[0:], 0x06054b50)
	le.PutUint16(r[8:], uint16(min(z.entries, 0xffff)))
	le.PutUint16(r[10:], uint16(min(z.entries, 0xffff)))
	le.PutUint32(r[12:], uint32(min(cdSize, 0xffffffff)))
	le.PutUint32(r[16:], uint32(min(cdOffset, 0xffffffff)))
	_, err := z.w.Write(r[:])
	return err
}
