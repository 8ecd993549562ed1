package findings

import (
	"encoding/json"
)

// The lean decoder reads a JSON findings file in one pass over its bytes, filling
// ocsfRecord and asffRecord with exactly what encoding/json would put in them (members
// matched by name without regard to ASCII case, null leaving a member as it is or
// emptying a pointer, slice or map), validating the JSON syntax of every member it skips.
// It handles the files that import cleanly; at the first thing it does not handle the way
// encoding/json would, or the first problem of a record, it gives up and Decode reads
// the file again with encoding/json (decodeJSON), which names every problem. Giving up is
// never an error: a file decodes to the same findings, or the same errors, either way.
//
// What makes it give up: anything but a plain array (or {"Findings": [...]}) of objects,
// an empty array, a member of the wrong JSON type, a time given as a string, a member
// named twice (or in two cases), a member name with escapes or bytes outside ASCII,
// nesting deeper than maxLeanDepth, invalid JSON, and any problem finding() reports.

// maxLeanDepth bounds the nesting the lean decoder follows (encoding/json's own limit is
// 10,000).
const maxLeanDepth = 1000

// giveUp is the panic value that stops the lean decoder.
type giveUp struct{}

// lexer walks JSON text. Its methods panic with giveUp at anything they do not handle.
type lexer struct {
	b     []byte
	i     int
	depth int
}

func (l *lexer) stop() { panic(giveUp{}) }

// ws skips white space.
func (l *lexer) ws() {
	for l.i < len(l.b) {
		switch l.b[l.i] {
		case ' ', '\t', '\n', '\r':
			l.i++
		default:
			return
		}
	}
}

// peek returns the next byte after white space (0 at the end).
func (l *lexer) peek() byte {
	l.ws()
	if l.i >= len(l.b) {
		return 0
	}
	return l.b[l.i]
}

// expect consumes c after white space.
func (l *lexer) expect(c byte) {
	if l.peek() != c {
		l.stop()
	}
	l.i++
}

// stringEnd returns the index of the closing quote of the string whose opening quote is
// at l.i, and whether the string is plain: printable ASCII without escapes. It checks
// the escapes and rejects control characters, as JSON requires.
func (l *lexer) stringEnd() (int, bool) {
	plain := true
	for j := l.i + 1; j < len(l.b); j++ {
		switch c := l.b[j]; {
		case c == '"':
			return j, plain
		case c == '\\':
			plain = false
			j++
			if j >= len(l.b) {
				l.stop()
			}
			switch l.b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(l.b) {
					l.stop()
				}
				for _, h := range l.b[j+1 : j+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						l.stop()
					}
				}
				j += 4
			default:
				l.stop()
			}
		case c < 0x20:
			l.stop()
		case c >= 0x80:
			plain = false
		}
	}
	l.stop()
	return 0, false
}

// str reads a string: plain ones are copied, others unquoted by encoding/json itself.
func (l *lexer) str() string {
	if l.peek() != '"' {
		l.stop()
	}
	end, plain := l.stringEnd()
	start := l.i
	l.i = end + 1
	if plain {
		return string(l.b[start+1 : end])
	}
	var s string
	if json.Unmarshal(l.b[start:end+1], &s) != nil {
		l.stop()
	}
	return s
}

// null consumes a null and reports whether there was one.
func (l *lexer) null() bool {
	if l.peek() != 'n' {
		return false
	}
	l.literal("null")
	return true
}

func (l *lexer) literal(word string) {
	if len(l.b)-l.i < len(word) || string(l.b[l.i:l.i+len(word)]) != word {
		l.stop()
	}
	l.i += len(word)
}

// strInto reads a string member into s; null leaves s as it is.
func (l *lexer) strInto(s *string) {
	if !l.null() {
		*s = l.str()
	}
}

