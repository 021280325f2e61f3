package controller

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"ameide.io/operators/api/v1alpha1"
	"ameide.io/operators/internal/render"
)

// Child kinds the reconcilers apply. The optional ones belong to CRDs a
// cluster may not have (prometheus-operator, Gateway API, CloudNativePG):
// they are watched and applied only when discovery shows the API served.
var (
	gvkDeployment     = schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}
	gvkService        = schema.GroupVersionKind{Version: "v1", Kind: "Service"}
	gvkConfigMap      = schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}
	gvkServiceAccount = schema.GroupVersionKind{Version: "v1", Kind: "ServiceAccount"}
	gvkNamespace      = schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}
	gvkResourceQuota  = schema.GroupVersionKind{Version: "v1", Kind: "ResourceQuota"}
	gvkLimitRange     = schema.GroupVersionKind{Version: "v1", Kind: "LimitRange"}
	gvkHPA            = schema.GroupVersionKind{Group: "autoscaling", Version: "v2", Kind: "HorizontalPodAutoscaler"}
	gvkNetworkPolicy  = schema.GroupVersionKind{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy"}
	gvkJob            = schema.GroupVersionKind{Group: "batch", Version: "v1", Kind: "Job"}
	gvkCronJob        = schema.GroupVersionKind{Group: "batch", Version: "v1", Kind: "CronJob"}
	gvkPDB            = schema.GroupVersionKind{Group: "policy", Version: "v1", Kind: "PodDisruptionBudget"}

	GVKServiceMonitor = schema.GroupVersionKind{Group: "monitoring.coreos.com", Version: "v1", Kind: "ServiceMonitor"}
	GVKHTTPRoute      = schema.GroupVersionKind{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "HTTPRoute"}
	GVKCNPGDatabase   = schema.GroupVersionKind{Group: "postgresql.cnpg.io", Version: "v1", Kind: "Database"}
)

// builtinChildKinds are the built-in kinds any reconciler may own; the
// manager's cache holds only the objects of these kinds that carry
// app.kubernetes.io/managed-by=ameide-operator.
var builtinChildKinds = []schema.GroupVersionKind{
	gvkDeployment, gvkService, gvkConfigMap, gvkServiceAccount, gvkNamespace, gvkResourceQuota,
	gvkLimitRange, gvkHPA, gvkNetworkPolicy, gvkJob, gvkCronJob, gvkPDB,
}

// Kind describes one primitive kind to the generic reconciler: its name
// (flags, field manager), its Go type and the child kinds it owns. The
// reconciler applies, watches and prunes only these kinds.
type Kind struct {
	// Name is the lower-case name used by --disable and in the field
	// manager "ameide-operator-<name>".
	Name string
	// New returns an empty object of the kind.
	New func() client.Object
	// Owns are the built-in child kinds.
	Owns []schema.GroupVersionKind
	// Optional are the child kinds of optional CRD APIs.
	Optional []schema.GroupVersionKind
	// Namespaced is false for AmeideTenant.
	Namespaced bool
}

// Kinds are every reconciler the manager can run, by name.
var Kinds = map[string]Kind{
	"domain": {Name: "domain", New: func() client.Object { return &v1alpha1.Domain{} }, Namespaced: true,
		Owns:     []schema.GroupVersionKind{gvkDeployment, gvkService, gvkHPA, gvkNetworkPolicy, gvkJob, gvkServiceAccount, gvkConfigMap, gvkPDB},
		Optional: []schema.GroupVersionKind{GVKServiceMonitor, GVKCNPGDatabase}},
	"process": {Name: "process", New: func() client.Object { return &v1alpha1.Process{} }, Namespaced: true,
		Owns:     []schema.GroupVersionKind{gvkDeployment, gvkConfigMap, gvkCronJob, gvkServiceAccount, gvkNetworkPolicy, gvkService, gvkPDB},
		Optional: []schema.GroupVersionKind{GVKServiceMonitor}},
	"agent": {Name: "agent", New: func() client.Object { return &v1alpha1.Agent{} }, Namespaced: true,
		Owns:     []schema.GroupVersionKind{gvkDeployment, gvkConfigMap, gvkServiceAccount, gvkNetworkPolicy, gvkService, gvkPDB},
		Optional: []schema.GroupVersionKind{GVKServiceMonitor}},
	"uisurface": {Name: "uisurface", New: func() client.Object { return &v1alpha1.UISurface{} }, Namespaced: true,
		Owns:     []schema.GroupVersionKind{gvkDeployment, gvkService, gvkHPA, gvkConfigMap, gvkServiceAccount, gvkNetworkPolicy, gvkPDB},
		Optional: []schema.GroupVersionKind{GVKHTTPRoute, GVKServiceMonitor}},
	"projection": {Name: "projection", New: func() client.Object { return &v1alpha1.Projection{} }, Namespaced: true,
		Owns:     []schema.GroupVersionKind{gvkDeployment, gvkService, gvkConfigMap, gvkServiceAccount, gvkNetworkPolicy, gvkHPA, gvkPDB},
		Optional: []schema.GroupVersionKind{GVKServiceMonitor}},
	"integration": {Name: "integration", New: func() client.Object { return &v1alpha1.Integration{} }, Namespaced: true,
		Owns:     []schema.GroupVersionKind{gvkDeployment, gvkCronJob, gvkConfigMap, gvkServiceAccount, gvkNetworkPolicy, gvkService, gvkPDB},
		Optional: []schema.GroupVersionKind{GVKServiceMonitor}},
	"tenant": {Name: "tenant", New: func() client.Object { return &v1alpha1.AmeideTenant{} }, Namespaced: false,
		Owns: []schema.GroupVersionKind{gvkNamespace, gvkNetworkPolicy, gvkResourceQuota, gvkLimitRange}},
}

