package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ProjectionSpec declares a Projection primitive: a read-model workload
// that consumes events and serves queries.
type ProjectionSpec struct {
	Workload `json:",inline"`
	// The projection definition; its name is also the projection's name in
	// the platform's ProjectionService (e.g. order-to-cash, graph), which the
	// operator asks for the lag.
	Definition DefinitionRef `json:"definition"`
	// Secret key holding the read-model database URL.
	Storage SecretKeyRef `json:"storage"`
	// Lag (seconds behind the log head) above which the projection is Degraded.
	// +kubebuilder:default=60
	// +kubebuilder:validation:Minimum=1
	MaxLagSeconds int32 `json:"maxLagSeconds,omitempty"`
}

// ProjectionLag is how far the projection is behind the event log, as the
// platform's ProjectionService (GetProjectionStatus) reported it when the
// operator last asked.
type ProjectionLag struct {
	// Events committed to the log that the projection has not applied yet
	// (the largest of its sources).
	EventsBehind int64 `json:"eventsBehind"`
	// Age of the oldest of them in whole seconds, rounded up (0 when caught up).
	SecondsBehind int64 `json:"secondsBehind"`
	// When the lag was read.
	ReportedAt metav1.Time `json:"reportedAt"`
	// The projection's state on the platform: running, rebuilding (the current
	// tables serve while a rebuild runs) or stopped.
	// +optional
	State string `json:"state,omitempty"`
	// Events the projection dead-lettered that are still open.
	// +optional
	DeadLetters int64 `json:"deadLetters,omitempty"`
}

// ProjectionStatus is the observed state of a Projection.
type ProjectionStatus struct {
	PrimitiveStatus `json:",inline"`
	// Read by the operator from the platform's ProjectionService for the
	// projection named spec.definition.name (every --projection-lag-interval);
	// Degraded is derived from it. The last lag read stays when a later read
	// fails (Degraded then says LagNotReported and why). An operator without
	// --projections-url reads nothing and uses what others wrote here.
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