// number reads a number as JSON writes it and returns its text.
func (l *lexer) number() string {
	l.ws()
	start := l.i
	if l.i < len(l.b) && l.b[l.i] == '-' {
		l.i++
	}
	switch {
	case l.i < len(l.b) && l.b[l.i] == '0':
		l.i++
	case l.i < len(l.b) && '1' <= l.b[l.i] && l.b[l.i] <= '9':
		l.digits()
	default:
		l.stop()
	}
	if l.i < len(l.b) && l.b[l.i] == '.' {
		l.i++
		if l.digits() == 0 {
			l.stop()
		}
	}
	if l.i < len(l.b) && (l.b[l.i] == 'e' || l.b[l.i] == 'E') {
		l.i++
		if l.i < len(l.b) && (l.b[l.i] == '+' || l.b[l.i] == '-') {
			l.i++
		}
		if l.digits() == 0 {
			l.stop()
		}
	}
	return string(l.b[start:l.i])
}

func (l *lexer) digits() int {
	n := 0
	for l.i < len(l.b) && '0' <= l.b[l.i] && l.b[l.i] <= '9' {
		l.i++
		n++
	}
	return n
}

// skip reads and checks any value.
func (l *lexer) skip() {
	switch l.peek() {
	case '"':
		end, _ := l.stringEnd()
		l.i = end + 1
	case '{':
		l.members(func([]byte) { l.skip() })
	case '[':
		l.elements(l.skip)
	case 't':
		l.literal("true")
	case 'f':
		l.literal("false")
	case 'n':
		l.literal("null")
	default:
		l.number()
	}
}

// members reads an object, calling each with the raw name of every member (printable
// ASCII without escapes) with l positioned at its value, which each must read.
func (l *lexer) members(each func(name []byte)) {
	l.expect('{')
	if l.depth++; l.depth > maxLeanDepth {
		l.stop()
	}
	if l.peek() == '}' {
		l.i++
		l.depth--
		return
	}
	for {
		if l.peek() != '"' {
			l.stop()
		}
		end, plain := l.stringEnd()
		if !plain {
			l.stop()
		}
		name := l.b[l.i+1 : end]
		l.i = end + 1
		l.expect(':')
		each(name)
		switch l.peek() {
		case ',':
			l.i++
		case '}':
			l.i++
			l.depth--
			return
		default:
			l.stop()
		}
	}
}

// elements reads an array, calling each with l positioned at every element.
func (l *lexer) elements(each func()) {
	l.expect('[')
	if l.depth++; l.depth > maxLeanDepth {
		l.stop()
	}
	if l.peek() == ']' {
		l.i++
		l.depth--
		return
	}
	for {
		each()
		switch l.peek() {
		case ',':
			l.i++
		case ']':
			l.i++
			l.depth--
			return
		default:
			l.stop()
		}
	}
}

