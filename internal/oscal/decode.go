package oscal

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Format is an encoding of OSCAL.
type Format string

// The formats Decode reads.
const (
	JSON Format = "json"
	YAML Format = "yaml"
	XML  Format = "xml"
)

// Sniff returns the format of data from its first significant character: '<' is XML,
// '{' JSON, anything else YAML.
func Sniff(data []byte) Format {
	t := bytes.TrimLeft(data, " \t\r\n\ufeff")
	switch {
	case len(t) > 0 && t[0] == '<':
		return XML
	case len(t) > 0 && t[0] == '{':
		return JSON
	}
	return YAML
}

// Decode reads one OSCAL catalog or profile in any of the formats. name is the file or
// URL, for messages. It returns an error of the form "name:line:col: member: reason"
// (the position when the format gives one) for a document that does not parse, is
// neither a catalog nor a profile, or has a control without an id or two controls with
// the same id.
func Decode(name string, data []byte) (*Document, error) {
	var doc Document
	var err error
	switch Sniff(data) {
	case XML:
		err = decodeXML(data, &doc)
	case JSON:
		err = decodeJSON(data, &doc)
	default:
		err = decodeYAML(data, &doc)
	}
	if err != nil {
		return nil, fmt.Errorf("%s:%w", name, err)
	}
	switch {
	case doc.Catalog == nil && doc.Profile == nil:
		return nil, fmt.Errorf("%s:1:1: document: is neither an OSCAL catalog nor a profile (no top-level catalog or profile)", name)
	case doc.Catalog != nil && doc.Profile != nil:
		return nil, fmt.Errorf("%s:1:1: document: holds both a catalog and a profile; give one per file", name)
	case doc.Catalog != nil:
		if err := checkCatalog(doc.Catalog); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	default:
		if err := checkProfile(doc.Profile); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return &doc, nil
}

// decodeJSON decodes data, with errors "line:col: member: reason".
func decodeJSON(data []byte, doc *Document) error {
	err := json.Unmarshal(data, doc)
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syn):
		l, c := lineCol(data, syn.Offset)
		return fmt.Errorf("%d:%d: document: invalid JSON: %v", l, c, syn)
	case errors.As(err, &typ):
		l, c := lineCol(data, typ.Offset)
		return fmt.Errorf("%d:%d: %s: must be %s, not %s", l, c, typ.Field, kindName(typ.Type.Kind().String()), typ.Value)
	}
	return fmt.Errorf("1:1: document: %v", err)
}

// decodeYAML decodes data through JSON: OSCAL YAML is the JSON model written as YAML.
func decodeYAML(data []byte, doc *Document) error {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		l := 1
		if _, rest, ok := strings.Cut(msg, "line "); ok {
			fmt.Sscanf(rest, "%d", &l)
		}
		return fmt.Errorf("%d:1: document: invalid YAML: %s", l, msg)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("1:1: document: %v", err)
	}
	err = json.Unmarshal(b, doc)
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Errorf("1:1: %s: must be %s, not %s", typ.Field, kindName(typ.Type.Kind().String()), typ.Value)
	}
	if err != nil {
		return fmt.Errorf("1:1: document: %v", err)
	}
	return nil
}

func kindName(k string) string {
	switch k {
	case "slice":
		return "a list"
	case "struct", "ptr":
		return "an object"
	}
	return "a " + k
}

// decodeXML decodes an XML catalog or profile, with errors "line:col: member: reason".
func decodeXML(data []byte, doc *Document) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			l, c := d.InputPos()
			return fmt.Errorf("%d:%d: document: invalid XML: %v", l, c, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		var target any
		switch se.Name.Local {
		case "catalog":
			doc.Catalog = &Catalog{}
			target = doc.Catalog
		case "profile":
			doc.Profile = &Profile{}
			target = doc.Profile
		default:
			l, c := d.InputPos()
			return fmt.Errorf("%d:%d: document: root element <%s> is neither <catalog> nor <profile>", l, c, se.Name.Local)
		}
		if err := d.DecodeElement(target, &se); err != nil {
			l, c := d.InputPos()
			return fmt.Errorf("%d:%d: %s: %v", l, c, se.Name.Local, err)
		}
		return nil
	}
}

// lineCol converts a byte offset of data to a 1-based line and column.
func lineCol(data []byte, off int64) (int, int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// UnmarshalXML reads markup as its text, with parameter insertions in the OSCAL
// markdown form "{{ insert: param, ID }}" and white space collapsed.
func (m *Markup) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var b strings.Builder
	if err := proseText(d, &b); err != nil {
		return err
	}
	*m = Markup(collapse(b.String()))
	return nil
}

