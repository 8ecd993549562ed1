package doc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
	"go.yaml.in/yaml/v3"

	"github.com/probity-dev/probity"
)

// Limits on one input file. They keep a hostile or broken file from costing more than a
// bounded amount of time and memory.
const (
	MaxFileSize  = 1 << 20  // bytes
	MaxDepth     = 64       // nesting of mappings and sequences
	MaxNodes     = 200_000  // values after expanding aliases (a "billion laughs" stops here)
	MaxLineWidth = 64 << 10 // bytes in one line
)

// ErrManyDocuments is wrapped by the *SyntaxError of a file that holds more than one
// document, so that callers can say what one document should hold.
var ErrManyDocuments = errors.New("file holds more than one document")

// SyntaxError is a problem found before the file could be read as values: it is not
// UTF-8 text, breaks a limit, or is not one well-formed document. Pos is zero when the
// problem is with the file as a whole.
type SyntaxError struct {
	Pos    Pos
	Reason string
	err    error
}

// Error returns the reason.
func (e *SyntaxError) Error() string { return e.Reason }

// Unwrap returns ErrManyDocuments for a file of several documents, else nil.
func (e *SyntaxError) Unwrap() error { return e.err }

// Parse reads one YAML or JSON document into nodes. It returns a *SyntaxError for
// anything that is not a single well-formed document within the limits: larger than
// MaxFileSize, not UTF-8, holding a NUL or a character the domain's free text refuses
// (probity.FreeText, with CR allowed for CRLF), a line wider than MaxLineWidth, empty,
// more than one document, nested deeper than MaxDepth, more than MaxNodes values after
// expanding aliases, an alias to the value that holds it, a tag other than YAML's core
// ones, a key that is not a scalar or appears twice in a mapping. A panic in either
// parser is recovered and returned as a *SyntaxError too.
//
// go.yaml.in/yaml/v3 does the parsing: it is about twice as fast as goccy/go-yaml here
// and allocates a third as much. Its syntax errors carry a line only, so a file it
// rejects is parsed again by goccy/go-yaml for the column (see docs/decisions).
func Parse(data []byte) (n *Node, err error) {
	if len(data) > MaxFileSize {
		return nil, &SyntaxError{Reason: fmt.Sprintf("file is larger than the limit of %d bytes", MaxFileSize)}
	}
	if err := checkText(data); err != nil {
		return nil, err
	}
	defer func() {
		// Both parsers meet hostile input here; a bug in either must cost one file, not
		// the process.
		if r := recover(); r != nil {
			n, err = nil, &SyntaxError{Reason: "the YAML parser failed on this file"}
		}
	}()
	var doc yaml.Node
	if !maybeMultiDocument(data) {
		// The common case: parse straight from the bytes.
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return nil, syntaxErrorAt(data, err)
		}
	} else {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, &SyntaxError{Reason: "file is empty"}
			}
			return nil, syntaxErrorAt(data, err)
		}
		var second yaml.Node
		if err := dec.Decode(&second); !errors.Is(err, io.EOF) {
			if err != nil {
				return nil, syntaxErrorAt(data, err)
			}
			return nil, &SyntaxError{Pos: Pos{second.Line, second.Column}, Reason: ErrManyDocuments.Error(), err: ErrManyDocuments}
		}
	}
	if len(doc.Content) == 0 {
		return nil, &SyntaxError{Reason: "file is empty"}
	}
	var c converter
	return c.convert(doc.Content[0], 0)
}

// maybeMultiDocument reports whether a document marker (--- or ...) starts a line after
// the first: only then can the file hold a second document.
func maybeMultiDocument(data []byte) bool {
	for i := bytes.IndexByte(data, '\n'); i >= 0 && i+1 < len(data); {
		rest := data[i+1:]
		if bytes.HasPrefix(rest, []byte("---")) || bytes.HasPrefix(rest, []byte("...")) {
			return true
		}
		j := bytes.IndexByte(rest, '\n')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return false
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxErrorAt places a parser error: goccy/go-yaml gives line and column; failing
// that, the line from go.yaml.in/yaml/v3's own message.
func syntaxErrorAt(data []byte, err error) *SyntaxError {
	if _, gerr := parser.ParseBytes(data, 0); gerr != nil {
		var ye interface {
			GetToken() *token.Token
			GetMessage() string
		}
		if errors.As(gerr, &ye) && ye.GetToken() != nil && ye.GetMessage() != "" {
			return &SyntaxError{Pos: tokenPos(ye.GetToken()), Reason: "syntax error: " + ye.GetMessage()}
		}
	}
	msg := firstLine(err.Error())
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &SyntaxError{Pos: Pos{line, 1}, Reason: "syntax error: " + m[2]}
	}
	return &SyntaxError{Reason: "syntax error: " + strings.TrimPrefix(msg, "yaml: ")}
}

// checkText rejects input that is not UTF-8 text with lines of a sane width. Files are
// free text by the domain's rules (probity.FreeText), with CR for CRLF line ends; a
// character no member may hold is refused where it is, escapes included (the domain's
// Validate sees those).
func checkText(data []byte) error {
	line, col, width := 1, 1, 0
	for i, size := 0, 0; i < len(data); i += size {
		var r rune
		r, size = rune(data[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(data[i:])
		}
		switch {
		case r >= 0x20 && r < 0x7f: // printable ASCII, most of any file
		case r == utf8.RuneError && size <= 1:
			return &SyntaxError{Pos: Pos{line, col}, Reason: "file is not valid UTF-8 text"}
		case r == 0:
			return &SyntaxError{Pos: Pos{line, col}, Reason: "file holds a NUL byte; it is not text"}
		case r != '\r' && !probity.AllowedRune(r, probity.FreeText):
			return &SyntaxError{Pos: Pos{line, col}, Reason: "file " + probity.CheckText(string(r), probity.FreeText)}
		case r == '\n':
			line, col, width = line+1, 1, 0
			continue
		}
		col++
		width += size
		if width > MaxLineWidth {
			return &SyntaxError{Pos: Pos{line, 1}, Reason: fmt.Sprintf("line is longer than %d bytes", MaxLineWidth)}
		}
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}

func tokenPos(t *token.Token) Pos {
	if t == nil || t.Position == nil {
		return Pos{}
	}
	return Pos{t.Position.Line, t.Position.Column}
}
