// Package render builds the children the operator applies for a primitive
// custom resource. The functions are pure: no cluster, no clock, no I/O, so
// `ameide-operator render` (GitOps review) and the reconcilers share one code
// path and the unit tier tests them in microseconds.
package render

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Labels every child carries.
const (
	LabelManagedBy = "app.kubernetes.io/managed-by"
	ManagedBy      = "ameide-operator"
	LabelKind      = "ameide.io/primitive-kind"
	LabelName      = "ameide.io/primitive-name"
	// LabelComponent says what the child is for the reconciler: ComponentWorkload
	// (the Deployment), ComponentMigration (a Domain's migration Job), ...
	LabelComponent     = "ameide.io/component"
	ComponentWorkload  = "workload"
	ComponentMigration = "migration"
	// LabelTenant is the AmeideTenant id: on a tenant's namespaces and on
	// every child of a primitive that names spec.tenant.
	LabelTenant = "ameide.io/tenant"
)

// Capabilities are the optional APIs the target cluster serves; children of
// an absent API are left out (or replaced, e.g. a Secret reference instead
// of a CNPG Database).
type Capabilities struct {
	CNPG               bool // postgresql.cnpg.io/v1 Database
	PrometheusOperator bool // monitoring.coreos.com/v1 ServiceMonitor
	GatewayAPI         bool // gateway.networking.k8s.io/v1 HTTPRoute
}

// Options are the operator-wide settings children depend on.
type Options struct {
	Capabilities Capabilities
	// OTLP endpoint injected as OTEL_EXPORTER_OTLP_ENDPOINT.
	OTelEndpoint string
	// Default Temporal frontend for Processes that name none.
	TemporalAddress string
	// Base URL of the Transformation Domain (design artifacts).
	TransformationURL string
	// Content hash of the published plan of a Process (from its status), if known.
	PlanHash string
	// Issuer (iss) and JWKS URL of the bearer tokens RPC primitives (Domain,
	// Projection) verify: AMEIDE_TOKEN_ISSUER and AMEIDE_JWKS_URL, which
	// `ameide serve` needs to start; left out when empty.
	TokenIssuer string
	JWKSURL     string
	// Namespace of the platform's ingress (Gateway) pods, the only
	// namespace a Domain's NetworkPolicy admits besides its callers;
	// DefaultIngressNamespace when empty.
	IngressNamespace string
}

// Children returns the objects to apply for obj (a *v1alpha1.Domain,
// *v1alpha1.Process, ...), each with apiVersion, kind, namespace (except
// cluster-scoped ones), name and the labels above, in apply order. Owner
// references are not set here: the reconciler adds them.
func Children(obj client.Object, opts Options) ([]*unstructured.Unstructured, error) {
	return children(obj, opts)
}