// is reports whether a member name is field, as encoding/json matches names: without
// regard to ASCII case (members' names are ASCII here).
func is(name []byte, field string) bool {
	if len(name) != len(field) {
		return false
	}
	for i := range len(name) {
		a, b := name[i], field[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// fields matches member names to a struct's fields, once each: encoding/json merges a
// member named twice into what the first one filled, which the lean decoder leaves to it.
type fields struct {
	names []string
	seen  uint64
}

// which returns the index of name's field, or -1 for a member the struct does not have.
func (f *fields) which(l *lexer, name []byte) int {
	for i, n := range f.names {
		if is(name, n) {
			if f.seen&(1<<i) != 0 {
				l.stop()
			}
			f.seen |= 1 << i
			return i
		}
	}
	return -1
}

// object reads a struct-valued member: null leaves it as it is.
func (l *lexer) object(names []string, member func(field int)) {
	if l.null() {
		return
	}
	f := fields{names: names}
	l.members(func(name []byte) {
		if i := f.which(l, name); i >= 0 {
			member(i)
		} else {
			l.skip()
		}
	})
}

// strings reads a []string member: null empties it, a null element is "".
func (l *lexer) strings() []string {
	if l.null() {
		return nil
	}
	out := []string{}
	l.elements(func() {
		var s string
		l.strInto(&s)
		out = append(out, s)
	})
	return out
}

var (
	ocsfFields        = []string{"metadata", "status_code", "Compliance", "finding_info", "cloud", "resources", "time", "time_dt", "unmapped"}
	ocsfMetaFields    = []string{"event_code", "product"}
	uidNameFields     = []string{"uid", "name"}
	uidTitleFields    = []string{"uid", "title"}
	cloudFields       = []string{"account", "region"}
	uidFields         = []string{"uid"}
	ocsfResFields     = []string{"uid", "type", "region"}
	complianceFields  = []string{"compliance"}
	ocsfCompFields    = []string{"control", "requirements", "standards", "status"}
	asffFields        = []string{"Id", "ProductArn", "ProductName", "GeneratorId", "AwsAccountId", "Region", "Title", "UpdatedAt", "ProductFields", "Resources", "Compliance"}
	asffResFields     = []string{"Type", "Id"}
	asffCompFields    = []string{"Status", "SecurityControlId", "RelatedRequirements", "AssociatedStandards"}
	standardsIDFields = []string{"StandardsId"}
)

// ocsf reads one OCSF record into r, as encoding/json decodes an ocsfRecord.
func (l *lexer) ocsf(r *ocsfRecord) {
	if l.peek() != '{' {
		l.stop()
	}
	l.object(ocsfFields, func(field int) {
		switch field {
		case 0:
			l.object(ocsfMetaFields, func(field int) {
				if field == 0 {
					l.strInto(&r.Metadata.EventCode)
					return
				}
				l.object(uidNameFields, func(field int) {
					l.strInto([]*string{&r.Metadata.Product.UID, &r.Metadata.Product.Name}[field])
				})
			})
		case 1:
			l.strInto(&r.StatusCode)
		case 2:
			if l.null() {
				r.Compliance = nil
				return
			}
			c := &ocsfCompliance{}
			r.Compliance = c
			l.object(ocsfCompFields, func(field int) {
				switch field {
				case 0:
					l.strInto(&c.Control)
				case 1:
					c.Requirements = l.strings()
				case 2:
					c.Standards = l.strings()
				case 3:
					l.strInto(&c.Status)
				}
			})
		case 3:
			l.object(uidTitleFields, func(field int) {
				l.strInto([]*string{&r.FindingInfo.UID, &r.FindingInfo.Title}[field])
			})
		case 4:
			l.object(cloudFields, func(field int) {
				if field == 1 {
					l.strInto(&r.Cloud.Region)
					return
				}
				l.object(uidFields, func(int) { l.strInto(&r.Cloud.Account.UID) })
			})
		case 5:
			if l.null() {
				r.Resources = nil
				return
			}
			r.Resources = r.Resources[:0:0]
			l.elements(func() {
				r.Resources = append(r.Resources, ocsfResource{})
				res := &r.Resources[len(r.Resources)-1]
				l.object(ocsfResFields, func(field int) {
					l.strInto([]*string{&res.UID, &res.Type, &res.Region}[field])
				})
			})
		case 6:
			switch l.peek() {
			case 'n':
				l.literal("null")
			case '"':
				l.stop() // a number in a string: encoding/json's rules, left to it
			default:
				r.Time = json.Number(l.number())
			}
		case 7:
			l.strInto(&r.TimeDT)
		case 8:
			l.object(complianceFields, func(int) {
				if l.null() {
					r.Unmapped.Compliance = nil
					return
				}
				if r.Unmapped.Compliance == nil {
					r.Unmapped.Compliance = map[string][]string{}
				}
				l.members(func(name []byte) {
					r.Unmapped.Compliance[string(name)] = l.strings()
				})
			})
		}
	})
}

// asff reads one ASFF record into r, as encoding/json decodes an asffRecord.
func (l *lexer) asff(r *asffRecord) {
	if l.peek() != '{' {
		l.stop()
	}
	l.object(asffFields, func(field int) {
		switch field {
		case 8:
			if l.null() {
				r.ProductFields = nil
				return
			}
			if r.ProductFields == nil {
				r.ProductFields = map[string]string{}
			}
			l.members(func(name []byte) {
				var s string
				l.strInto(&s)
				r.ProductFields[string(name)] = s
			})
		case 9:
			if l.null() {
				r.Resources = nil
				return
			}
			r.Resources = r.Resources[:0:0]
			l.elements(func() {
				r.Resources = append(r.Resources, asffResource{})
				res := &r.Resources[len(r.Resources)-1]
				l.object(asffResFields, func(field int) {
					l.strInto([]*string{&res.Type, &res.ID}[field])
				})
			})
		case 10:
			if l.null() {
				r.Compliance = nil
				return
			}
			c := &asffCompliance{}
			r.Compliance = c
			l.object(asffCompFields, func(field int) {
				switch field {
				case 0:
					l.strInto(&c.Status)
				case 1:
					l.strInto(&c.SecurityControlID)
				case 2:
					c.RelatedRequirements = l.strings()
				case 3:
					if l.null() {
						c.AssociatedStandards = nil
						return
					}
					c.AssociatedStandards = c.AssociatedStandards[:0:0]
					l.elements(func() {
						c.AssociatedStandards = append(c.AssociatedStandards, asffStandard{})
						s := &c.AssociatedStandards[len(c.AssociatedStandards)-1]
						l.object(standardsIDFields, func(int) { l.strInto(&s.StandardsID) })
					})
				}
			})
		default:
			l.strInto([]*string{&r.ID, &r.ProductArn, &r.ProductName, &r.GeneratorID, &r.AwsAccountID, &r.Region, &r.Title, &r.UpdatedAt}[field])
		}
	})
}

// sniffLean returns the format of the record at l.i from its members' exact names, as
// sniff does, without moving l.
func (l *lexer) sniffLean() string {
	at := l.i
	defer func() { l.i = at }()
	var ocsf, asff bool
	l.members(func(name []byte) {
		switch string(name) {
		case "class_uid", "metadata":
			ocsf = true
		case "SchemaVersion", "AwsAccountId":
			asff = true
		}
		l.skip()
	})
	switch {
	case ocsf:
		return FormatOCSF
	case asff:
		return FormatASFF
	}
	return ""
}

// decodeLean decodes a JSON findings file held in b, or reports false when the lean
// decoder gives up (see above): Decode then reads the file with decodeJSON.
func decodeLean(b []byte) (format string, out []Finding, ok bool) {
	defer func() {
		if v := recover(); v != nil {
			if _, stop := v.(giveUp); !stop {
				panic(v)
			}
			format, out, ok = "", nil, false
		}
	}()
	l := &lexer{b: b}
	if l.peek() == '{' {
		l.i++
		if l.peek() != '"' {
			l.stop()
		}
		end, plain := l.stringEnd()
		if !plain || string(b[l.i+1:end]) != "Findings" {
			l.stop()
		}
		l.i = end + 1
		l.expect(':')
	}
	l.expect('[')
	if l.peek() == ']' {
		l.stop()
	}
	l.depth = 1
	format = l.sniffLean()
	var ps problems
	for rec := 1; ; rec++ {
		switch format {
		case FormatOCSF:
			var r ocsfRecord
			l.ocsf(&r)
			out = append(out, r.finding(rec, &ps))
		case FormatASFF:
			var r asffRecord
			l.asff(&r)
			out = append(out, r.finding(rec, &ps))
		default:
			l.stop()
		}
		if len(ps.list) > 0 {
			l.stop()
		}
		switch l.peek() {
		case ',':
			l.i++
		case ']':
			return format, out, true
		default:
			l.stop()
		}
	}
}