// UnmarshalXML reads a part: its attributes, title, properties and nested parts, and
// its prose (every other child element) as lines of text.
func (p *Part) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	for _, a := range start.Attr {
		switch a.Name.Local {
		case "id":
			p.ID = a.Value
		case "name":
			p.Name = a.Value
		case "ns":
			p.NS = a.Value
		}
	}
	var lines []string
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			p.Prose = strings.Join(lines, "\n")
			return nil
		case xml.StartElement:
			switch t.Name.Local {
			case "title":
				if err := d.DecodeElement(&p.Title, &t); err != nil {
					return err
				}
			case "prop":
				var pr Prop
				if err := d.DecodeElement(&pr, &t); err != nil {
					return err
				}
				p.Props = append(p.Props, pr)
			case "part":
				var c Part
				if err := d.DecodeElement(&c, &t); err != nil {
					return err
				}
				p.Parts = append(p.Parts, c)
			default:
				var b strings.Builder
				if err := blockText(d, t, &b); err != nil {
					return err
				}
				if s := strings.TrimSpace(b.String()); s != "" {
					lines = append(lines, s)
				}
			}
		}
	}
}

// blockText writes the text of a block element (p, ol, ul, table, ...): each paragraph,
// list item and row on a line of its own.
func blockText(d *xml.Decoder, start xml.StartElement, b *strings.Builder) error {
	var line strings.Builder
	flush := func() {
		if s := collapse(line.String()); s != "" {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			if start.Name.Local == "ol" || start.Name.Local == "ul" {
				b.WriteString("- ")
			}
			b.WriteString(s)
		}
		line.Reset()
	}
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.CharData:
			line.Write(t)
		case xml.StartElement:
			switch t.Name.Local {
			case "insert":
				line.WriteString(insertText(t))
				if err := d.Skip(); err != nil {
					return err
				}
				continue
			case "li", "p", "tr", "h1", "h2", "h3", "h4", "h5", "h6":
				flush()
			}
			depth++
		case xml.EndElement:
			if depth == 0 {
				flush()
				return nil
			}
			depth--
			if t.Name.Local == "td" || t.Name.Local == "th" {
				line.WriteString(" ")
			}
		}
	}
}

// proseText writes the text of an inline element, to its end.
func proseText(d *xml.Decoder, b *strings.Builder) error {
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.StartElement:
			if t.Name.Local == "insert" {
				b.WriteString(insertText(t))
				if err := d.Skip(); err != nil {
					return err
				}
				continue
			}
			depth++
		case xml.EndElement:
			if depth == 0 {
				return nil
			}
			depth--
		}
	}
}

func insertText(t xml.StartElement) string {
	var typ, id string
	for _, a := range t.Attr {
		switch a.Name.Local {
		case "type":
			typ = a.Value
		case "id-ref":
			id = a.Value
		}
	}
	return "{{ insert: " + typ + ", " + id + " }}"
}

// collapse trims s and replaces each run of white space with one space.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// checkCatalog returns an error naming the first control without an id or whose id
// another control of the catalog has.
func checkCatalog(c *Catalog) error {
	seen := map[string]string{}
	var walk func(path string, cs []Control) error
	walk = func(path string, cs []Control) error {
		for i := range cs {
			p := fmt.Sprintf("%s.controls[%d]", path, i)
			id := cs[i].ID
			if id == "" {
				return fmt.Errorf("%s.id: is required", p)
			}
			if prev, dup := seen[id]; dup {
				return fmt.Errorf("%s.id: %q is also the id of %s", p, id, prev)
			}
			seen[id] = p
			if err := walk(p, cs[i].Controls); err != nil {
				return err
			}
		}
		return nil
	}
	var groups func(path string, gs []Group) error
	groups = func(path string, gs []Group) error {
		for i := range gs {
			p := fmt.Sprintf("%s.groups[%d]", path, i)
			if err := walk(p, gs[i].Controls); err != nil {
				return err
			}
			if err := groups(p, gs[i].Groups); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk("catalog", c.Controls); err != nil {
		return err
	}
	return groups("catalog", c.Groups)
}

// checkProfile returns an error for a profile without imports or an import without an
// href or a selection.
func checkProfile(p *Profile) error {
	if len(p.Imports) == 0 {
		return errors.New("profile.imports: must have at least 1 item")
	}
	for i, im := range p.Imports {
		if im.Href == "" {
			return fmt.Errorf("profile.imports[%d].href: is required", i)
		}
		if im.IncludeAll == nil && len(im.IncludeControls) == 0 {
			return fmt.Errorf("profile.imports[%d]: needs include-all or include-controls", i)
		}
	}
	return nil
}
