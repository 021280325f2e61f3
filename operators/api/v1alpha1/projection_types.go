package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ProjectionSpec declares a Projection primitive: a read-model workload
// that consumes events and serves queries.
type ProjectionSpec struct {
	Workload   `json:",inline"`
	Definition DefinitionRef `json:"definition"`
	// Secret key holding the read-model database URL.
	Storage SecretKeyRef `json:"storage"`
	// Lag (seconds behind the log head) above which the projection is Degraded.
	// +kubebuilder:default=60
	// +kubebuilder:validation:Minimum=1
	MaxLagSeconds int32 `json:"maxLagSeconds,omitempty"`
}

// ProjectionLag is the lag the projection workload reports.
type ProjectionLag struct {
	EventsBehind  int64       `json:"eventsBehind"`
	SecondsBehind int64       `json:"secondsBehind"`
	ReportedAt    metav1.Time `json:"reportedAt"`
}

// ProjectionStatus is the observed state of a Projection.
type ProjectionStatus struct {
	PrimitiveStatus `json:",inline"`
	// Written by the projection workload; the operator derives Degraded from it.
	// +optional
	Lag *ProjectionLag `json:"lag,omitempty"`
}

// Projection is a Projection primitive.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=ameide
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Lag",type=integer,JSONPath=`.status.lag.secondsBehind`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Projection struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ProjectionSpec   `json:"spec"`
	Status ProjectionStatus `json:"status,omitempty"`
}

// ProjectionList is a list of Projections.
// +kubebuilder:object:root=true
type ProjectionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Projection `json:"items"`
}
