package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// GatewayRef names the Gateway API Gateway the HTTPRoute attaches to.
type GatewayRef struct {
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
	// +optional
	// +kubebuilder:validation:MaxLength=63
	Namespace string `json:"namespace,omitempty"`
}

// UIAuth is how the surface signs users in.
type UIAuth struct {
	// OIDC client id of the surface.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	ClientID string `json:"clientId"`
	// +optional
	// +kubebuilder:validation:MaxItems=32
	// +listType=set
	Scopes []string `json:"scopes,omitempty"`
}

// UISurfaceSpec declares a UISurface primitive: a web app on the SDK,
// reachable through a Gateway API HTTPRoute.
type UISurfaceSpec struct {
	Workload `json:",inline"`
	// +kubebuilder:default=8080
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Port int32 `json:"port,omitempty"`
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +listType=set
	Hostnames []string `json:"hostnames"`
	// Path prefixes routed to the surface.
	// +kubebuilder:default={"/"}
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:rule="self.all(p, p.startsWith('/'))",message="paths must start with /"
	Paths   []string   `json:"paths,omitempty"`
	Gateway GatewayRef `json:"gateway"`
	// Primitives (by name, same namespace) the surface talks to; each gets an
	// AMEIDE_<NAME>_URL variable.
	// +optional
	// +kubebuilder:validation:MaxItems=32
	// +listType=set
	Uses []string `json:"uses,omitempty"`
	// +optional
	Auth *UIAuth `json:"auth,omitempty"`
}

// UISurface is a UISurface primitive.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=ameide
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type UISurface struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   UISurfaceSpec   `json:"spec"`
	Status PrimitiveStatus `json:"status,omitempty"`
}

// UISurfaceList is a list of UISurfaces.
// +kubebuilder:object:root=true
type UISurfaceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []UISurface `json:"items"`
}
