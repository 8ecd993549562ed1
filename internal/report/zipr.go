package report

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"encoding/binary"
	"errors"
	"hash"
	"hash/crc32"
	"io"
)

// zipReader reads a zip archive without holding its central directory: walk streams the
// directory's headers one at a time, and open reads an entry through a window that serves
// the usual layout (entries stored in directory order) with large sequential reads.
// archive/zip's Reader keeps a header per file, some 300 bytes each, which a million
// evidence files would not fit in a flat memory budget.
//
// It accepts what archive/zip's Reader accepts and fails where it fails, with its errors
// (zip.ErrFormat, zip.ErrChecksum, zip.ErrAlgorithm): the end records (zip64 included) and
// a prefix before the archive are found the same way, the directory is read until a header
// is bad and its count checked modulo 65,536, and an entry's reader checks the size,
// the CRC-32 and the data descriptor. Only stored and deflated entries are read.
type zipReader struct {
	r        io.ReaderAt
	size     int64
	base     int64 // where the archive proper starts (data before it: a prefix)
	dirStart int64 // the central directory's offset in r
	records  uint64
	data     window

	flate io.ReadCloser // reused for every deflated entry
	crc   hash.Hash32
}

// zipFile is one central directory header. walk reuses it: copy what must be kept.
type zipFile struct {
	index  int // the header's place in the directory, from 0
	name   string
	flags  uint16
	method uint16
	crc32  uint32
	csize  uint64
	usize  uint64
	offset int64 // the local header's offset in r
}

// clone returns a copy of f that walk does not reuse.
func (f *zipFile) clone() *zipFile { c := *f; return &c }

const (
	zipDirHeaderLen = 46
	zipLocalLen     = 30
	zipEndLen       = 22
	zip64LocLen     = 20
	zip64EndLen     = 56
)

// newZipReader reads the end records of the archive of size bytes in r. It returns
// zip.ErrFormat, or the error of r, when they are not there or not consistent.
func newZipReader(r io.ReaderAt, size int64) (*zipReader, error) {
	if size < 0 {
		return nil, errors.New("zip: size cannot be negative")
	}
	z := &zipReader{r: r, size: size, crc: crc32.NewIEEE()}
	z.data = window{r: r, buf: make([]byte, 0, 1<<20)}
	var buf []byte
	var endOffset int64
	for i, n := range []int64{1024, 65 * 1024} {
		n = min(n, size)
		buf = make([]byte, n)
		if _, err := r.ReadAt(buf, size-n); err != nil && err != io.EOF {
			return nil, err
		}
		if p := findEnd(buf); p >= 0 {
			buf, endOffset = buf[p:], size-n+int64(p)
			break
		}
		if i == 1 || n == size {
			return nil, zip.ErrFormat
		}
	}
	le := binary.LittleEndian
	z.records = uint64(le.Uint16(buf[10:]))
	dirSize, dirOffset := uint64(le.Uint32(buf[12:])), uint64(le.Uint32(buf[16:]))
	if int(le.Uint16(buf[20:])) > len(buf)-zipEndLen {
		return nil, errors.New("zip: invalid comment length")
	}
	if z.records == 0xffff || dirSize == 0xffff || dirOffset == 0xffffffff {
		if p, err := find64End(r, endOffset); err != nil {
			return nil, err
		} else if p >= 0 {
			endOffset = p
			var e [zip64EndLen]byte
			if _, err := r.ReadAt(e[:], p); err != nil {
				return nil, err
			}
			if le.Uint32(e[0:]) != 0x06064b50 {
				return nil, zip.ErrFormat
			}
			z.records, dirSize, dirOffset = le.Uint64(e[32:]), le.Uint64(e[40:]), le.Uint64(e[48:])
		}
	}
	if dirSize > 1<<63-1 || dirOffset > 1<<63-1 {
		return nil, zip.ErrFormat
	}
	// Overflow cannot make these wrong in a way that matters: the start is checked to be
	// inside r, and every offset read from the directory is checked again when read.
	z.base = endOffset - int64(dirSize) - int64(dirOffset)
	if o := z.base + int64(dirOffset); o < 0 || o >= size {
		return nil, zip.ErrFormat
	}
	// As archive/zip: when a directory header is where the end record says without a
	// prefix, there is none (some writers get the directory's size wrong).
	if z.base > 0 {
		var f zipFile
		if readDirHeader(bufio.NewReader(io.NewSectionReader(r, int64(dirOffset), size-int64(dirOffset))), &f, nil) == nil {
			z.base = 0
		}
	}
	z.dirStart = z.base + int64(dirOffset)
	return z, nil
}

// findEnd returns where the end of central directory record starts in b, or -1.
func findEnd(b []byte) int {
	for i := len(b) - zipEndLen; i >= 0; i-- {
		if b[i] == 'P' && b[i+1] == 'K' && b[i+2] == 0x05 && b[i+3] == 0x06 {
			if n := int(b[i+zipEndLen-2]) | int(b[i+zipEndLen-1])<<8; n+zipEndLen+i > len(b) {
				return -1 // a truncated comment
			}
			return i
		}
	}
	return -1
}

