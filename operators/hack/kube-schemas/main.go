// Command kube-schemas writes the JSON schemas kubeconform validates
// manifests with, without the network: one standalone, strict schema file per
// kind, named as kubeconform's schema-location template
// "{{ .ResourceKind }}{{ .KindSuffix }}.json" expects (deployment-apps-v1.json,
// service-v1.json, domain-ameide-v1alpha1.json).
//
//	kube-schemas builtin -out DIR   built-in kinds, from the OpenAPI v3 documents
//	                                (/openapi/v3) of a real kube-apiserver started
//	                                with envtest (KUBEBUILDER_ASSETS)
//	kube-schemas crd -out DIR FILE… kinds of CustomResourceDefinition files
//
// "Strict" is what kubeconform's openapi2jsonschema and the upstream schema
// sets mean by it: every object schema that lists properties refuses others
// (additionalProperties: false), except where Kubernetes itself keeps unknown
// fields (x-kubernetes-preserve-unknown-fields). Unlike openapi2jsonschema,
// the root of a CRD schema is strict too, so a misspelt top-level field
// (`sepc:`) fails. "Standalone" means a file holds every definition it refers
// to, under "definitions", so no reference leaves the file.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "kube-schemas: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return errors.New("usage: kube-schemas builtin -out DIR | kube-schemas crd -out DIR FILE [FILE ...]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	out := fs.String("out", "", "directory to write the schema files into (created)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("-out is required")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	var files map[string]map[string]any
	var err error
	switch args[0] {
	case "builtin":
		files, err = builtinSchemas()
	case "crd":
		if fs.NArg() == 0 {
			return errors.New("crd: name at least one CustomResourceDefinition file")
		}
		files, err = crdSchemas(fs.Args())
	default:
		return fmt.Errorf("unknown command %q (builtin, crd)", args[0])
	}
	if err != nil {
		return err
	}
	for name, schema := range files {
		data, err := json.MarshalIndent(schema, "", "  ")
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(*out, name), append(data, '\n'), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "kube-schemas: %d schema files in %s\n", len(files), *out)
	return nil
}

// fileName is kubeconform's "{{ .ResourceKind }}{{ .KindSuffix }}.json": the
// kind in lower case, the first label of the group (none for the core group)
// and the version.
func fileName(group, version, kind string) string {
	suffix := ""
	if group != "" {
		suffix = "-" + strings.ToLower(strings.SplitN(group, ".", 2)[0])
	}
	return strings.ToLower(kind) + suffix + "-" + strings.ToLower(version) + ".json"
}

