package render_test

import (
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"ameide.io/operators/internal/render"
)

// Every kind, every capability combination: the same input renders byte
// for byte the same output, and the order is the apply order.
func TestChildrenAreDeterministicAndInApplyOrder(t *testing.T) {
	many := strings.Replace(salesDomain, `env: {ZETA: "1", ALPHA: "2", MIDDLE: "3"}`,
		`env: {`+manyEnv(40)+`}`, 1)
	inputs := map[string]client.Object{
		"domain":      admitted(t, many),
		"cnpg":        admitted(t, cnpgDomain),
		"process":     admitted(t, orderToCash+"  compensationSchedule: \"0 3 * * *\"\n"),
		"agent":       admitted(t, helperAgent),
		"uisurface":   admitted(t, console),
		"integration": admitted(t, crmSync),
		"tenant":      admitted(t, "apiVersion: ameide.io/v1alpha1\nkind: AmeideTenant\nmetadata: {name: acme}\nspec: {id: acme, sku: Private, environments: [prod, dev, test]}\n"),
	}
	rank := []string{"Namespace", "ResourceQuota", "NetworkPolicy", "ConfigMap", "Database", "Service", "Job", "Deployment", "HorizontalPodAutoscaler", "CronJob", "ServiceMonitor", "HTTPRoute"}
	for name, obj := range inputs {
		for _, caps := range []render.Capabilities{{}, allCaps} {
			opts := render.Options{Capabilities: caps, OTelEndpoint: "http://otel:4317"}
			if name == "cnpg" && !caps.CNPG {
				continue
			}
			first := marshalAll(t, renderOK(t, obj.DeepCopyObject().(client.Object), opts))
			for i := 0; i < 20; i++ {
				if again := marshalAll(t, renderOK(t, obj.DeepCopyObject().(client.Object), opts)); again != first {
					t.Fatalf("%s (caps %+v): render %d differs from the first", name, caps, i+2)
				}
			}
			last := -1
			kids := renderOK(t, obj, opts)
			for _, k := range kids {
				r := indexOf(rank, k.GetKind())
				if r < 0 {
					t.Errorf("%s: child kind %s has no place in the apply order", name, k.GetKind())
				}
				if r < last {
					t.Errorf("%s: %s after a later kind: %s", name, k.GetKind(), summary(kids))
				}
				last = r
			}
		}
	}
}

func manyEnv(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf("VAR_%02d: v%d", (i*17)%n, i)
	}
	return strings.Join(parts, ", ")
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// Children of optional APIs appear exactly when the capability is on.
func TestCapabilitiesGateTheirChildren(t *testing.T) {
	objs := []client.Object{admitted(t, cnpgDomain), admitted(t, orderToCash), admitted(t, helperAgent), admitted(t, console)}
	gated := map[string]func(render.Capabilities) bool{
		"Database":       func(c render.Capabilities) bool { return c.CNPG },
		"ServiceMonitor": func(c render.Capabilities) bool { return c.PrometheusOperator },
		"HTTPRoute":      func(c render.Capabilities) bool { return c.GatewayAPI },
	}
	for _, caps := range []render.Capabilities{
		{CNPG: true}, {PrometheusOperator: true}, {GatewayAPI: true}, allCaps,
	} {
		seen := map[string]bool{}
		for _, obj := range objs {
			kids, err := render.Children(obj, render.Options{Capabilities: caps})
			if err != nil {
				if !caps.CNPG && strings.Contains(err.Error(), "cnpg") {
					continue // the CNPG Domain needs CNPG or a Secret
				}
				t.Fatalf("caps %+v: %v", caps, err)
			}
			for _, k := range kids {
				seen[k.GetKind()] = true
				if strings.Contains(k.GetAPIVersion(), ".") && !strings.HasSuffix(k.GetAPIVersion(), ".k8s.io/v1") && !strings.HasPrefix(k.GetAPIVersion(), "autoscaling") {
					if on, ok := gated[k.GetKind()]; !ok || !on(caps) {
						t.Errorf("caps %+v: %s %s of an optional API", caps, k.GetAPIVersion(), k.GetKind())
					}
				}
			}
		}
		for kind, on := range gated {
			if on(caps) && !seen[kind] {
				t.Errorf("caps %+v: no %s rendered", caps, kind)
			}
		}
	}
}

func TestChildrenRefusesAnUnknownObject(t *testing.T) {
	_, err := render.Children(&unstructured.Unstructured{}, render.Options{})
	if err == nil || !strings.Contains(err.Error(), "not an Ameide primitive") {
		t.Fatalf("error = %v", err)
	}
}

// go test -run - -bench . ./internal/render
func BenchmarkChildrenDomain(b *testing.B) {
	d := admitted(b, salesDomain)
	opts := render.Options{Capabilities: allCaps, OTelEndpoint: "http://otel:4317"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := render.Children(d, opts); err != nil {
			b.Fatal(err)
		}
	}
}