// find64End returns the offset of the zip64 end record that the locator before endOffset
// names, or -1 when there is no locator.
func find64End(r io.ReaderAt, endOffset int64) (int64, error) {
	at := endOffset - zip64LocLen
	if at < 0 {
		return -1, nil
	}
	var b [zip64LocLen]byte
	if _, err := r.ReadAt(b[:], at); err != nil {
		return -1, err
	}
	le := binary.LittleEndian
	if le.Uint32(b[0:]) != 0x07064b50 || le.Uint32(b[4:]) != 0 || le.Uint32(b[16:]) != 1 {
		return -1, nil
	}
	return int64(le.Uint64(b[8:])), nil
}

// walk calls fn with each central directory header, in order; fn's error stops it and is
// returned. The directory ends at the first header that is not one. walk returns
// zip.ErrFormat or io.ErrUnexpectedEOF when it holds fewer or more headers than the end
// record says (modulo 65,536, as archive/zip checks), io.EOF when r ends where a header
// should start (archive/zip fails there too), or the error of r.
func (z *zipReader) walk(fn func(*zipFile) error) error {
	br := bufio.NewReaderSize(io.NewSectionReader(z.r, z.dirStart, z.size-z.dirStart), 256<<10)
	var f zipFile
	var scratch []byte
	var n uint64
	for ; ; n++ {
		err := readDirHeader(br, &f, &scratch)
		if err == zip.ErrFormat || err == io.ErrUnexpectedEOF {
			if uint16(n) != uint16(z.records) {
				return err
			}
			return nil
		}
		if err != nil {
			return err
		}
		f.index = int(n)
		f.offset += z.base
		if err := fn(&f); err != nil {
			return err
		}
	}
}

// readDirHeader reads one central directory header into f, using *scratch (when not nil)
// for its variable part. It returns zip.ErrFormat when there is no header signature or its
// zip64 sizes are missing, io.EOF or io.ErrUnexpectedEOF when r ends.
func readDirHeader(r io.Reader, f *zipFile, scratch *[]byte) error {
	var h [zipDirHeaderLen]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return err
	}
	le := binary.LittleEndian
	if le.Uint32(h[0:]) != 0x02014b50 {
		return zip.ErrFormat
	}
	f.flags, f.method, f.crc32 = le.Uint16(h[8:]), le.Uint16(h[10:]), le.Uint32(h[16:])
	csize, usize := le.Uint32(h[20:]), le.Uint32(h[24:])
	nameLen, extraLen, commentLen := int(le.Uint16(h[28:])), int(le.Uint16(h[30:])), int(le.Uint16(h[32:]))
	offset := le.Uint32(h[42:])
	var d []byte
	if scratch != nil {
		if cap(*scratch) < nameLen+extraLen+commentLen {
			*scratch = make([]byte, nameLen+extraLen+commentLen)
		}
		d = (*scratch)[:nameLen+extraLen+commentLen]
	} else {
		d = make([]byte, nameLen+extraLen+commentLen)
	}
	if _, err := io.ReadFull(r, d); err != nil {
		return err
	}
	f.name = string(d[:nameLen])
	f.csize, f.usize, f.offset = uint64(csize), uint64(usize), int64(offset)
	needU, needC, needOffset := usize == 0xffffffff, csize == 0xffffffff, offset == 0xffffffff
	for extra := d[nameLen : nameLen+extraLen]; len(extra) >= 4; {
		tag, size := le.Uint16(extra[0:]), int(le.Uint16(extra[2:]))
		extra = extra[4:]
		if len(extra) < size {
			break
		}
		field := extra[:size]
		extra = extra[size:]
		if tag != 0x0001 { // zip64 extended information
			continue
		}
		for _, v := range []struct {
			need *bool
			set  func(uint64)
		}{
			{&needU, func(x uint64) { f.usize = x }},
			{&needC, func(x uint64) { f.csize = x }},
			{&needOffset, func(x uint64) { f.offset = int64(x) }},
		} {
			if !*v.need {
				continue
			}
			*v.need = false
			if len(field) < 8 {
				return zip.ErrFormat
			}
			v.set(le.Uint64(field))
			field = field[8:]
		}
	}
	// An uncompressed size of 2³²-1 without zip64 is taken as is, as archive/zip does.
	if needC || needOffset {
		return zip.ErrFormat
	}
	return nil
}

