package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Temporal names the Temporal service and namespace a Process runs on.
type Temporal struct {
	// Frontend address (host:port); defaults to the operator's --temporal-address.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	Address string `json:"address,omitempty"`
	// Temporal namespace; it must exist (checked with DescribeNamespace).
	// +kubebuilder:default=default
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=200
	Namespace string `json:"namespace,omitempty"`
	// Task queue the worker polls; defaults to the Process's name.
	// +optional
	// +kubebuilder:validation:MaxLength=200
	TaskQueue string `json:"taskQueue,omitempty"`
}

// ProcessSpec declares a Process primitive: a Temporal worker that executes
// one published ProcessDefinition.
type ProcessSpec struct {
	Workload `json:",inline"`
	// The ProcessDefinition (Transformation Domain) this process executes.
	Definition DefinitionRef `json:"definition"`
	// +optional
	// +kubebuilder:default={}
	Temporal Temporal `json:"temporal,omitempty"`
	// Cron schedule (5 fields) of the scheduled-compensation CronJob; none when empty.
	// +optional
	// +kubebuilder:validation:Pattern=`^(\S+\s+){4}\S+$`
	CompensationSchedule string `json:"compensationSchedule,omitempty"`
}

// ProcessStatus is the observed state of a Process.
type ProcessStatus struct {
	PrimitiveStatus `json:",inline"`
	// Content hash of the published plan the worker runs.
	// +optional
	PlanHash string `json:"planHash,omitempty"`
}

// Process is a Process primitive.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=ameide
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Definition",type=string,JSONPath=`.spec.definition.name`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Process struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ProcessSpec   `json:"spec"`
	Status ProcessStatus `json:"status,omitempty"`
}

// ProcessList is a list of Processes.
// +kubebuilder:object:root=true
type ProcessList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Process `json:"items"`
}
