package controller_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"ameide.io/operators/api/v1alpha1"
	"ameide.io/operators/internal/render"
)

// An AmeideTenant gets the namespaces of its SKU, each with default-deny
// NetworkPolicies and a ResourceQuota, all owned by the (cluster-scoped)
// tenant; status lists the namespaces; a quota edited or deleted comes back;
// a move to a smaller SKU prunes the namespace it no longer has.
func TestTenantNamespaces(t *testing.T) {
	requireEnv(t)
	ctx := ctxT(t)
	id := "acme-" + suffix()
	tenant := &v1alpha1.AmeideTenant{
		ObjectMeta: metav1.ObjectMeta{Name: id},
		Spec: v1alpha1.AmeideTenantSpec{ID: id, SKU: v1alpha1.SKUNamespace, Environments: []string{"prod"},
			Quota: v1alpha1.TenantQuota{CPU: "2", Memory: "4Gi", Pods: 20}},
	}
	if err := k8s.Create(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	base, cust := "tenant-"+id+"-prod-base", "tenant-"+id+"-prod-cust"
	eventually(t, "Ready with status.namespaces", func() error {
		if err := get(ctx, tenant, "", id); err != nil {
			return err
		}
		if !slices.Equal(tenant.Status.Namespaces, []string{base, cust}) {
			return fmt.Errorf("status.namespaces %v", tenant.Status.Namespaces)
		}
		return wantCondition(tenant.Status.Conditions, tenant.Generation, v1alpha1.ConditionReady, metav1.ConditionTrue, "Reconciled")
	})
	for _, name := range []string{base, cust} {
		ns := &corev1.Namespace{}
		if err := get(ctx, ns, "", name); err != nil {
			t.Fatalf("namespace %s: %v", name, err)
		}
		if err := wantOwned(ns, tenant, "AmeideTenant"); err != nil {
			t.Error(err)
		}
		if ns.Labels[render.LabelTenant] != id {
			t.Errorf("namespace %s labels %v", name, ns.Labels)
		}
		quotas := &corev1.ResourceQuotaList{}
		if err := childrenOf(ctx, quotas, name, id); err != nil {
			t.Fatal(err)
		}
		if len(quotas.Items) != 1 {
			t.Fatalf("%s: %d ResourceQuotas", name, len(quotas.Items))
		}
		q := quotas.Items[0]
		if err := wantOwned(&q, tenant, "AmeideTenant"); err != nil {
			t.Error(err)
		}
		if got := q.Spec.Hard[corev1.ResourcePods]; got.Cmp(resource.MustParse("20")) != 0 {
			t.Errorf("%s quota pods %s", name, got.String())
		}
		policies := &networkingv1.NetworkPolicyList{}
		if err := childrenOf(ctx, policies, name, id); err != nil {
			t.Fatal(err)
		}
		denyIngress := false
		for _, p := range policies.Items {
			if len(p.Spec.PodSelector.MatchLabels) == 0 && len(p.Spec.Ingress) == 0 && slices.Contains(p.Spec.PolicyTypes, networkingv1.PolicyTypeIngress) {
				denyIngress = true
			}
		}
		if !denyIngress {
			t.Errorf("%s: no default-deny ingress NetworkPolicy among %d", name, len(policies.Items))
		}
	}

	// Edited quota -> reverted; deleted quota -> recreated.
	quotas := &corev1.ResourceQuotaList{}
	if err := childrenOf(ctx, quotas, cust, id); err != nil || len(quotas.Items) != 1 {
		t.Fatalf("quota of %s: %v %d", cust, err, len(quotas.Items))
	}
	q := quotas.Items[0]
	q.Spec.Hard[corev1.ResourcePods] = resource.MustParse("500")
	if err := k8s.Update(ctx, &q, client.FieldOwner("kubectl-edit")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "quota reverted", func() error {
		got := &corev1.ResourceQuota{}
		if err := get(ctx, got, cust, q.Name); err != nil {
			return err
		}
		if p := got.Spec.Hard[corev1.ResourcePods]; p.Cmp(resource.MustParse("20")) != 0 {
			return fmt.Errorf("pods %s", p.String())
		}
		return nil
	})
	eventually(t, "Drifted=True ChildReverted", func() error {
		if err := get(ctx, tenant, "", id); err != nil {
			return err
		}
		return wantCondition(tenant.Status.Conditions, tenant.Generation, v1alpha1.ConditionDrifted, metav1.ConditionTrue, "ChildReverted")
	})
	if err := k8s.Delete(ctx, &q); err != nil {
		t.Fatal(err)
	}
	eventually(t, "quota recreated", func() error {
		got := &corev1.ResourceQuota{}
		if err := get(ctx, got, cust, q.Name); err != nil {
			return err
		}
		if got.UID == q.UID {
			return fmt.Errorf("still the old quota")
		}
		return nil
	})

	// Namespace -> Shared: the base namespace is pruned. envtest runs no
	// namespace controller, so a pruned namespace stays Terminating.
	eventually(t, "move to Shared", func() error {
		if err := get(ctx, tenant, "", id); err != nil {
			return err
		}
		tenant.Spec.SKU = v1alpha1.SKUShared
		return k8s.Update(ctx, tenant)
	})
	eventually(t, "base namespace pruned", func() error {
		ns := &corev1.Namespace{}
		err := get(ctx, ns, "", base)
		if apierrors.IsNotFound(err) || (err == nil && ns.DeletionTimestamp != nil) {
			return nil
		}
		return fmt.Errorf("base namespace still active (err %v)", err)
	})
	eventually(t, "status.namespaces without base", func() error {
		if err := get(ctx, tenant, "", id); err != nil {
			return err
		}
		if !slices.Equal(tenant.Status.Namespaces, []string{cust}) {
			return fmt.Errorf("status.namespaces %v", tenant.Status.Namespaces)
		}
		return nil
	})
}

// The schema refuses a changed tenant id and an unknown SKU.
func TestTenantInvalidRefused(t *testing.T) {
	requireEnv(t)
	ctx := ctxT(t)
	id := "immut-" + suffix()
	tenant := &v1alpha1.AmeideTenant{ObjectMeta: metav1.ObjectMeta{Name: id}, Spec: v1alpha1.AmeideTenantSpec{ID: id}}
	if err := k8s.Create(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	tenant.Spec.ID = "someone-else"
	err := k8s.Update(ctx, tenant)
	if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "spec.id") || !strings.Contains(err.Error(), "id is immutable") {
		t.Fatalf("changing spec.id: %v; want Invalid naming spec.id and \"id is immutable\"", err)
	}
	bad := &v1alpha1.AmeideTenant{ObjectMeta: metav1.ObjectMeta{Name: "bad-sku-" + suffix()}, Spec: v1alpha1.AmeideTenantSpec{ID: "bad", SKU: "Gold"}}
	wantRefused(t, bad, "spec.sku", "Unsupported value")
}
