package ci

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	json "github.com/go-json-experiment/json/v1"
)

// Decoder reads configuration items from a stream, one at a time, so that a snapshot of
// any size is read in constant memory. The stream is one of:
//   - a snapshot: {"items": [CI...], "account": {...}}, members in any order;
//   - a GetResourceConfigHistory or BatchGetResourceConfig response:
//     {"configurationItems": [...]} or {"baseConfigurationItems": [...]};
//   - an invoking event: {"configurationItem": {...}, ...};
//   - a single CI.
type Decoder struct {
	dec     *json.Decoder
	src     io.Reader
	started bool
	single  *Item // a lone CI read ahead, returned by the first Next
	inArray bool
	account *Account
	done    bool
	index   int // items returned so far
	// container is set once the first member shows a snapshot or history response.
	container bool
	wire      wireItem // the item being decoded
}

// NewDecoder returns a Decoder reading r.
func NewDecoder(r io.Reader) *Decoder {
	return &Decoder{src: r}
}

// Container reports whether the stream is a container of items (a snapshot or a
// history response) rather than a lone CI or invoking event. It is known once Next has
// been called.
func (d *Decoder) Container() bool { return d.container }

// Account returns the snapshot's account facts, or nil when none has been read yet. A
// snapshot whose "account" follows "items" has it only once Next has returned io.EOF.
func (d *Decoder) Account() *Account { return d.account }

var itemKeys = map[string]bool{"items": true, "configurationItems": true, "baseConfigurationItems": true}

// Next returns the next item, or io.EOF after the last. Errors name the item's index
// and the stream's byte offset.
func (d *Decoder) Next() (*Item, error) {
	if d.done {
		return nil, io.EOF
	}
	if !d.started {
		d.started = true
		if err := d.start(); err != nil {
			d.done = true
			return nil, err
		}
	}
	if d.single != nil {
		it := d.single
		d.single = nil
		d.done = true
		return it, nil
	}
	for {
		if d.inArray {
			if d.dec.More() {
				// Decoding the wire form directly, not through Item.UnmarshalJSON,
				// spares two passes over the item's bytes.
				// The wire item is reused (fromWire copies what it keeps).
				d.wire = wireItem{}
				it := new(Item)
				err := d.dec.Decode(&d.wire)
				if err == nil {
					err = it.fromWire(&d.wire)
				}
				if err != nil {
					d.done = true
					return nil, fmt.Errorf("items[%d] (offset %d): %w", d.index, d.dec.InputOffset(), err)
				}
				d.index++
				return it, nil
			}
			if _, err := d.dec.Token(); err != nil { // ]
				d.done = true
				return nil, err
			}
			d.inArray = false
		}
		if !d.dec.More() {
			d.done = true
			if _, err := d.dec.Token(); err != nil { // }
				return nil, err
			}
			return nil, io.EOF
		}
		if err := d.member(); err != nil {
			d.done = true
			return nil, err
		}
		if d.single != nil {
			it := d.single
			d.single = nil
			return it, nil
		}
	}
}

// start reads the opening brace and decides, from the first member's name, whether the
// stream is a container or a lone CI.
func (d *Decoder) start() error {
	// Keep what the decoder reads until the first member's name is known; a container
	// stops the copy at once, so memory stays flat.
	head := &recorder{on: true}
	defer func() { head.on, head.buf = false, bytes.Buffer{} }()
	d.dec = json.NewDecoder(io.TeeReader(d.src, head))
	tok, err := d.dec.Token()
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("want a JSON object (a CI or a snapshot), got %v", tok)
	}
	if !d.dec.More() {
		return errors.New("empty object: want a CI or a snapshot")
	}
	key, err := d.dec.Token()
	if err != nil {
		return err
	}
	k, _ := key.(string)
	if itemKeys[k] || k == "account" || k == "configurationItem" {
		d.container = k != "configurationItem"
		return d.value(k)
	}
	// A lone CI or an invoking event whose first member is another: decode the object
	// again from the start (the bytes read so far, then the rest).
	whole := json.NewDecoder(io.MultiReader(bytes.NewReader(head.buf.Bytes()), d.src))
	var ev struct {
		ConfigurationItem json.RawMessage `json:"configurationItem"`
	}
	var raw json.RawMessage
	if err := whole.Decode(&raw); err != nil {
		return fmt.Errorf("configuration item: %w", err)
	}
	if json.Unmarshal(raw, &ev) == nil && len(ev.ConfigurationItem) > 0 {
		raw = ev.ConfigurationItem
	}
	it := new(Item)
	if err := json.Unmarshal(raw, it); err != nil {
		return fmt.Errorf("configuration item: %w", err)
	}
	d.single = it
	return nil
}

func (d *Decoder) member() error {
	key, err := d.dec.Token()
	if err != nil {
		return err
	}
	k, _ := key.(string)
	return d.value(k)
}

// value handles the value of the top-level member k.
func (d *Decoder) value(k string) error {
	switch {
	case itemKeys[k]:
		tok, err := d.dec.Token()
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		if tok == nil {
			return nil
		}
		if tok != json.Delim('[') {
			return fmt.Errorf("%s: want an array", k)
		}
		d.inArray = true
	case k == "account":
		a := new(Account)
		if err := d.dec.Decode(a); err != nil {
			return fmt.Errorf("account: %w", err)
		}
		d.account = a
	case k == "configurationItem":
		it := new(Item)
		if err := d.dec.Decode(it); err != nil {
			return fmt.Errorf("configurationItem: %w", err)
		}
		d.single = it
	default:
		var skip json.RawMessage
		if err := d.dec.Decode(&skip); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	return nil
}

// recorder keeps a copy of what passes through while on.
type recorder struct {
	on  bool
	buf bytes.Buffer
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.on {
		r.buf.Write(p)
	}
	return len(p), nil
}
