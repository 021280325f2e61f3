package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// SKU is a tenant's isolation tier.
// +kubebuilder:validation:Enum=Shared;Namespace;Private
type SKU string

const (
	// SKUShared tenants share the platform's base primitives; only their custom
	// code gets namespaces (tenant-{id}-{env}-cust).
	SKUShared SKU = "Shared"
	// SKUNamespace tenants get their own base namespace per environment too.
	SKUNamespace SKU = "Namespace"
	// SKUPrivate tenants get base and custom namespaces (and, later, their own cluster).
	SKUPrivate SKU = "Private"
)

// TenantQuota is the ResourceQuota of each of the tenant's namespaces.
type TenantQuota struct {
	// +kubebuilder:default="4"
	// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]+)?m?$`
	CPU string `json:"cpu,omitempty"`
	// +kubebuilder:default="8Gi"
	// +kubebuilder:validation:Pattern=`^[0-9]+(Ki|Mi|Gi|Ti)?$`
	Memory string `json:"memory,omitempty"`
	// +kubebuilder:default=50
	// +kubebuilder:validation:Minimum=1
	Pods int32 `json:"pods,omitempty"`
}

// AmeideTenantSpec declares a tenant and its placement.
type AmeideTenantSpec struct {
	// Tenant id (the token's tenantId claim); immutable.
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="id is immutable"
	ID string `json:"id"`
	// +kubebuilder:validation:MaxLength=200
	// +optional
	DisplayName string `json:"displayName,omitempty"`
	// +kubebuilder:default=Shared
	SKU SKU `json:"sku,omitempty"`
	// Environments the tenant runs in.
	// +kubebuilder:default={"prod"}
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=8
	// +listType=set
	// +kubebuilder:validation:items:Pattern=`^[a-z0-9]{1,12}$`
	Environments []string `json:"environments,omitempty"`
	// +optional
	// +kubebuilder:default={}
	Quota TenantQuota `json:"quota,omitempty"`
}

// AmeideTenantStatus is the observed state of a tenant.
type AmeideTenantStatus struct {
	PrimitiveStatus `json:",inline"`
	// Namespaces the operator manages for the tenant.
	// +optional
	Namespaces []string `json:"namespaces,omitempty"`
}

// AmeideTenant provisions a tenant's namespaces, network isolation and quotas.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,categories=ameide,shortName=tenant
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="SKU",type=string,JSONPath=`.spec.sku`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type AmeideTenant struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   AmeideTenantSpec   `json:"spec"`
	Status AmeideTenantStatus `json:"status,omitempty"`
}

// AmeideTenantList is a list of AmeideTenants.
// +kubebuilder:object:root=true
type AmeideTenantList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []AmeideTenant `json:"items"`
}
