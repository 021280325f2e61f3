package render

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"ameide.io/operators/api/v1alpha1"
)

// Labels on a tenant's namespaces.
const (
	LabelEnvironment   = "ameide.io/environment"
	LabelNamespaceRole = "ameide.io/namespace-role"
	// NamespaceRoleBase holds the tenant's own copy of platform primitives
	// (Namespace and Private SKUs); NamespaceRoleCustom its custom code.
	NamespaceRoleBase   = "base"
	NamespaceRoleCustom = "cust"
)

// TenantNamespace is one namespace of a tenant.
type TenantNamespace struct {
	Name        string
	Environment string
	Role        string // NamespaceRoleBase or NamespaceRoleCustom
}

// TenantNamespaces lists the namespaces of t's SKU, per environment in
// spec order: Shared → tenant-{id}-{env}-cust (platform primitives are
// shared); Namespace and Private → tenant-{id}-{env}-base and -cust.
func TenantNamespaces(t *v1alpha1.AmeideTenant) []TenantNamespace {
	var out []TenantNamespace
	for _, env := range t.Spec.Environments {
		if t.Spec.SKU == v1alpha1.SKUNamespace || t.Spec.SKU == v1alpha1.SKUPrivate {
			out = append(out, TenantNamespace{Name: fmt.Sprintf("tenant-%s-%s-base", t.Spec.ID, env), Environment: env, Role: NamespaceRoleBase})
		}
		out = append(out, TenantNamespace{Name: fmt.Sprintf("tenant-%s-%s-cust", t.Spec.ID, env), Environment: env, Role: NamespaceRoleCustom})
	}
	return out
}

// tenantChildren renders an AmeideTenant: its namespaces (pod security
// "restricted" enforced), and in each a default-deny NetworkPolicy and the
// ResourceQuota of spec.quota.
func tenantChildren(t *v1alpha1.AmeideTenant, _ Options) ([]*unstructured.Unstructured, error) {
	if t.Spec.ID == "" {
		return nil, fmt.Errorf("spec.id is empty")
	}
	hard := corev1.ResourceList{}
	for _, q := range []struct {
		field, value string
		name         corev1.ResourceName
	}{
		{"cpu", t.Spec.Quota.CPU, corev1.ResourceRequestsCPU},
		{"memory", t.Spec.Quota.Memory, corev1.ResourceRequestsMemory},
		{"memory", t.Spec.Quota.Memory, corev1.ResourceLimitsMemory},
	} {
		if q.value == "" {
			continue
		}
		v, err := resource.ParseQuantity(q.value)
		if err != nil {
			return nil, fmt.Errorf("spec.quota.%s %q: %w", q.field, q.value, err)
		}
		hard[q.name] = v
	}
	if t.Spec.Quota.Pods > 0 {
		hard[corev1.ResourcePods] = *resource.NewQuantity(int64(t.Spec.Quota.Pods), resource.DecimalSI)
	}

	var out []*unstructured.Unstructured
	for _, ns := range TenantNamespaces(t) {
		labels := map[string]string{
			LabelManagedBy:     ManagedBy,
			LabelKind:          "AmeideTenant",
			LabelName:          t.Name,
			LabelTenant:        t.Spec.ID,
			LabelEnvironment:   ns.Environment,
			LabelNamespaceRole: ns.Role,
			// Tenant code runs under the "restricted" Pod Security Standard.
			"pod-security.kubernetes.io/enforce": "restricted",
			"pod-security.kubernetes.io/audit":   "restricted",
			"pod-security.kubernetes.io/warn":    "restricted",
		}
		namespace, err := toUnstructured(&corev1.Namespace{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
			ObjectMeta: metav1.ObjectMeta{Name: ns.Name, Labels: withComponent(labels, "namespace")},
		})
		if err != nil {
			return nil, err
		}
		quota, err := toUnstructured(&corev1.ResourceQuota{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ResourceQuota"},
			ObjectMeta: metav1.ObjectMeta{Name: "tenant-quota", Namespace: ns.Name, Labels: withComponent(tenantChildLabels(t, ns), "quota")},
			Spec:       corev1.ResourceQuotaSpec{Hard: hard},
		})
		if err != nil {
			return nil, err
		}
		// Default deny both ways for every pod of the namespace; DNS is the
		// one egress left open. Primitives placed here add their own
		// policies for what they may reach.
		deny, err := toUnstructured(&networkingv1.NetworkPolicy{
			TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
			ObjectMeta: metav1.ObjectMeta{Name: "default-deny", Namespace: ns.Name, Labels: withComponent(tenantChildLabels(t, ns), "network-policy")},
			Spec: networkingv1.NetworkPolicySpec{
				PodSelector: metav1.LabelSelector{},
				PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
				Egress:      []networkingv1.NetworkPolicyEgressRule{dnsEgress()},
			},
		})
		if err != nil {
			return nil, err
		}
		out = append(out, namespace, quota, deny)
	}
	return out, nil
}

func tenantChildLabels(t *v1alpha1.AmeideTenant, ns TenantNamespace) map[string]string {
	return map[string]string{
		LabelManagedBy:   ManagedBy,
		LabelKind:        "AmeideTenant",
		LabelName:        t.Name,
		LabelTenant:      t.Spec.ID,
		LabelEnvironment: ns.Environment,
	}
}

func withComponent(labels map[string]string, component string) map[string]string {
	out := make(map[string]string, len(labels)+1)
	for k, v := range labels {
		out[k] = v
	}
	out[LabelComponent] = component
	return out
}
