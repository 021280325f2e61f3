package controller_test

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"ameide.io/operators/api/v1alpha1"
	"ameide.io/operators/internal/controller"
	"ameide.io/operators/internal/manager"
	"ameide.io/operators/internal/render"
)

// A cnpg Domain on a cluster without CloudNativePG cannot be rendered: the
// reconciler says so in Ready and applies nothing.
func TestDomainCNPGWithoutCNPGRenderFailed(t *testing.T) {
	requireEnv(t)
	ctx := ctxT(t)
	ns := newNamespace(t, "domain-nocnpg")
	d := newDomain(ns, "sales", "v1")
	d.Spec.Database = v1alpha1.DomainDatabase{Mode: v1alpha1.DatabaseCNPG, Cluster: "pg"}
	if err := k8s.Create(ctx, d); err != nil {
		t.Fatal(err)
	}
	eventually(t, "Ready=False RenderFailed", func() error {
		got, err := getDomain(ctx, ns, "sales")
		if err != nil {
			return err
		}
		if err := wantCondition(got.Status.Conditions, got.Generation, v1alpha1.ConditionReady, metav1.ConditionFalse, "RenderFailed"); err != nil {
			return err
		}
		if msg := condition(got.Status.Conditions, v1alpha1.ConditionReady).Message; !strings.Contains(msg, "spec.database") || !strings.Contains(msg, "CNPG") {
			return fmt.Errorf("message %q does not name spec.database and CNPG", msg)
		}
		return nil
	})
	jobs := &batchv1.JobList{}
	if err := childrenOf(ctx, jobs, ns, "sales"); err != nil || len(jobs.Items) != 0 {
		t.Fatalf("children applied for an unrenderable Domain: %d Jobs, %v", len(jobs.Items), err)
	}
}

// On a cluster that serves the optional APIs (the projects' own CRDs,
// deploy/hack/third-party-crds.sh), discovery turns them on: a UISurface
// gets its HTTPRoute, a cnpg Domain its CloudNativePG Database and a
// ServiceMonitor; these unstructured children are watched like the
// built-in ones (deleted -> recreated, edited -> reverted). A control plane
// of its own, so the suite's manager (which discovered no optional API) is
// not involved.
func TestOptionalAPIsDiscovered(t *testing.T) {
	requireEnv(t)
	ctx := ctxT(t)
	out, err := exec.Command("bash", filepath.Join("..", "..", "..", "deploy", "hack", "third-party-crds.sh"), "prometheus", "gateway", "cnpg").Output()
	if err != nil {
		t.Fatalf("third-party-crds.sh: %v", err)
	}
	env := &envtest.Environment{
		CRDDirectoryPaths:     append([]string{filepath.Join("..", "..", "..", "deploy", "crds")}, strings.Fields(string(out))...),
		ErrorIfCRDPathMissing: true,
		BinaryAssetsDirectory: testEnv.BinaryAssetsDirectory,
	}
	cfg2, err := env.Start()
	if err != nil {
		t.Fatalf("second envtest: %v", err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	scheme, err := controller.NewScheme()
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(cfg2, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	caps, err := controller.DiscoverCapabilities(cfg2)
	if err != nil || !caps.CNPG || !caps.GatewayAPI || !caps.PrometheusOperator {
		t.Fatalf("discovery: %+v, %v; want all three optional APIs", caps, err)
	}
	mgr, err := manager.New(cfg2, manager.Options{Disabled: map[string]bool{"process": true}, SkipControllerNameValidation: true})
	if err != nil {
		t.Fatal(err)
	}
	mctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(mctx) }()
	t.Cleanup(func() { stop(); <-done })

	ns := "optional"
	if err := c.Create(ctx, &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}}}); err != nil {
		t.Fatal(err)
	}
	ui := workloadKinds[1].valid(ns, "console").(*v1alpha1.UISurface)
	if err := c.Create(ctx, ui); err != nil {
		t.Fatal(err)
	}
	d := newDomain(ns, "sales", "v1")
	d.Spec.Database = v1alpha1.DomainDatabase{Mode: v1alpha1.DatabaseCNPG, Cluster: "pg"}
	if err := c.Create(ctx, d); err != nil {
		t.Fatal(err)
	}
	getU := func(gvk schema.GroupVersionKind, name string) (*unstructured.Unstructured, error) {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(gvk)
		return u, c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, u)
	}
	var route *unstructured.Unstructured
	eventually(t, "HTTPRoute", func() error {
		var err error
		route, err = getU(controller.GVKHTTPRoute, "console")
		return err
	})
	if err := wantOwned(route, ui, "UISurface"); err != nil {
		t.Error(err)
	}
	hosts, _, _ := unstructured.NestedStringSlice(route.Object, "spec", "hostnames")
	if len(hosts) != 1 || hosts[0] != "console.example.com" {
		t.Errorf("HTTPRoute hostnames %v", hosts)
	}
	var db *unstructured.Unstructured
	eventually(t, "CNPG Database", func() error {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(controller.GVKCNPGDatabase.GroupVersion().WithKind("DatabaseList"))
		if err := c.List(ctx, list, client.InNamespace(ns), client.MatchingLabels{render.LabelName: "sales"}); err != nil {
			return err
		}
		if len(list.Items) != 1 {
			return fmt.Errorf("%d Databases", len(list.Items))
		}
		db = &list.Items[0]
		return nil
	})
	if cluster, _, _ := unstructured.NestedString(db.Object, "spec", "cluster", "name"); cluster != "pg" {
		t.Errorf("Database spec.cluster.name %q, want pg", cluster)
	}
	if err := wantOwned(db, d, "Domain"); err != nil {
		t.Error(err)
	}
	eventually(t, "ServiceMonitor", func() error {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(controller.GVKServiceMonitor.GroupVersion().WithKind("ServiceMonitorList"))
		if err := c.List(ctx, list, client.InNamespace(ns), client.MatchingLabels{render.LabelName: "sales"}); err != nil {
			return err
		}
		if len(list.Items) != 1 {
			return fmt.Errorf("%d ServiceMonitors", len(list.Items))
		}
		return nil
	})

	// Edited HTTPRoute -> reverted; deleted -> recreated.
	if err := unstructured.SetNestedStringSlice(route.Object, []string{"evil.example.com"}, "spec", "hostnames"); err != nil {
		t.Fatal(err)
	}
	if err := c.Update(ctx, route, client.FieldOwner("kubectl-edit")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "HTTPRoute edit reverted", func() error {
		r, err := getU(controller.GVKHTTPRoute, "console")
		if err != nil {
			return err
		}
		if h, _, _ := unstructured.NestedStringSlice(r.Object, "spec", "hostnames"); len(h) != 1 || h[0] != "console.example.com" {
			return fmt.Errorf("hostnames %v", h)
		}
		return nil
	})
	oldUID := route.GetUID()
	if err := c.Delete(ctx, route); err != nil {
		t.Fatal(err)
	}
	eventually(t, "HTTPRoute recreated", func() error {
		r, err := getU(controller.GVKHTTPRoute, "console")
		if err != nil {
			return err
		}
		if r.GetUID() == oldUID {
			return fmt.Errorf("still the old HTTPRoute")
		}
		return nil
	})
}