// KindNames lists the reconcilers in a stable order.
func KindNames() []string {
	names := make([]string, 0, len(Kinds))
	for n := range Kinds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ParseKindList parses a comma-separated list of reconciler names
// (--disable=domain,process), naming any unknown entry.
func ParseKindList(list string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		n = strings.ToLower(strings.TrimSpace(n))
		if n == "" {
			continue
		}
		if _, ok := Kinds[n]; !ok {
			return nil, fmt.Errorf("unknown reconciler %q (known: %s)", n, strings.Join(KindNames(), ", "))
		}
		out[n] = true
	}
	return out, nil
}

// served reports whether caps say the optional API of gvk is served.
func served(caps render.Capabilities, gvk schema.GroupVersionKind) bool {
	switch gvk {
	case GVKServiceMonitor:
		return caps.PrometheusOperator
	case GVKHTTPRoute:
		return caps.GatewayAPI
	case GVKCNPGDatabase:
		return caps.CNPG
	}
	return false
}

// childKinds are the kinds this reconciler applies, watches and prunes on
// a cluster with caps.
func (k Kind) childKinds(caps render.Capabilities) []schema.GroupVersionKind {
	out := append([]schema.GroupVersionKind(nil), k.Owns...)
	for _, g := range k.Optional {
		if served(caps, g) {
			out = append(out, g)
		}
	}
	return out
}

// workloadOf returns the Workload part of a primitive (nil for AmeideTenant).
func workloadOf(obj client.Object) *v1alpha1.Workload {
	switch o := obj.(type) {
	case *v1alpha1.Domain:
		return &o.Spec.Workload
	case *v1alpha1.Process:
		return &o.Spec.Workload
	case *v1alpha1.Agent:
		return &o.Spec.Workload
	case *v1alpha1.UISurface:
		return &o.Spec.Workload
	case *v1alpha1.Projection:
		return &o.Spec.Workload
	case *v1alpha1.Integration:
		return &o.Spec.Workload
	}
	return nil
}

// statusOf returns the status part every primitive shares.
func statusOf(obj client.Object) *v1alpha1.PrimitiveStatus {
	switch o := obj.(type) {
	case *v1alpha1.Domain:
		return &o.Status.PrimitiveStatus
	case *v1alpha1.Process:
		return &o.Status.PrimitiveStatus
	case *v1alpha1.Agent:
		return &o.Status
	case *v1alpha1.UISurface:
		return &o.Status
	case *v1alpha1.Projection:
		return &o.Status.PrimitiveStatus
	case *v1alpha1.Integration:
		return &o.Status
	case *v1alpha1.AmeideTenant:
		return &o.Status.PrimitiveStatus
	}
	panic(fmt.Sprintf("controller: %T is not an Ameide primitive", obj))
}

// tenantOf is the tenant a primitive acts for: spec.tenant, or the
// operator's platform tenant for platform primitives that name none.
func tenantOf(obj client.Object, platformTenant string) string {
	if t, ok := obj.(*v1alpha1.AmeideTenant); ok {
		return t.Spec.ID
	}
	if w := workloadOf(obj); w != nil && w.Tenant != "" {
		return w.Tenant
	}
	return platformTenant
}
