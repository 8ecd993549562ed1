package sqlstore

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity"
)

// slowSources and slowTags are what encoding/json makes of a text: the reference that the
// direct readers must agree with.
func slowSources(text string) ([]probity.ControlMappingSource, error) {
	var rows []sourceRow
	if err := json.Unmarshal([]byte(text), &rows); err != nil {
		return nil, err
	}
	b, _ := json.Marshal(rows)
	out, ok := readSources(string(b))
	if !ok {
		panic("readSources refuses what encoding/json writes: " + string(b))
	}
	return out, nil
}

func TestRowTextAgreesWithEncodingJSON(t *testing.T) {
	sources := []string{
		`null`, `[]`, ` [ ] `,
		`[{"sourceName":"a","sourceType":"MANUAL"}]`,
		`[{"sourceId":"x","sourceName":"caf\u00e9 \"q\" \\ \n","sourceType":"AWS_Config","sourceKeyword":{"keywordInputType":"SELECT_FROM_LIST","keywordValue":"S3"}},{"sourceName":"b","sourceType":"MANUAL","sourceKeyword":null}]`,
		"[{\"sourceName\":\"\xe2\x80\xa8 raw U+2028\",\"sourceType\":\"MANUAL\"}]",
		`[{"sourceName":"a","sourceType":"MANUAL","unknown":1}]`, // falls back
		`[{"sourceName":"a"`, `{}`, `[1]`, `[{"sourceName":1}]`,
	}
	for _, text := range sources {
		fast, ok := readSources(text)
		want, err := slowSources(text)
		switch {
		case ok && err != nil:
			t.Errorf("readSources(%q) accepts what encoding/json refuses: %v", text, err)
		case ok && !cmp.Equal(fast, want):
			t.Errorf("readSources(%q) = %+v, encoding/json %+v", text, fast, want)
		}
		got, gerr := decodeSources(text)
		if (gerr == nil) != (err == nil) || (gerr == nil && !cmp.Equal(got, want)) {
			t.Errorf("decodeSources(%q) = %+v, %v; want %+v, %v", text, got, gerr, want, err)
		}
	}
	for _, text := range []string{`null`, `{}`, `{"a":"b","c\td":"\u00e9"}`, `{"a":1}`, `{"a":"b"`, `[]`} {
		fast, ok := readTags(text)
		var want map[string]string
		err := json.Unmarshal([]byte(text), &want)
		if len(want) == 0 {
			want = nil
		}
		switch {
		case ok && err != nil:
			t.Errorf("readTags(%q) accepts what encoding/json refuses: %v", text, err)
		case ok && !cmp.Equal(fast, want):
			t.Errorf("readTags(%q) = %v, encoding/json %v", text, fast, want)
		}
	}
}

// FuzzRowText: whatever the direct readers accept, encoding/json reads the same way.
func FuzzRowText(f *testing.F) {
	f.Add(`[{"sourceName":"a","sourceType":"MANUAL","sourceKeyword":{"keywordValue":"v"}}]`)
	f.Add(`{"k":"v\n","\u00e9":""}`)
	f.Fuzz(func(t *testing.T, text string) {
		if fast, ok := readSources(text); ok {
			want, err := slowSources(text)
			if err != nil || !cmp.Equal(fast, want) {
				t.Fatalf("readSources(%q) = %+v; encoding/json %+v, %v", text, fast, want, err)
			}
		}
		if fast, ok := readTags(text); ok {
			var want map[string]string
			if err := json.Unmarshal([]byte(text), &want); err != nil {
				t.Fatalf("readTags(%q) accepts what encoding/json refuses: %v", text, err)
			}
			if len(want) == 0 {
				want = nil
			}
			if !cmp.Equal(fast, want) {
				t.Fatalf("readTags(%q) = %v, encoding/json %v", text, fast, want)
			}
		}
	})
}
