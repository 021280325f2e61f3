package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Condition types the operators report. Every condition carries the
// generation it was computed for (metav1.Condition.ObservedGeneration).
const (
	// ConditionReady is True when every child exists with the rendered spec
	// and the workload is available.
	ConditionReady = "Ready"
	// ConditionDegraded is True when the primitive serves but below its
	// declared level (unavailable replicas, projection lag over its bound).
	ConditionDegraded = "Degraded"
	// ConditionRolloutPaused is True while spec.paused holds a rollout back.
	ConditionRolloutPaused = "RolloutPaused"
	// ConditionMigrationFailed is True when a Domain's migration Job failed;
	// the Deployment then keeps running its previous version.
	ConditionMigrationFailed = "MigrationFailed"
	// ConditionDrifted is True when the last reconcile had to revert a child
	// that someone edited, or recreate one that someone deleted.
	ConditionDrifted = "Drifted"
)

// Ownership says who owns a primitive's code.
// +kubebuilder:validation:Enum=platform;tenant
type Ownership string

const (
	// OwnershipPlatform primitives are Ameide's own (sales, order-to-cash, console, ...).
	OwnershipPlatform Ownership = "platform"
	// OwnershipTenant primitives are custom code owned by a tenant; they never
	// run in an `ameide-*` namespace.
	OwnershipTenant Ownership = "tenant"
)

// Autoscaling configures the HorizontalPodAutoscaler of a workload.
// +kubebuilder:validation:XValidation:rule="self.maxReplicas >= self.minReplicas",message="autoscaling.maxReplicas must be >= autoscaling.minReplicas",fieldPath=".maxReplicas"
type Autoscaling struct {
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:default=1
	MinReplicas int32 `json:"minReplicas,omitempty"`
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	MaxReplicas int32 `json:"maxReplicas"`
	// Average CPU utilisation (percent of requests) the HPA aims for.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	// +kubebuilder:default=75
	TargetCPUUtilization int32 `json:"targetCPUUtilization,omitempty"`
}

// Resources are the CPU/memory requests and limits of the main container,
// as Kubernetes quantities ("250m", "256Mi").
type Resources struct {
	// +kubebuilder:default="100m"
	// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]+)?m?$`
	CPURequest string `json:"cpuRequest,omitempty"`
	// +kubebuilder:default="128Mi"
	// +kubebuilder:validation:Pattern=`^[0-9]+(Ki|Mi|Gi)?$`
	MemoryRequest string `json:"memoryRequest,omitempty"`
	// +optional
	// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]+)?m?$`
	CPULimit string `json:"cpuLimit,omitempty"`
	// +kubebuilder:default="512Mi"
	// +kubebuilder:validation:Pattern=`^[0-9]+(Ki|Mi|Gi)?$`
	MemoryLimit string `json:"memoryLimit,omitempty"`
}

// Workload is what every primitive that runs code declares.
// +kubebuilder:validation:XValidation:rule="self.ownership != 'tenant' || has(self.tenant)",message="tenant is required when ownership is tenant",fieldPath=".tenant"
type Workload struct {
	// Container image of the primitive (registry/name:tag or @sha256 digest).
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=512
	Image string `json:"image"`
	// Who owns the code: Ameide (platform) or a tenant (custom code).
	// +kubebuilder:default=platform
	Ownership Ownership `json:"ownership,omitempty"`
	// AmeideTenant id this primitive belongs to; required for tenant-owned primitives.
	// +optional
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$`
	Tenant string `json:"tenant,omitempty"`
	// Replicas when autoscaling is not set.
	// +kubebuilder:default=1
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	Replicas *int32 `json:"replicas,omitempty"`
	// +optional
	Autoscaling *Autoscaling `json:"autoscaling,omitempty"`
	// +optional
	// +kubebuilder:default={}
	Resources Resources `json:"resources,omitempty"`
	// Extra environment for the main container. Names starting with AMEIDE_
	// and OTEL_ are set by the operator and refused here.
	// +optional
	// +kubebuilder:validation:MaxProperties=64
	// +kubebuilder:validation:XValidation:rule="self.all(k, !k.startsWith('AMEIDE_') && !k.startsWith('OTEL_'))",message="env names starting with AMEIDE_ or OTEL_ are reserved for the operator"
	Env map[string]string `json:"env,omitempty"`
	// Paused holds the workload at its current revision: the operator stops
	// applying the Deployment and reports RolloutPaused.
	// +optional
	Paused bool `json:"paused,omitempty"`
}

// PrimitiveStatus is the status every primitive reports.
type PrimitiveStatus struct {
	// Generation of the spec the status was computed for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// SecretKeyRef names one key of a Secret in the primitive's namespace.
type SecretKeyRef struct {
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Key string `json:"key"`
}

// DefinitionRef pins a published design artifact (ProcessDefinition,
// AgentDefinition, ...) of the Transformation Domain by name and version.
type DefinitionRef struct {
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=200
	Name string `json:"name"`
	// Published version.
	// +kubebuilder:validation:Minimum=1
	Version int32 `json:"version"`
}
