package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// AgentSpec declares an Agent primitive: the agent runtime executing one
// published AgentDefinition with an allowlist of SDK methods as tools.
type AgentSpec struct {
	Workload   `json:",inline"`
	Definition DefinitionRef `json:"definition"`
	// Secret key holding the model provider's API key; none for the embedded model.
	// +optional
	ModelSecretRef *SecretKeyRef `json:"modelSecretRef,omitempty"`
	// Proto methods the agent may call ("ameide.sales.v1.OrderService/GetOrder").
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=128
	// +listType=set
	// +kubebuilder:validation:items:Pattern=`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*\.[A-Z][A-Za-z0-9]*/[A-Z][A-Za-z0-9]*$`
	Tools []string `json:"tools"`
}

// Agent is an Agent primitive.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=ameide
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Agent struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   AgentSpec       `json:"spec"`
	Status PrimitiveStatus `json:"status,omitempty"`
}

// AgentList is a list of Agents.
// +kubebuilder:object:root=true
type AgentList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Agent `json:"items"`
}
