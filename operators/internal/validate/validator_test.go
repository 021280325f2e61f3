package validate_test

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"

	"ameide.io/operators/api/v1alpha1"
	"ameide.io/operators/config/crd"
	"ameide.io/operators/internal/validate"
)

func newValidator(t *testing.T) *validate.Validator {
	t.Helper()
	v, err := validate.New()
	if err != nil {
		t.Fatalf("validate.New: %v", err)
	}
	return v
}

func object(t *testing.T, doc string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	js, err := yaml.YAMLToJSON([]byte(doc))
	if err != nil {
		t.Fatalf("test YAML: %v", err)
	}
	if err := u.UnmarshalJSON(js); err != nil {
		t.Fatalf("test object: %v", err)
	}
	return u
}

const domainDoc = `
apiVersion: ameide.io/v1alpha1
kind: Domain
metadata: {name: sales, namespace: apps}
spec:
  image: ghcr.io/ameide/sales:0.1.0
  version: 0.1.0
  database: {secretRef: {name: sales-db, key: url}}
`

func TestAdmitAppliesTheCRDDefaults(t *testing.T) {
	obj, err := newValidator(t).Admit(object(t, domainDoc))
	if err != nil {
		t.Fatalf("Admit: %v", err)
	}
	d, ok := obj.(*v1alpha1.Domain)
	if !ok {
		t.Fatalf("Admit returned %T, want *v1alpha1.Domain", obj)
	}
	s := d.Spec
	checks := []struct {
		field     string
		got, want interface{}
	}{
		{"port", s.Port, int32(8080)},
		{"tenantMode", s.TenantMode, "shared"},
		{"ownership", s.Ownership, v1alpha1.OwnershipPlatform},
		{"database.mode", s.Database.Mode, v1alpha1.DatabaseSecret},
		{"migrations.command", strings.Join(s.Migrations.Command, " "), "ameide migrate"},
		{"migrations.backoffLimit", s.Migrations.BackoffLimit, int32(2)},
		{"replicas", *s.Replicas, int32(1)},
		{"resources.cpuRequest", s.Resources.CPURequest, "100m"},
		{"resources.memoryLimit", s.Resources.MemoryLimit, "512Mi"},
		{"generation", d.Generation, int64(1)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("spec.%s = %v, want the CRD default %v", c.field, c.got, c.want)
		}
	}
}

func TestAdmitDropsStatusLikeACreate(t *testing.T) {
	u := object(t, domainDoc+"status:\n  runningVersion: 9.9.9\n")
	obj, err := newValidator(t).Admit(u)
	if err != nil {
		t.Fatalf("Admit: %v", err)
	}
	if got := obj.(*v1alpha1.Domain).Status.RunningVersion; got != "" {
		t.Errorf("status.runningVersion = %q after a create, want it dropped", got)
	}
	if _, found, _ := unstructured.NestedString(u.Object, "status", "runningVersion"); !found {
		t.Errorf("Admit modified its input")
	}
}

// Refusal is one case of testdata/refusals.yaml.
type Refusal struct {
	Name    string                 `json:"name"`
	Field   string                 `json:"field"`
	Message string                 `json:"message"`
	Object  map[string]interface{} `json:"object"`
}