// open returns a reader of f's uncompressed bytes, which fails as archive/zip's File.Open
// does: zip.ErrAlgorithm for a method other than stored or deflated, zip.ErrFormat for a
// missing local header or more bytes than f's size, io.ErrUnexpectedEOF for fewer, and
// zip.ErrChecksum for a CRC-32 that does not match. It stays valid until the next open.
func (z *zipReader) open(f *zipFile) (io.Reader, error) {
	var h [zipLocalLen]byte
	if _, err := z.data.ReadAt(h[:], f.offset); err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	if le.Uint32(h[0:]) != 0x04034b50 {
		return nil, zip.ErrFormat
	}
	body := f.offset + zipLocalLen + int64(le.Uint16(h[26:])) + int64(le.Uint16(h[28:]))
	raw := &section{w: &z.data, off: body, end: body + int64(min(f.csize, 1<<62))}
	var rd io.Reader
	switch f.method {
	case zip.Store:
		rd = raw
	case zip.Deflate:
		if z.flate == nil {
			z.flate = flate.NewReader(raw)
		} else if err := z.flate.(flate.Resetter).Reset(raw, nil); err != nil {
			return nil, err
		}
		rd = z.flate
	default:
		return nil, zip.ErrAlgorithm
	}
	z.crc.Reset()
	c := &checked{z: z, f: f, rd: rd}
	if f.flags&0x8 != 0 {
		c.descriptor = raw.end
	}
	return c, nil
}

// checked checks an entry's size and CRC-32 as it is read, as archive/zip's reader does.
type checked struct {
	z          *zipReader
	f          *zipFile
	rd         io.Reader
	n          uint64
	descriptor int64 // where the data descriptor is; 0 when there is none
	err        error
}

func (c *checked) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.rd.Read(p)
	c.z.crc.Write(p[:n])
	c.n += uint64(n)
	if c.n > c.f.usize {
		c.err = zip.ErrFormat
		return 0, c.err
	}
	if err == io.EOF {
		switch {
		case c.n != c.f.usize:
			err = io.ErrUnexpectedEOF
		case c.descriptor != 0:
			if derr := c.readDescriptor(); derr != nil {
				err = derr
			} else if c.z.crc.Sum32() != c.f.crc32 {
				err = zip.ErrChecksum
			}
		case c.f.crc32 != 0 && c.z.crc.Sum32() != c.f.crc32:
			err = zip.ErrChecksum
		}
	}
	if err != nil {
		c.err = err
	}
	return n, err
}

// readDescriptor checks that the data descriptor, with or without its signature, has the
// directory's CRC-32; the sizes in it are not checked (writers disagree on their width).
func (c *checked) readDescriptor() error {
	var b [12]byte
	if _, err := c.z.data.ReadAt(b[:4], c.descriptor); err != nil {
		return unexpected(err)
	}
	at := 0
	if binary.LittleEndian.Uint32(b[:4]) != 0x08074b50 {
		at = 4
	}
	if _, err := c.z.data.ReadAt(b[at:], c.descriptor+4); err != nil {
		return unexpected(err)
	}
	if binary.LittleEndian.Uint32(b[:4]) != c.f.crc32 {
		return zip.ErrChecksum
	}
	return nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// window is a read-ahead buffer over an io.ReaderAt: reads inside it are served from
// memory, others refill it from their offset. Reads larger than it go straight to r.
type window struct {
	r   io.ReaderAt
	buf []byte // the bytes from off
	off int64
}

// ReadAt reads len(p) bytes at off, as io.ReaderAt does.
func (w *window) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("zip: negative offset")
	}
	if off >= w.off && off-w.off <= int64(len(w.buf)) && int64(len(p)) <= int64(len(w.buf))-(off-w.off) {
		return copy(p, w.buf[off-w.off:]), nil
	}
	if len(p) >= cap(w.buf) {
		return w.r.ReadAt(p, off)
	}
	n, err := w.r.ReadAt(w.buf[:cap(w.buf)], off)
	w.buf, w.off = w.buf[:n], off
	if n >= len(p) {
		return copy(p, w.buf), nil
	}
	copy(p, w.buf)
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// section reads the bytes of a window from off to end; it is a flate.Reader, so that the
// decompressor reads it without a buffer of its own.
type section struct {
	w        *window
	off, end int64
}

func (s *section) Read(p []byte) (int, error) {
	if s.off >= s.end {
		return 0, io.EOF
	}
	if int64(len(p)) > s.end-s.off {
		p = p[:s.end-s.off]
	}
	// Read no further than the window holds, unless it holds nothing from off.
	if w := s.w; s.off >= w.off && s.off < w.off+int64(len(w.buf)) {
		p = p[:min(int64(len(p)), w.off+int64(len(w.buf))-s.off)]
	}
	n, err := s.w.ReadAt(p, s.off)
	s.off += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	} else if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (s *section) ReadByte() (byte, error) {
	if w := s.w; s.off < s.end && s.off >= w.off && s.off < w.off+int64(len(w.buf)) {
		b := w.buf[s.off-w.off]
		s.off++
		return b, nil
	}
	var b [1]byte
	if _, err := s.Read(b[:]); err != nil {
		return 0, err
	}
	return b[0], nil
}
