package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DatabaseMode says where a Domain's database comes from.
// +kubebuilder:validation:Enum=cnpg;secret
type DatabaseMode string

const (
	// DatabaseCNPG: the operator declares a CloudNativePG Database (and its
	// managed role) in the named CNPG Cluster.
	DatabaseCNPG DatabaseMode = "cnpg"
	// DatabaseSecret: the connection URL is read from an existing Secret.
	DatabaseSecret DatabaseMode = "secret"
)

// DomainDatabase is the Postgres database a Domain owns.
// +kubebuilder:validation:XValidation:rule="self.mode != 'cnpg' || has(self.cluster)",message="database.cluster is required when database.mode is cnpg",fieldPath=".cluster"
// +kubebuilder:validation:XValidation:rule="self.mode != 'secret' || has(self.secretRef)",message="database.secretRef is required when database.mode is secret",fieldPath=".secretRef"
type DomainDatabase struct {
	// +kubebuilder:default=secret
	Mode DatabaseMode `json:"mode,omitempty"`
	// CNPG Cluster (same namespace) that hosts the database.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	Cluster string `json:"cluster,omitempty"`
	// Secret key holding the connection URL.
	// +optional
	SecretRef *SecretKeyRef `json:"secretRef,omitempty"`
	// Database name; defaults to the Domain's name.
	// +optional
	// +kubebuilder:validation:Pattern=`^[a-z_][a-z0-9_]{0,62}$`
	Name string `json:"name,omitempty"`
}

// Migrations describe the Job that migrates the database before a new version rolls out.
type Migrations struct {
	// Image of the migration Job; defaults to the Domain's image.
	// +optional
	// +kubebuilder:validation:MaxLength=512
	Image string `json:"image,omitempty"`
	// Command of the migration container.
	// +kubebuilder:default={"ameide","migrate"}
	// +kubebuilder:validation:MinItems=1
	Command []string `json:"command,omitempty"`
	// Attempts before the Job fails.
	// +kubebuilder:default=2
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=10
	BackoffLimit int32 `json:"backoffLimit,omitempty"`
}

// DomainSpec declares a Domain primitive: a service that owns data in
// Postgres (RLS per tenant), exposes proto APIs and publishes events
// through its outbox.
type DomainSpec struct {
	Workload `json:",inline"`
	// Version of the domain's code and schema; a change runs the migration
	// Job first, then rolls the Deployment.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9][-A-Za-z0-9_.]*$`
	Version string `json:"version"`
	// Port the service listens on (Connect, gRPC and gRPC-Web).
	// +kubebuilder:default=8080
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Port int32 `json:"port,omitempty"`
	// How the domain places tenants: rows of all tenants in one schema under
	// RLS (shared) or one database per tenant (dedicated).
	// +kubebuilder:default=shared
	// +kubebuilder:validation:Enum=shared;dedicated
	TenantMode string         `json:"tenantMode,omitempty"`
	Database   DomainDatabase `json:"database"`
	// +optional
	// +kubebuilder:default={}
	Migrations Migrations `json:"migrations,omitempty"`
	// Primitives (by name, same namespace) allowed to call this domain; the
	// NetworkPolicy admits only them (plus the platform's ingress).
	// +optional
	// +kubebuilder:validation:MaxItems=64
	// +listType=set
	AllowedCallers []string `json:"allowedCallers,omitempty"`
}

// DomainStatus is the observed state of a Domain.
type DomainStatus struct {
	PrimitiveStatus `json:",inline"`
	// Version whose migration Job completed; the Deployment runs it.
	// +optional
	MigratedVersion string `json:"migratedVersion,omitempty"`
	// Version the Deployment currently runs.
	// +optional
	RunningVersion string `json:"runningVersion,omitempty"`
}

// Domain is a Domain primitive.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=ameide
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Version",type=string,JSONPath=`.status.runningVersion`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Domain struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   DomainSpec   `json:"spec"`
	Status DomainStatus `json:"status,omitempty"`
}

// DomainList is a list of Domains.
// +kubebuilder:object:root=true
type DomainList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Domain `json:"items"`
}
