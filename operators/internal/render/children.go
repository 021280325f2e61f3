package render

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"ameide.io/operators/api/v1alpha1"
)

// children dispatches on the primitive's Go type; each kind's builder lives
// in the file named after it (domain.go, process.go, ...).
func children(obj client.Object, opts Options) ([]*unstructured.Unstructured, error) {
	var (
		out []*unstructured.Unstructured
		err error
	)
	switch o := obj.(type) {
	case *v1alpha1.Domain:
		out, err = domainChildren(o, opts)
	case *v1alpha1.Process:
		out, err = processChildren(o, opts)
	case *v1alpha1.Agent:
		out, err = agentChildren(o, opts)
	case *v1alpha1.UISurface:
		out, err = uiSurfaceChildren(o, opts)
	case *v1alpha1.Projection:
		out, err = projectionChildren(o, opts)
	case *v1alpha1.Integration:
		out, err = integrationChildren(o, opts)
	case *v1alpha1.AmeideTenant:
		out, err = tenantChildren(o, opts)
	default:
		return nil, fmt.Errorf("render: %T is not an Ameide primitive", obj)
	}
	if err != nil {
		return nil, fmt.Errorf("render %s %s: %w", kindOf(obj), client.ObjectKeyFromObject(obj), err)
	}
	sortForApply(out)
	return out, nil
}

func kindOf(obj client.Object) string {
	switch obj.(type) {
	case *v1alpha1.Domain:
		return "Domain"
	case *v1alpha1.Process:
		return "Process"
	case *v1alpha1.Agent:
		return "Agent"
	case *v1alpha1.UISurface:
		return "UISurface"
	case *v1alpha1.Projection:
		return "Projection"
	case *v1alpha1.Integration:
		return "Integration"
	case *v1alpha1.AmeideTenant:
		return "AmeideTenant"
	}
	return fmt.Sprintf("%T", obj)
}

// applyRank is the order children are applied (and printed) in:
// namespaces, then what constrains them, then configuration, then the
// database and the Service, then workloads (the migration Job before the
// Deployment it gates), then what watches or routes to workloads.
var applyRank = map[string]int{
	"Namespace":               0,
	"ResourceQuota":           1,
	"NetworkPolicy":           2,
	"ConfigMap":               3,
	"Database":                4,
	"Service":                 5,
	"Job":                     6,
	"Deployment":              7,
	"HorizontalPodAutoscaler": 8,
	"CronJob":                 9,
	"ServiceMonitor":          10,
	"HTTPRoute":               11,
}

func sortForApply(objs []*unstructured.Unstructured) {
	sort.SliceStable(objs, func(i, j int) bool {
		a, b := objs[i], objs[j]
		ra, rb := rankOf(a.GetKind()), rankOf(b.GetKind())
		if ra != rb {
			return ra < rb
		}
		if a.GetNamespace() != b.GetNamespace() {
			return a.GetNamespace() < b.GetNamespace()
		}
		return a.GetName() < b.GetName()
	})
}

func rankOf(kind string) int {
	if r, ok := applyRank[kind]; ok {
		return r
	}
	return len(applyRank)
}

// toUnstructured converts a typed child (apiVersion and kind set) and drops
// what a server fills in (status, null creationTimestamps), so the output
// reads like a manifest and server-side apply claims no status fields.
func toUnstructured(obj runtime.Object) (*unstructured.Unstructured, error) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, fmt.Errorf("convert %T: %w", obj, err)
	}
	delete(m, "status")
	dropNullTimestamps(m)
	return &unstructured.Unstructured{Object: m}, nil
}

func dropNullTimestamps(v interface{}) {
	switch t := v.(type) {
	case map[string]interface{}:
		for k, e := range t {
			if k == "creationTimestamp" && e == nil {
				delete(t, k)
				continue
			}
			dropNullTimestamps(e)
		}
	case []interface{}:
		for _, e := range t {
			dropNullTimestamps(e)
		}
	}
}

// crdObject builds a child of a CRD kind we have no Go types for
// (ServiceMonitor, HTTPRoute, CNPG Database): plain unstructured content.
func crdObject(apiVersion, kind, namespace, name string, labels map[string]string, spec map[string]interface{}) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]interface{}{"spec": spec}}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	u.SetNamespace(namespace)
	u.SetName(name)
	u.SetLabels(labels)
	return u
}

// childName is base-suffix, shortened to max characters with a hash of the
// full name kept at the end so two long names stay distinct.
func childName(base, suffix string, max int) string {
	full := base
	if suffix != "" {
		full = base + "-" + suffix
	}
	if len(full) <= max {
		return full
	}
	h := shortHash(full)
	keep := max - len(h) - 1
	return strings.TrimRight(full[:keep], "-.") + "-" + h
}

// shortHash is the first 10 hex digits of the SHA-256 of the parts (joined
// with NUL, so ("ab","c") and ("a","bc") differ).
func shortHash(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])[:10]
}
