package sim_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"ameide.io/operators/api/v1alpha1"
	"ameide.io/operators/internal/render"
)

// waitLong is how long a wait may take on a loaded 2-core machine; no test
// asserts a duration, only that the state is reached within it.
const waitLong = 4 * time.Minute

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// eventually retries fn until it returns nil, failing with its last error.
func eventually(t *testing.T, what string, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	var err error
	for time.Now().Before(deadline) {
		if err = fn(); err == nil {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("%s: not reached within %s: %v\n%s", what, waitLong, err, operatorHistory())
}

func kubectl(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, err := env.Kubectl(stdin, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func example(name string) string {
	return filepath.Join(env.Root, "examples", "primitives", name)
}

func createNamespace(t *testing.T, name string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := k8s.Create(context.Background(), ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create namespace %s: %v", name, err)
	}
}

// statusOf returns the conditions and generation of a primitive.
func conditionsOf(obj client.Object) []metav1.Condition {
	switch o := obj.(type) {
	case *v1alpha1.Domain:
		return o.Status.Conditions
	case *v1alpha1.Process:
		return o.Status.Conditions
	case *v1alpha1.UISurface:
		return o.Status.Conditions
	case *v1alpha1.AmeideTenant:
		return o.Status.Conditions
	}
	panic(fmt.Sprintf("conditionsOf: %T", obj))
}

// wantCondition waits for condition typ of obj to have status (and reason,
// when given) for the object's current generation.
func wantCondition(t *testing.T, obj client.Object, typ string, status metav1.ConditionStatus, reason string) client.Object {
	t.Helper()
	key := client.ObjectKeyFromObject(obj)
	what := fmt.Sprintf("%T %s: %s=%s", obj, key, typ, status)
	if reason != "" {
		what += " (" + reason + ")"
	}
	eventually(t, what, func() error {
		if err := k8s.Get(context.Background(), key, obj); err != nil {
			return err
		}
		c := meta.FindStatusCondition(conditionsOf(obj), typ)
		if c == nil {
			return fmt.Errorf("no %s condition yet", typ)
		}
		if c.ObservedGeneration != obj.GetGeneration() {
			return fmt.Errorf("%s is for generation %d, the object is at %d", typ, c.ObservedGeneration, obj.GetGeneration())
		}
		if c.Status != status || (reason != "" && c.Reason != reason) {
			return fmt.Errorf("%s=%s reason %s: %s", typ, c.Status, c.Reason, c.Message)
		}
		return nil
	})
	return obj
}

func condition(obj client.Object, typ string) *metav1.Condition {
	return meta.FindStatusCondition(conditionsOf(obj), typ)
}

// children lists the objects of type list labelled as children of the
// primitive name in ns.
func children(t *testing.T, list client.ObjectList, ns, name string) {
	t.Helper()
	if err := k8s.List(context.Background(), list, client.InNamespace(ns),
		client.MatchingLabels{render.LabelName: name}); err != nil {
		t.Fatalf("list %T of %s/%s: %v", list, ns, name, err)
	}
}

// deploymentAvailable waits for the Deployment ns/name to be Available with
// every replica ready, as the real Deployment controller reports it.
func deploymentAvailable(t *testing.T, ns, name string) *appsv1.Deployment {
	t.Helper()
	d := &appsv1.Deployment{}
	eventually(t, fmt.Sprintf("Deployment %s/%s Available", ns, name), func() error {
		if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, d); err != nil {
			return err
		}
		want := int32(1)
		if d.Spec.Replicas != nil {
			want = *d.Spec.Replicas
		}
		for _, c := range d.Status.Conditions {
			if c.Type == appsv1.DeploymentAvailable && c.Status == corev1.ConditionTrue && d.Status.AvailableReplicas == want {
				return nil
			}
		}
		return fmt.Errorf("%d of %d replicas available, conditions %v", d.Status.AvailableReplicas, want, d.Status.Conditions)
	})
	return d
}

func domain(ns, name, version string, replicas int32) *v1alpha1.Domain {
	return &v1alpha1.Domain{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.DomainSpec{
			Workload: v1alpha1.Workload{Image: "registry.example/" + name + ":" + version, Replicas: &replicas},
			Version:  version,
			Database: v1alpha1.DomainDatabase{Mode: v1alpha1.DatabaseSecret,
				SecretRef: &v1alpha1.SecretKeyRef{Name: name + "-db", Key: "url"}},
		},
	}
}

func containsAll(s string, parts ...string) error {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return fmt.Errorf("%q does not contain %q", s, p)
		}
	}
	return nil
}