func refusals(t *testing.T) []Refusal {
	t.Helper()
	raw, err := os.ReadFile("testdata/refusals.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var out []Refusal
	if err := yaml.UnmarshalStrict(raw, &out); err != nil {
		t.Fatalf("testdata/refusals.yaml: %v", err)
	}
	if len(out) == 0 {
		t.Fatal("testdata/refusals.yaml has no cases")
	}
	return out
}

func TestAdmitRefusesNamingTheField(t *testing.T) {
	v := newValidator(t)
	for _, r := range refusals(t) {
		t.Run(r.Name, func(t *testing.T) {
			_, err := v.Admit(&unstructured.Unstructured{Object: r.Object})
			assertRefused(t, err, r.Field, r.Message)
		})
	}
}

func assertRefused(t *testing.T, err error, fieldPath, message string) {
	t.Helper()
	var invalid *validate.InvalidError
	if !errors.As(err, &invalid) {
		t.Fatalf("error = %v (%T), want *validate.InvalidError naming %s", err, err, fieldPath)
	}
	for _, e := range invalid.Errs {
		if e.Field == fieldPath && strings.Contains(e.Error(), message) {
			if !strings.Contains(err.Error(), fieldPath+": ") {
				t.Errorf("Error() = %q does not name %s", err.Error(), fieldPath)
			}
			return
		}
	}
	t.Fatalf("refusal %q names no %s with %q", err.Error(), fieldPath, message)
}

func TestAdmitUpdateRefusesAChangedTenantID(t *testing.T) {
	v := newValidator(t)
	// An update names the resourceVersion it replaces, as kubectl's does.
	old := object(t, "apiVersion: ameide.io/v1alpha1\nkind: AmeideTenant\nmetadata: {name: demo, resourceVersion: '7'}\nspec: {id: demo}\n")
	changed := object(t, "apiVersion: ameide.io/v1alpha1\nkind: AmeideTenant\nmetadata: {name: demo, resourceVersion: '7'}\nspec: {id: other}\n")
	if _, err := v.Admit(changed); err != nil {
		t.Fatalf("create with id other: %v (the transition rule must not apply to a create)", err)
	}
	_, err := v.AdmitUpdate(changed, old)
	assertRefused(t, err, "spec.id", "id is immutable")
	if _, err := v.AdmitUpdate(old, old); err != nil {
		t.Errorf("unchanged update refused: %v", err)
	}
}

// TestEveryCELRuleHasARefusalCase keeps the table above complete: a rule
// added to the Go types without a case here fails this test.
func TestEveryCELRuleHasARefusalCase(t *testing.T) {
	covered := map[string]bool{"id is immutable": true} // TestAdmitUpdateRefusesAChangedTenantID
	for _, r := range refusals(t) {
		covered[r.Message] = true
	}
	names, err := fs.Glob(crd.Files, "*.yaml")
	if err != nil || len(names) == 0 {
		t.Fatalf("no embedded CRDs: %v", err)
	}
	rules := 0
	for _, name := range names {
		raw, _ := fs.ReadFile(crd.Files, name)
		var def apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(raw, &def); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, version := range def.Spec.Versions {
			walk(version.Schema.OpenAPIV3Schema, field.NewPath(def.Spec.Names.Kind), func(p *field.Path, rule apiextensionsv1.ValidationRule) {
				rules++
				if !covered[rule.Message] {
					t.Errorf("%s: CEL rule %q (%s) has no refusal case", p, rule.Rule, rule.Message)
				}
			})
		}
	}
	if rules == 0 {
		t.Fatal("found no CEL rules in the embedded CRDs")
	}
}

func walk(s *apiextensionsv1.JSONSchemaProps, p *field.Path, visit func(*field.Path, apiextensionsv1.ValidationRule)) {
	if s == nil {
		return
	}
	for _, r := range s.XValidations {
		visit(p, r)
	}
	for name, child := range s.Properties {
		walk(&child, p.Child(name), visit)
	}
	if s.Items != nil {
		walk(s.Items.Schema, p.Index(0), visit)
	}
	if s.AdditionalProperties != nil {
		walk(s.AdditionalProperties.Schema, p.Key("*"), visit)
	}
}

func TestAdmitRefusesAnUnknownKind(t *testing.T) {
	_, err := newValidator(t).Admit(object(t, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n"))
	if err == nil || !strings.Contains(err.Error(), "not an Ameide primitive kind") || !strings.Contains(err.Error(), "Domain") {
		t.Fatalf("error = %v, want a refusal listing the known kinds", err)
	}
}

func TestEveryCRDKindIsAdmitted(t *testing.T) {
	got := strings.Join(newValidator(t).Kinds(), ",")
	want := "Agent,AmeideTenant,Domain,Integration,Process,Projection,UISurface"
	if got != want {
		t.Errorf("kinds = %s, want %s", got, want)
	}
}

// go test -run - -bench . ./internal/validate
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := validate.New(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAdmitDomain(b *testing.B) {
	v, err := validate.New()
	if err != nil {
		b.Fatal(err)
	}
	u := &unstructured.Unstructured{}
	js, _ := yaml.YAMLToJSON([]byte(domainDoc))
	if err := u.UnmarshalJSON(js); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Admit(u); err != nil {
			b.Fatal(err)
		}
	}
}
