package main

import (
	"encoding/json"
	"testing"
)

func TestFileNameIsKubeconformsKindSuffix(t *testing.T) {
	for _, tc := range []struct{ group, version, kind, want string }{
		{"", "v1", "Service", "service-v1.json"},
		{"apps", "v1", "Deployment", "deployment-apps-v1.json"},
		{"admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicy", "validatingadmissionpolicy-admissionregistration-v1.json"},
		{"ameide.io", "v1alpha1", "UISurface", "uisurface-ameide-v1alpha1.json"},
		{"monitoring.coreos.com", "v1", "ServiceMonitor", "servicemonitor-monitoring-v1.json"},
	} {
		if got := fileName(tc.group, tc.version, tc.kind); got != tc.want {
			t.Errorf("fileName(%q, %q, %q) = %q, want %q", tc.group, tc.version, tc.kind, got, tc.want)
		}
	}
}

func TestStrictCopy(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"object with properties refuses others, at the root too",
			`{"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"string"}}}}}`,
			`{"type":"object","additionalProperties":false,"properties":{"a":{"type":"object","additionalProperties":false,"properties":{"b":{"type":"string"}}}}}`},
		{"preserve-unknown-fields keeps unknown fields",
			`{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"a":{"type":"string"}}}`,
			`{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"a":{"type":"string"}}}`},
		{"a declared additionalProperties stays",
			`{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":{"type":"string"}}`,
			`{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":{"type":"string"}}`},
		{"map without properties is left open",
			`{"type":"object","additionalProperties":{"type":"string"}}`,
			`{"type":"object","additionalProperties":{"type":"string"}}`},
		{"int-or-string (OpenAPI format and CRD extension)",
			`{"properties":{"a":{"type":"string","format":"int-or-string"},"b":{"anyOf":[{"type":"integer"},{"type":"string"}],"x-kubernetes-int-or-string":true}}}`,
			`{"additionalProperties":false,"properties":{"a":{"oneOf":[{"type":"string"},{"type":"integer"}]},"b":{"oneOf":[{"type":"string"},{"type":"integer"}]}}}`},
		{"nullable adds the null type",
			`{"type":"string","nullable":true}`,
			`{"type":["string","null"],"nullable":true}`},
		{"property named like a keyword is a property",
			`{"properties":{"properties":{"type":"string"},"enum":{"type":"string"}}}`,
			`{"additionalProperties":false,"properties":{"properties":{"type":"string"},"enum":{"type":"string"}}}`},
	} {
		var in any
		if err := json.Unmarshal([]byte(tc.in), &in); err != nil {
			t.Fatal(err)
		}
		got, err := strictCopy(in, nil)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		assertJSON(t, tc.name, got, tc.want)
	}
	if _, err := strictCopy(map[string]any{"$ref": "#/x"}, nil); err == nil {
		t.Error("a $ref in a CRD schema was accepted; want an error")
	}
}

func TestStandaloneInlinesReachableDefinitionsOnce(t *testing.T) {
	var defs map[string]map[string]any
	if err := json.Unmarshal([]byte(`{
		"Root": {"type":"object","properties":{"spec":{"$ref":"#/components/schemas/Spec"},"self":{"$ref":"#/components/schemas/Root"}}},
		"Spec": {"type":"object","properties":{"child":{"allOf":[{"$ref":"#/components/schemas/Node"}]}}},
		"Node": {"type":"object","properties":{"next":{"$ref":"#/components/schemas/Node"}}},
		"Unused": {"type":"string"}
	}`), &defs); err != nil {
		t.Fatal(err)
	}
	got, err := standalone("Root", defs)
	if err != nil {
		t.Fatal(err)
	}
	assertJSON(t, "standalone", got, `{
		"type":"object","additionalProperties":false,
		"properties":{"spec":{"$ref":"#/definitions/Spec"},"self":{"$ref":"#"}},
		"definitions":{
			"Spec":{"type":"object","additionalProperties":false,"properties":{"child":{"allOf":[{"$ref":"#/definitions/Node"}]}}},
			"Node":{"type":"object","additionalProperties":false,"properties":{"next":{"$ref":"#/definitions/Node"}}}
		}}`)
	if _, err := standalone("Root", map[string]map[string]any{
		"Root": {"properties": map[string]any{"a": map[string]any{"$ref": "#/components/schemas/Missing"}}},
	}); err == nil {
		t.Error("a reference to a missing definition was accepted; want an error")
	}
}

func assertJSON(t *testing.T, name string, got any, want string) {
	t.Helper()
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: bad expectation: %v", name, err)
	}
	g, _ := json.Marshal(got)
	e, _ := json.Marshal(w)
	if string(g) != string(e) {
		t.Errorf("%s:\n got  %s\n want %s", name, g, e)
	}
}
