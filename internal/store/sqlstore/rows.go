package sqlstore

import (
	"encoding/json"

	"github.com/probity-dev/probity"
)

// sourceRow is how the controls table keeps a probity.ControlMappingSource in the JSON
// of its mapping_sources column. The member names are the storage format: they change
// only with a migration, whatever the domain or the wire call them.
type sourceRow struct {
	ID          string      `json:"sourceId,omitempty"`
	Name        string      `json:"sourceName"`
	Description string      `json:"sourceDescription,omitempty"`
	SetUpOption string      `json:"sourceSetUpOption,omitempty"`
	Type        string      `json:"sourceType"`
	Keyword     *keywordRow `json:"sourceKeyword,omitempty"`
	Frequency   string      `json:"sourceFrequency,omitempty"`
	Trouble     string      `json:"troubleshootingText,omitempty"`
}

type keywordRow struct {
	InputType string `json:"keywordInputType,omitempty"`
	Value     string `json:"keywordValue,omitempty"`
}

func encodeSources(in []probity.ControlMappingSource) ([]byte, error) {
	rows := make([]sourceRow, len(in))
	for i, s := range in {
		rows[i] = sourceRow{ID: s.SourceID, Name: s.SourceName, Description: s.SourceDescription,
			SetUpOption: string(s.SourceSetUpOption), Type: string(s.SourceType), Frequency: string(s.SourceFrequency),
			Trouble: s.TroubleshootingText}
		if k := s.SourceKeyword; k != nil {
			rows[i].Keyword = &keywordRow{InputType: string(k.KeywordInputType), Value: k.KeywordValue}
		}
	}
	return json.Marshal(rows)
}

// decodeSources reads what encodeSources wrote.
func decodeSources(text string) ([]probity.ControlMappingSource, error) {
	if out, ok := readSources(text); ok {
		return out, nil
	}
	var rows []sourceRow
	if err := json.Unmarshal([]byte(text), &rows); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	out := make([]probity.ControlMappingSource, len(rows))
	for i, r := range rows {
		out[i] = probity.ControlMappingSource{SourceID: r.ID, SourceName: r.Name, SourceDescription: r.Description,
			SourceSetUpOption: probity.SetUpOption(r.SetUpOption), SourceType: probity.SourceType(r.Type),
			SourceFrequency: probity.SourceFrequency(r.Frequency), TroubleshootingText: r.Trouble}
		if k := r.Keyword; k != nil {
			out[i].SourceKeyword = &probity.SourceKeyword{KeywordInputType: probity.KeywordInputType(k.InputType), KeywordValue: k.Value}
		}
	}
	return out, nil
}

// readSources is decodeSources for the shapes encodeSources writes, without reflection;
// it reports false for anything else.
func readSources(text string) ([]probity.ControlMappingSource, bool) {
	r := newRowText(text)
	if r.null() {
		return nil, r.end()
	}
	var out []probity.ControlMappingSource
	r.want('[')
	if r.next(']') {
		return nil, r.end()
	}
	for r.ok {
		var s probity.ControlMappingSource
		r.object(func(name string) {
			switch name {
			case "sourceId":
				s.SourceID = r.str()
			case "sourceName":
				s.SourceName = r.str()
			case "sourceDescription":
				s.SourceDescription = r.str()
			case "sourceSetUpOption":
				s.SourceSetUpOption = probity.SetUpOption(r.str())
			case "sourceType":
				s.SourceType = probity.SourceType(r.str())
			case "sourceFrequency":
				s.SourceFrequency = probity.SourceFrequency(r.str())
			case "troubleshootingText":
				s.TroubleshootingText = r.str()
			case "sourceKeyword":
				if r.null() {
					return
				}
				k := &probity.SourceKeyword{}
				r.object(func(name string) {
					switch name {
					case "keywordInputType":
						k.KeywordInputType = probity.KeywordInputType(r.str())
					case "keywordValue":
						k.KeywordValue = r.str()
					default:
						r.ok = false
					}
				})
				s.SourceKeyword = k
			default:
				r.ok = false
			}
		})
		out = append(out, s)
		if r.next(']') {
			break
		}
		r.want(',')
	}
	return out, r.end()
}

// readTags is the map of strings that marshalTags wrote, without reflection; it reports
// false for anything else.
func readTags(text string) (map[string]string, bool) {
	r := newRowText(text)
	if r.null() {
		return nil, r.end()
	}
	var out map[string]string
	r.object(func(name string) {
		if out == nil {
			out = map[string]string{}
		}
		out[name] = r.str()
	})
	return out, r.end()
}
