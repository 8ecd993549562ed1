package catalog

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/probity-dev/probity"
)

// SchemaKinds lists the kinds of catalog file that have a JSON Schema, in the order
// `probity schema` lists them.
var SchemaKinds = []string{"control", "framework", "rule", "mapping"}

// SchemaID is the $id of the schema of a kind of file.
func SchemaID(kind string) string {
	return "https://github.com/probity-dev/probity/schema/" + kind + ".json"
}

// Schema returns the JSON Schema (draft 2020-12) of one kind of catalog file (see
// SchemaKinds), indented. It describes each member's type, enumerations, lengths and
// characters, as the validator checks them; what a schema cannot say (references between
// files, unique names, CEL expressions that compile) is left to `probity validate`. It
// returns an error for an unknown kind.
func Schema(kind string) ([]byte, error) {
	var s obj
	switch kind {
	case "control":
		s = controlSchema()
	case "framework":
		s = frameworkSchema()
	case "rule":
		s = ruleSchema()
	case "mapping":
		s = mappingSchema()
	default:
		return nil, fmt.Errorf("no schema for %q: one of %s", kind, strings.Join(SchemaKinds, ", "))
	}
	s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	s["$id"] = SchemaID(kind)
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", kind, err)
	}
	return append(b, '\n'), nil
}

type obj = map[string]any

// Character classes of probity.TextKind in JSON Schema (ECMA-262) patterns: C0 and C1
// controls, DEL, the line and paragraph separators and the noncharacters of the basic
// plane (written as the characters themselves, which every regular expression dialect
// reads alike); the free-text class lets tabs and line feeds through.
const (
	refused         = `\x7f-\x9f` + "\u2028\u2029\ufdd0-\ufdef\ufffe\uffff"
	singleLineClass = `^[^\x00-\x1f` + refused + `]*$`
	freeTextClass   = `^[^\x00-\x08\x0b-\x1f` + refused + `]*$`
)

// scalar is a member read as a string: any scalar is its text, null is absent.
func scalar(desc string, kind probity.TextKind, max int, extra obj) obj {
	s := obj{"type": []string{"string", "number", "boolean", "null"}}
	if desc != "" {
		s["description"] = desc
	}
	s["pattern"] = singleLineClass
	if kind == probity.FreeText {
		s["pattern"] = freeTextClass
	}
	if max > 0 {
		s["maxLength"] = max
	}
	if extra != nil {
		s["allOf"] = []obj{{"if": obj{"type": "string", "minLength": 1}, "then": extra}}
	}
	return s
}

// required is a single-line member that must be present and not blank.
func required(desc string, max int, extra obj) obj {
	s := scalar(desc, probity.SingleLine, max, extra)
	s["type"] = []string{"string", "number", "boolean"}
	s["minLength"] = 1
	s["not"] = obj{"type": "string", "pattern": `^\s*$`}
	return s
}

func enum[T ~string](desc string, values []T) obj {
	e := []any{nil}
	for _, v := range values {
		e = append(e, string(v))
	}
	s := obj{"enum": e}
	if desc != "" {
		s["description"] = desc
	}
	return s
}

func list(items obj, minItems int) obj {
	s := obj{"type": []string{"array", "null"}, "items": items}
	if minItems > 0 {
		s["type"], s["minItems"] = "array", minItems
	}
	return s
}

func object(props obj, req ...string) obj {
	s := obj{"type": "object", "properties": props, "additionalProperties": false}
	if len(req) > 0 {
		s["required"] = req
	}
	return s
}

func kindMember(kind string) obj {
	return obj{"const": kind, "description": "the kind of file; optional under a folder named " + strings.ToLower(kind) + "s"}
}

func tagsSchema() obj {
	return obj{
		"type": []string{"object", "null"}, "maxProperties": probity.MaxTags,
		"description":          "tags: keys of letters, digits and + , - . / : ; < = _ (not starting with aws:), single-line values",
		"propertyNames":        obj{"minLength": 1, "maxLength": 128, "pattern": `^[a-zA-Z+-=._:/]+$`, "not": obj{"pattern": "^aws:"}},
		"additionalProperties": scalar("tag value", probity.SingleLine, 256, nil),
	}
}

func sourceSchema() obj {
	keyword := object(obj{
		"keywordInputType": enum("SELECT_FROM_LIST for automated sources; UPLOAD_FILE or INPUT_TEXT for MANUAL", probity.KeywordInputTypes),
		"keywordValue":     scalar("the rule, event or API the source collects", probity.SingleLine, 100, obj{"pattern": `^[a-zA-Z_0-9\-\s().:/]+$`}),
	})
	keyword["type"] = []string{"object", "null"}
	s := object(obj{
		"sourceName":          required("unique within the control", 300, nil),
		"sourceDescription":   scalar("", probity.FreeText, 1000, nil),
		"sourceSetUpOption":   enum("derived from sourceType when absent", probity.SetUpOptions),
		"sourceType":          enum("where the evidence comes from", probity.SourceTypes),
		"sourceKeyword":       keyword,
		"sourceFrequency":     enum("", probity.SourceFrequencies),
		"troubleshootingText": scalar("", probity.FreeText, 1000, nil),
	}, "sourceName", "sourceType")
	manual := obj{"properties": obj{"sourceType": obj{"const": string(probity.SourceTypeManual)}}}
	s["allOf"] = []obj{
		{ // A MANUAL source is procedural and takes no list keyword.
			"if": manual,
			"then": obj{"properties": obj{
				"sourceSetUpOption": obj{"not": obj{"const": string(probity.SetUpSystem)}},
				"sourceKeyword":     obj{"properties": obj{"keywordInputType": obj{"not": obj{"const": string(probity.KeywordSelectFromList)}}}},
			}},
			// Every other type is a system mapping with a keyword chosen from a list.
			"else": obj{
				"required": []string{"sourceKeyword"},
				"properties": obj{
					"sourceSetUpOption": obj{"not": obj{"const": string(probity.SetUpProcedural)}},
					"sourceKeyword": obj{"type": "object", "required": []string{"keywordValue"}, "properties": obj{
						"keywordValue":     obj{"type": []string{"string", "number", "boolean"}, "minLength": 1},
						"keywordInputType": obj{"enum": []any{nil, string(probity.KeywordSelectFromList)}},
					}},
				},
			},
		},
	}
	return s
}

