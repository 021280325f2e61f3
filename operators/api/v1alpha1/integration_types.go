package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// IntegrationSchedule runs one flow on a cron schedule.
type IntegrationSchedule struct {
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$`
	Name string `json:"name"`
	// Cron schedule (5 fields).
	// +kubebuilder:validation:Pattern=`^(\S+\s+){4}\S+$`
	Cron string `json:"cron"`
	// Flow the schedule runs.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=200
	Flow string `json:"flow"`
}

// IntegrationSpec declares an Integration primitive: a flow runtime that
// connects external systems.
type IntegrationSpec struct {
	Workload `json:",inline"`
	// +optional
	// +kubebuilder:validation:MaxItems=32
	// +listType=map
	// +listMapKey=name
	Schedules []IntegrationSchedule `json:"schedules,omitempty"`
	// Parameters handed to the flows (ConfigMap keys).
	// +optional
	// +kubebuilder:validation:MaxProperties=128
	Parameters map[string]string `json:"parameters,omitempty"`
}

// Integration is an Integration primitive.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=ameide
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Integration struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   IntegrationSpec `json:"spec"`
	Status PrimitiveStatus `json:"status,omitempty"`
}

// IntegrationList is a list of Integrations.
// +kubebuilder:object:root=true
type IntegrationList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Integration `json:"items"`
}
