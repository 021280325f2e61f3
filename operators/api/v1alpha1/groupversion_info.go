// Package v1alpha1 holds the primitive custom resources of the ameide.io API
// group: the six primitive kinds (Domain, Process, Agent, UISurface,
// Projection, Integration; namespaced) and AmeideTenant (cluster-scoped).
//
// The CRD YAML under deploy/crds is generated from these types by
// controller-gen (`operators/hack/generate.sh`); CI fails when it is stale.
//
// +kubebuilder:object:generate=true
// +groupName=ameide.io
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	// GroupVersion is the API group and version of every Ameide primitive.
	GroupVersion = schema.GroupVersion{Group: "ameide.io", Version: "v1alpha1"}

	// SchemeBuilder registers the primitive types with a runtime.Scheme.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)

	// AddToScheme adds the primitive types to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

func addKnownTypes(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion,
		&Domain{}, &DomainList{},
		&Process{}, &ProcessList{},
		&Agent{}, &AgentList{},
		&UISurface{}, &UISurfaceList{},
		&Projection{}, &ProjectionList{},
		&Integration{}, &IntegrationList{},
		&AmeideTenant{}, &AmeideTenantList{},
	)
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}
