package render_test

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"ameide.io/operators/internal/render"
	"ameide.io/operators/internal/validate"
)

var allCaps = render.Capabilities{CNPG: true, PrometheusOperator: true, GatewayAPI: true}

// admitted turns a YAML CR into the typed, defaulted object the reconciler
// would read back from the API server (same schema, same defaults).
func admitted(t testing.TB, doc string) client.Object {
	t.Helper()
	v, err := validate.New()
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(js); err != nil {
		t.Fatal(err)
	}
	obj, err := v.Admit(u)
	if err != nil {
		t.Fatalf("test CR refused: %v", err)
	}
	return obj
}

func renderOK(t *testing.T, obj client.Object, opts render.Options) []*unstructured.Unstructured {
	t.Helper()
	kids, err := render.Children(obj, opts)
	if err != nil {
		t.Fatalf("Children: %v", err)
	}
	for _, k := range kids {
		if k.GetAPIVersion() == "" || k.GetKind() == "" || k.GetName() == "" {
			t.Errorf("child without apiVersion/kind/name: %v", k.Object)
		}
		if k.GetKind() != "Namespace" && k.GetNamespace() == "" {
			t.Errorf("%s %s has no namespace", k.GetKind(), k.GetName())
		}
		l := k.GetLabels()
		if l[render.LabelManagedBy] != render.ManagedBy || l[render.LabelKind] == "" || l[render.LabelName] != obj.GetName() || l[render.LabelComponent] == "" {
			t.Errorf("%s %s labels %v lack the standard labels", k.GetKind(), k.GetName(), l)
		}
		if len(k.GetOwnerReferences()) > 0 {
			t.Errorf("%s %s has owner references; the reconciler sets them", k.GetKind(), k.GetName())
		}
	}
	return kids
}

// summary is "Kind/name" of each child, in order.
func summary(kids []*unstructured.Unstructured) string {
	s := make([]string, len(kids))
	for i, k := range kids {
		s[i] = k.GetKind() + "/" + k.GetName()
	}
	return strings.Join(s, " ")
}

func find(t *testing.T, kids []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	t.Helper()
	for _, k := range kids {
		if k.GetKind() == kind && k.GetName() == name {
			return k
		}
	}
	t.Fatalf("no %s %s among %s", kind, name, summary(kids))
	return nil
}

func findKind(kids []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, k := range kids {
		if k.GetKind() == kind {
			out = append(out, k)
		}
	}
	return out
}

// typed converts a child back into its k8s.io/api type.
func typed[T any](t *testing.T, u *unstructured.Unstructured) *T {
	t.Helper()
	out := new(T)
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(u.Object, out, true); err != nil {
		t.Fatalf("%s %s does not decode strictly into %T: %v", u.GetKind(), u.GetName(), out, err)
	}
	return out
}

// envOf maps a container's variables to their value, or to
// "secret:<name>/<key>" for a Secret reference.
func envOf(c corev1.Container) map[string]string {
	out := map[string]string{}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
			out[e.Name] = fmt.Sprintf("secret:%s/%s", e.ValueFrom.SecretKeyRef.Name, e.ValueFrom.SecretKeyRef.Key)
		default:
			out[e.Name] = e.Value
		}
	}
	return out
}

func wantEnv(t *testing.T, c corev1.Container, want map[string]string) {
	t.Helper()
	got := envOf(c)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("env %s = %q, want %q", k, got[k], v)
		}
	}
}

func nested(t *testing.T, u *unstructured.Unstructured, path ...string) interface{} {
	t.Helper()
	v, found, err := unstructured.NestedFieldNoCopy(u.Object, path...)
	if err != nil || !found {
		t.Fatalf("%s %s has no %s (%v)", u.GetKind(), u.GetName(), strings.Join(path, "."), err)
	}
	return v
}

func marshalAll(t *testing.T, kids []*unstructured.Unstructured) string {
	t.Helper()
	var b strings.Builder
	for _, k := range kids {
		y, err := yaml.Marshal(k.Object)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("---\n")
		b.Write(y)
	}
	return b.String()
}