// builtinSchemas starts a kube-apiserver (envtest), reads the OpenAPI v3
// document of every group-version it serves and returns one schema per kind.
func builtinSchemas() (map[string]map[string]any, error) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		return nil, errors.New("KUBEBUILDER_ASSETS must name the directory with kube-apiserver and etcd (operators/hack/control-plane.sh prints it)")
	}
	env := &envtest.Environment{}
	cfg, err := env.Start()
	if err != nil {
		return nil, fmt.Errorf("starting kube-apiserver: %w", err)
	}
	defer func() { _ = env.Stop() }()
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	paths, err := dc.OpenAPIV3().Paths()
	if err != nil {
		return nil, fmt.Errorf("reading /openapi/v3: %w", err)
	}
	files := map[string]map[string]any{}
	keys := make([]string, 0, len(paths))
	for p := range paths {
		keys = append(keys, p)
	}
	sort.Strings(keys)
	for _, p := range keys {
		group, version, ok := groupVersionOfPath(p)
		if !ok {
			continue // /openapi/v3 also lists version-independent paths (.well-known, logs, ...)
		}
		raw, err := paths[p].Schema(runtime.ContentTypeJSON)
		if err != nil {
			return nil, fmt.Errorf("reading /openapi/v3/%s: %w", p, err)
		}
		var doc struct {
			Components struct {
				Schemas map[string]map[string]any `json:"schemas"`
			} `json:"components"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			return nil, fmt.Errorf("/openapi/v3/%s: %w", p, err)
		}
		defs := doc.Components.Schemas
		names := make([]string, 0, len(defs))
		for n := range defs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			for _, gvk := range groupVersionKinds(defs[n]) {
				if gvk.group != group || gvk.version != version {
					continue // e.g. DeleteOptions, listed with every group-version
				}
				schema, err := standalone(n, defs)
				if err != nil {
					return nil, fmt.Errorf("%s in /openapi/v3/%s: %w", n, p, err)
				}
				name := fileName(group, version, gvk.kind)
				if prev, dup := files[name]; dup && !equalJSON(prev, schema) {
					return nil, fmt.Errorf("two different schemas map to %s (second: %s)", name, n)
				}
				files[name] = schema
			}
		}
	}
	if len(files) == 0 {
		return nil, errors.New("the API server published no kinds in /openapi/v3")
	}
	return files, nil
}

// groupVersionOfPath maps "api/v1" to ("", "v1") and "apis/apps/v1" to ("apps", "v1").
func groupVersionOfPath(p string) (group, version string, ok bool) {
	parts := strings.Split(p, "/")
	switch {
	case len(parts) == 2 && parts[0] == "api":
		return "", parts[1], true
	case len(parts) == 3 && parts[0] == "apis":
		return parts[1], parts[2], true
	}
	return "", "", false
}

type gvk struct{ group, version, kind string }

func groupVersionKinds(schema map[string]any) []gvk {
	list, _ := schema["x-kubernetes-group-version-kind"].([]any)
	var out []gvk
	for _, item := range list {
		m, _ := item.(map[string]any)
		g, _ := m["group"].(string)
		v, _ := m["version"].(string)
		k, _ := m["kind"].(string)
		if v != "" && k != "" {
			out = append(out, gvk{g, v, k})
		}
	}
	return out
}

const componentRef = "#/components/schemas/"

// standalone is the strict schema of definition root with every definition it
// reaches (transitively) under "definitions" and references rewritten to them.
func standalone(root string, defs map[string]map[string]any) (map[string]any, error) {
	included := map[string]any{}
	var pending []string
	rewrite := func(ref string) (string, error) {
		name, ok := strings.CutPrefix(ref, componentRef)
		if !ok {
			return "", fmt.Errorf("reference %q does not point into components/schemas", ref)
		}
		if _, ok := defs[name]; !ok {
			return "", fmt.Errorf("reference to missing definition %q", name)
		}
		if _, seen := included[name]; !seen && name != root {
			included[name] = nil
			pending = append(pending, name)
		}
		if name == root {
			return "#", nil
		}
		return "#/definitions/" + name, nil
	}
	top, err := strictCopy(defs[root], rewrite)
	if err != nil {
		return nil, err
	}
	for len(pending) > 0 {
		name := pending[0]
		pending = pending[1:]
		converted, err := strictCopy(defs[name], rewrite)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		included[name] = converted
	}
	out := top.(map[string]any)
	if len(included) > 0 {
		out["definitions"] = included
	}
	return out, nil
}

// strictCopy returns a converted deep copy of an OpenAPI v3 schema node:
// references rewritten by ref (nil: none allowed), additionalProperties:
// false on every object that lists properties and keeps no unknown fields,
// int-or-string as "string or integer", nullable as an extra "null" type.
func strictCopy(node any, ref func(string) (string, error)) (any, error) {
	switch v := node.(type) {
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			c, err := strictCopy(item, ref)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(v)+1)
		for k, item := range v {
			switch k {
			case "$ref":
				s, _ := item.(string)
				if ref == nil {
					return nil, fmt.Errorf("unexpected $ref %q", s)
				}
				r, err := ref(s)
				if err != nil {
					return nil, err
				}
				out[k] = r
			case "properties", "patternProperties", "definitions":
				// Maps of property name -> schema: the names are not keywords.
				m, _ := item.(map[string]any)
				props := make(map[string]any, len(m))
				for name, sub := range m {
					c, err := strictCopy(sub, ref)
					if err != nil {
						return nil, err
					}
					props[name] = c
				}
				out[k] = props
			case "enum", "default", "example", "x-kubernetes-validations", "x-kubernetes-group-version-kind",
				"x-kubernetes-list-map-keys", "required":
				out[k] = item // values, not schemas
			default:
				c, err := strictCopy(item, ref)
				if err != nil {
					return nil, err
				}
				out[k] = c
			}
		}
		if isIntOrString(v) {
			delete(out, "type")
			delete(out, "format")
			delete(out, "x-kubernetes-int-or-string")
			delete(out, "anyOf")
			delete(out, "oneOf")
			out["oneOf"] = []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}
		}
		if nullable, _ := v["nullable"].(bool); nullable {
			if t, ok := out["type"].(string); ok {
				out["type"] = []any{t, "null"}
			}
		}
		_, hasProps := v["properties"]
		_, hasAdditional := v["additionalProperties"]
		preserve, _ := v["x-kubernetes-preserve-unknown-fields"].(bool)
		if hasProps && !hasAdditional && !preserve {
			out["additionalProperties"] = false
		}
		return out, nil
	default:
		return v, nil
	}
}

func isIntOrString(v map[string]any) bool {
	if f, _ := v["format"].(string); f == "int-or-string" {
		return true
	}
	b, _ := v["x-kubernetes-int-or-string"].(bool)
	return b
}

// crdSchemas converts every version of every CustomResourceDefinition in the
// files (YAML streams).
func crdSchemas(paths []string) (map[string]map[string]any, error) {
	files := map[string]map[string]any{}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
		for {
			var crd struct {
				Kind string `json:"kind"`
				Spec struct {
					Group string `json:"group"`
					Names struct {
						Kind string `json:"kind"`
					} `json:"names"`
					Versions []struct {
						Name   string `json:"name"`
						Schema struct {
							OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
						} `json:"schema"`
					} `json:"versions"`
				} `json:"spec"`
			}
			if err := dec.Decode(&crd); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			if crd.Kind != "CustomResourceDefinition" {
				continue
			}
			for _, v := range crd.Spec.Versions {
				if v.Schema.OpenAPIV3Schema == nil {
					return nil, fmt.Errorf("%s: %s %s has no openAPIV3Schema", path, crd.Spec.Names.Kind, v.Name)
				}
				c, err := strictCopy(v.Schema.OpenAPIV3Schema, nil)
				if err != nil {
					return nil, fmt.Errorf("%s: %s %s: %w", path, crd.Spec.Names.Kind, v.Name, err)
				}
				files[fileName(crd.Spec.Group, v.Name, crd.Spec.Names.Kind)] = c.(map[string]any)
			}
		}
	}
	if len(files) == 0 {
		return nil, errors.New("no CustomResourceDefinition in the files given")
	}
	return files, nil
}

func equalJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}