func controlSchema() obj {
	s := object(obj{
		"kind":                   kindMember(KindControl),
		"name":                   required("unique within the library; no backslash", 300, obj{"pattern": `^[^\\]*$`}),
		"description":            scalar("", probity.FreeText, 1000, nil),
		"testingInformation":     scalar("", probity.FreeText, 1000, nil),
		"actionPlanTitle":        scalar("", probity.SingleLine, 300, nil),
		"actionPlanInstructions": scalar("", probity.FreeText, 1000, nil),
		"domain":                 scalar("the control domain that insights group it under (a Probity extension); Uncategorized when absent", probity.SingleLine, probity.MaxDomainLength, nil),
		"tags":                   tagsSchema(),
		"datasources":            list(sourceSchema(), 1),
		"controlMappingSources":  list(sourceSchema(), 1),
	}, "name")
	s["title"] = "Probity control"
	for _, k := range []string{"datasources", "controlMappingSources"} {
		s["properties"].(obj)[k].(obj)["maxItems"] = probity.MaxMappingSources
	}
	s["not"] = obj{"required": []string{"datasources", "controlMappingSources"}}
	return s
}

func frameworkSchema() obj {
	ref := obj{"oneOf": []obj{
		{"type": []string{"string", "number", "boolean"}, "minLength": 1, "description": "a control's name"},
		object(obj{
			"id":   obj{"type": "string", "pattern": `^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`},
			"name": obj{"type": []string{"string", "number", "boolean"}, "minLength": 1},
		}),
	}}
	ref["oneOf"].([]obj)[1]["minProperties"] = 1
	ref["oneOf"].([]obj)[1]["maxProperties"] = 1
	set := object(obj{
		"name":     required("unique within the framework; no backslash or underscore", 300, obj{"pattern": `^[^\\_]*$`}),
		"controls": list(ref, 1),
	}, "name", "controls")
	s := object(obj{
		"kind":           kindMember(KindFramework),
		"name":           required("unique within the library; no backslash", 300, obj{"pattern": `^[^\\]*$`}),
		"description":    scalar("", probity.FreeText, 1000, nil),
		"complianceType": scalar("", probity.SingleLine, 100, nil),
		"tags":           tagsSchema(),
		"controlSets":    list(set, 1),
	}, "name", "controlSets")
	s["title"] = "Probity framework"
	return s
}

func ruleSchema() obj {
	param := object(obj{
		"name":     required("a CEL identifier", 64, obj{"pattern": `^[A-Za-z_][A-Za-z0-9_]*$`}),
		"type":     obj{"enum": append([]any{nil}, anyOf(probity.RuleParameterTypes)...)},
		"default":  scalar("", probity.SingleLine, 0, nil),
		"required": obj{"type": []string{"boolean", "null"}},
	}, "name")
	s := object(obj{
		"kind":          kindMember(KindRule),
		"name":          required("letters, digits, - and _", 128, obj{"pattern": `^[A-Za-z0-9_-]+$`}),
		"description":   scalar("", probity.FreeText, 1000, nil),
		"resourceTypes": list(obj{"type": "string", "pattern": `^AWS::[A-Za-z0-9]*::[A-Za-z0-9]+$`}, 1),
		"parameters":    list(param, 0),
		"applicable":    obj{"type": []string{"string", "null"}, "description": "a CEL expression"},
		"condition":     obj{"type": "string", "pattern": `\S`, "description": "a CEL expression"},
		"annotation":    scalar("", probity.FreeText, 256, nil),
	}, "name", "resourceTypes", "condition")
	s["title"] = "Probity custom rule"
	return s
}

func mappingSchema() obj {
	pattern := func(of string) obj {
		return scalar("compared with the finding's "+of+" without regard to case; * stands for any run of characters", probity.SingleLine, 256, nil)
	}
	rule := object(obj{
		"provider":     pattern("provider (prowler, securityhub, ...)"),
		"checkId":      pattern("check id"),
		"resourceType": pattern("resource types"),
		"controls": obj{"type": "array", "minItems": 1, "maxItems": probity.MaxMappingControls, "uniqueItems": true,
			"description": "the names of the controls the matching findings map to",
			"items":       required("a control's name", 300, nil)},
	}, "controls")
	// At least one pattern that is not blank.
	var some []obj
	for _, k := range []string{"provider", "checkId", "resourceType"} {
		some = append(some, obj{"required": []string{k}, "properties": obj{k: obj{
			"type": []string{"string", "number", "boolean"}, "not": obj{"type": "string", "pattern": `^\s*$`}}}})
	}
	rule["anyOf"] = some
	rules := list(rule, 1)
	rules["maxItems"] = probity.MaxMappingRules
	s := object(obj{
		"kind":        kindMember(KindMapping),
		"name":        required("letters, digits, - and _", 128, obj{"pattern": `^[A-Za-z0-9_-]+$`}),
		"description": scalar("", probity.FreeText, 1000, nil),
		"rules":       rules,
	}, "name", "rules")
	s["title"] = "Probity finding mapping"
	return s
}

func anyOf(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
