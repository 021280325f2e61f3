package controller_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"ameide.io/operators/api/v1alpha1"
	"ameide.io/operators/internal/render"
)

// conditionsOf returns the status conditions of any primitive.
func conditionsOf(obj client.Object) []metav1.Condition {
	switch o := obj.(type) {
	case *v1alpha1.Domain:
		return o.Status.Conditions
	case *v1alpha1.Process:
		return o.Status.Conditions
	case *v1alpha1.Agent:
		return o.Status.Conditions
	case *v1alpha1.UISurface:
		return o.Status.Conditions
	case *v1alpha1.Projection:
		return o.Status.Conditions
	case *v1alpha1.Integration:
		return o.Status.Conditions
	case *v1alpha1.AmeideTenant:
		return o.Status.Conditions
	}
	panic(fmt.Sprintf("%T", obj))
}

func observedGeneration(obj client.Object) int64 {
	switch o := obj.(type) {
	case *v1alpha1.Agent:
		return o.Status.ObservedGeneration
	case *v1alpha1.UISurface:
		return o.Status.ObservedGeneration
	case *v1alpha1.Projection:
		return o.Status.ObservedGeneration
	case *v1alpha1.Integration:
		return o.Status.ObservedGeneration
	case *v1alpha1.Process:
		return o.Status.ObservedGeneration
	case *v1alpha1.AmeideTenant:
		return o.Status.ObservedGeneration
	}
	panic(fmt.Sprintf("%T", obj))
}

// workloadKind is one row of the table the workload kinds share.
type workloadKind struct {
	kind string
	// valid returns a valid CR of the kind.
	valid func(ns, name string) client.Object
	// setImage changes the image of a CR in place.
	setImage func(obj client.Object, image string)
	// other is a child besides the Deployment (deleted, then expected back).
	other func(obj client.Object) (client.Object, string)
	// invalid returns a CR the schema refuses, and what the refusal must name.
	invalid func(ns string) (client.Object, []string)
}

var workloadKinds = []workloadKind{
	{
		kind: "Agent",
		valid: func(ns, name string) client.Object {
			return &v1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: v1alpha1.AgentSpec{
				Workload:   v1alpha1.Workload{Image: "registry.example/agent:1"},
				Definition: v1alpha1.DefinitionRef{Name: "order-triage", Version: 1},
				Tools:      []string{"ameide.sales.v1.OrderService/GetOrder"},
			}}
		},
		setImage: func(o client.Object, img string) { o.(*v1alpha1.Agent).Spec.Image = img },
		other: func(o client.Object) (client.Object, string) {
			return &corev1.ConfigMap{}, render.ToolGrantConfigMapName(o.(*v1alpha1.Agent))
		},
		invalid: func(ns string) (client.Object, []string) {
			a := &v1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "bad-tools"}, Spec: v1alpha1.AgentSpec{
				Workload:   v1alpha1.Workload{Image: "registry.example/agent:1"},
				Definition: v1alpha1.DefinitionRef{Name: "order-triage", Version: 1},
				Tools:      []string{"delete everything"},
			}}
			return a, []string{"spec.tools[0]"}
		},
	},
	{
		kind: "UISurface",
		valid: func(ns, name string) client.Object {
			return &v1alpha1.UISurface{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: v1alpha1.UISurfaceSpec{
				Workload:  v1alpha1.Workload{Image: "registry.example/console:1"},
				Hostnames: []string{"console.example.com"},
				Gateway:   v1alpha1.GatewayRef{Name: "public"},
				Uses:      []string{"sales"},
			}}
		},
		setImage: func(o client.Object, img string) { o.(*v1alpha1.UISurface).Spec.Image = img },
		other:    func(o client.Object) (client.Object, string) { return &corev1.Service{}, o.GetName() },
		invalid: func(ns string) (client.Object, []string) {
			s := &v1alpha1.UISurface{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "bad-paths"}, Spec: v1alpha1.UISurfaceSpec{
				Workload:  v1alpha1.Workload{Image: "registry.example/console:1"},
				Hostnames: []string{"console.example.com"},
				Gateway:   v1alpha1.GatewayRef{Name: "public"},
				Paths:     []string{"console"},
			}}
			return s, []string{"spec.paths", "paths must start with /"}
		},
	},
	{
		kind: "Projection",
		valid: func(ns, name string) client.Object {
			return &v1alpha1.Projection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: v1alpha1.ProjectionSpec{
				Workload:      v1alpha1.Workload{Image: "registry.example/orders-view:1"},
				Definition:    v1alpha1.DefinitionRef{Name: "orders-by-customer", Version: 1},
				Storage:       v1alpha1.SecretKeyRef{Name: "orders-view-db", Key: "url"},
				MaxLagSeconds: 30,
			}}
		},
		setImage: func(o client.Object, img string) { o.(*v1alpha1.Projection).Spec.Image = img },
		other:    func(o client.Object) (client.Object, string) { return &corev1.Service{}, o.GetName() },
		invalid: func(ns string) (client.Object, []string) {
			p := &v1alpha1.Projection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "bad-lag"}, Spec: v1alpha1.ProjectionSpec{
				Workload:      v1alpha1.Workload{Image: "registry.example/orders-view:1"},
				Definition:    v1alpha1.DefinitionRef{Name: "orders-by-customer", Version: 1},
				Storage:       v1alpha1.SecretKeyRef{Name: "orders-view-db", Key: "url"},
				MaxLagSeconds: -5,
			}}
			return p, []string{"spec.maxLagSeconds"}
		},
	},
	{
		kind: "Integration",
		valid: func(ns, name string) client.Object {
			return &v1alpha1.Integration{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: v1alpha1.IntegrationSpec{
				Workload:   v1alpha1.Workload{Image: "registry.example/erp-sync:1"},
				Schedules:  []v1alpha1.IntegrationSchedule{{Name: "nightly", Cron: "0 2 * * *", Flow: "sync-orders"}},
				Parameters: map[string]string{"erpUrl": "https://erp.example"},
			}}
		},
		setImage: func(o client.Object, img string) { o.(*v1alpha1.Integration).Spec.Image = img },
		other: func(o client.Object) (client.Object, string) {
			in := o.(*v1alpha1.Integration)
			return &batchv1.CronJob{}, render.ScheduleCronJobName(in, in.Spec.Schedules[0])
		},
		invalid: func(ns string) (client.Object, []string) {
			in := &v1alpha1.Integration{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "bad-cron"}, Spec: v1alpha1.IntegrationSpec{
				Workload:  v1alpha1.Workload{Image: "registry.example/erp-sync:1"},
				Schedules: []v1alpha1.IntegrationSchedule{{Name: "nightly", Cron: "every night", Flow: "sync-orders"}},
			}}
			return in, []string{"spec.schedules[0].cron"}
		},
	},
}

// Every workload kind: create -> children with the expected spec and owner
// references; Ready follows the Deployment; an image change rolls the pod
// template; a deleted child comes back; an edited Deployment is reverted; an
// invalid CR is refused naming the field.
func TestWorkloadKinds(t *testing.T) {
	requireEnv(t)
	for _, wk := range workloadKinds {
		t.Run(wk.kind, func(t *testing.T) {
			ctx := ctxT(t)
			ns := newNamespace(t, strings.ToLower(wk.kind))
			name := "p-" + strings.ToLower(wk.kind)
			obj := wk.valid(ns, name)
			if err := k8s.Create(ctx, obj); err != nil {
				t.Fatalf("create: %v", err)
			}
			dep := &appsv1.Deployment{}
			eventually(t, "Deployment", func() error { return get(ctx, dep, ns, name) })
			if err := wantOwned(dep, obj, wk.kind); err != nil {
				t.Error(err)
			}
			oldImage := mainImage(dep)
			if !strings.HasPrefix(oldImage, "registry.example/") {
				t.Errorf("Deployment image %q", oldImage)
			}
			other, otherName := wk.other(obj)
			eventually(t, "other child", func() error { return get(ctx, other, ns, otherName) })
			if err := wantOwned(other, obj, wk.kind); err != nil {
				t.Error(err)
			}

			eventually(t, "Ready=False until the Deployment is available", func() error {
				if err := get(ctx, obj, ns, name); err != nil {
					return err
				}
				return wantCondition(conditionsOf(obj), obj.GetGeneration(), v1alpha1.ConditionReady, metav1.ConditionFalse, "")
			})
			markAvailable(t, ns, name)
			eventually(t, "Ready=True", func() error {
				if err := get(ctx, obj, ns, name); err != nil {
					return err
				}
				if observedGeneration(obj) != obj.GetGeneration() {
					return fmt.Errorf("observedGeneration %d, generation %d", observedGeneration(obj), obj.GetGeneration())
				}
				return wantCondition(conditionsOf(obj), obj.GetGeneration(), v1alpha1.ConditionReady, metav1.ConditionTrue, "Reconciled")
			})

			// Update -> rollout: the pod template gets the new image, and
			// Ready waits for the Deployment controller to observe it.
			wk.setImage(obj, "registry.example/next:2")
			if err := k8s.Update(ctx, obj); err != nil {
				t.Fatalf("update: %v", err)
			}
			eventually(t, "rollout to the new image", func() error {
				if err := get(ctx, dep, ns, name); err != nil {
					return err
				}
				if mainImage(dep) != "registry.example/next:2" {
					return fmt.Errorf("image %q", mainImage(dep))
				}
				return nil
			})
			eventually(t, "Ready=False RolloutInProgress at the new generation", func() error {
				if err := get(ctx, obj, ns, name); err != nil {
					return err
				}
				return wantCondition(conditionsOf(obj), obj.GetGeneration(), v1alpha1.ConditionReady, metav1.ConditionFalse, "RolloutInProgress")
			})
			markAvailable(t, ns, name)
			eventually(t, "Ready=True after the rollout", func() error {
				if err := get(ctx, obj, ns, name); err != nil {
					return err
				}
				return wantCondition(conditionsOf(obj), obj.GetGeneration(), v1alpha1.ConditionReady, metav1.ConditionTrue, "Reconciled")
			})

			// Deleted child -> recreated.
			if err := get(ctx, other, ns, otherName); err != nil {
				t.Fatal(err)
			}
			oldUID := other.GetUID()
			if err := k8s.Delete(ctx, other); err != nil {
				t.Fatal(err)
			}
			eventually(t, "child recreated", func() error {
				if err := get(ctx, other, ns, otherName); err != nil {
					return err
				}
				if other.GetUID() == oldUID {
					return fmt.Errorf("still the old object")
				}
				return nil
			})
			eventually(t, "Drifted=True ChildRecreated", func() error {
				if err := get(ctx, obj, ns, name); err != nil {
					return err
				}
				if err := wantCondition(conditionsOf(obj), obj.GetGeneration(), v1alpha1.ConditionDrifted, metav1.ConditionTrue, "ChildRecreated"); err != nil {
					return err
				}
				if !strings.Contains(driftOf(conditionsOf(obj)), otherName) {
					return fmt.Errorf("Drifted does not name %s: %s", otherName, driftOf(conditionsOf(obj)))
				}
				return nil
			})

			// Edited Deployment -> reverted, Drifted.
			eventually(t, "edit the Deployment", func() error {
				if err := get(ctx, dep, ns, name); err != nil {
					return err
				}
				dep.Spec.Template.Spec.Containers[0].Image = "evil.example/x:1"
				return k8s.Update(ctx, dep, client.FieldOwner("kubectl-edit"))
			})
			eventually(t, "edit reverted", func() error {
				if err := get(ctx, dep, ns, name); err != nil {
					return err
				}
				if mainImage(dep) != "registry.example/next:2" {
					return fmt.Errorf("image %q", mainImage(dep))
				}
				return nil
			})
			eventually(t, "Drifted=True", func() error {
				if err := get(ctx, obj, ns, name); err != nil {
					return err
				}
				return wantCondition(conditionsOf(obj), obj.GetGeneration(), v1alpha1.ConditionDrifted, metav1.ConditionTrue, "ChildReverted")
			})

			bad, parts := wk.invalid(ns)
			wantRefused(t, bad, parts...)
		})
	}
}

// A Projection is Degraded while the lag its workload reports exceeds
// spec.maxLagSeconds.
func TestProjectionLagDegraded(t *testing.T) {
	requireEnv(t)
	ctx := ctxT(t)
	ns := newNamespace(t, "projection-lag")
	p := workloadKinds[2].valid(ns, "orders-view").(*v1alpha1.Projection)
	if err := k8s.Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	eventually(t, "Deployment", func() error { return get(ctx, &appsv1.Deployment{}, ns, "orders-view") })
	markAvailable(t, ns, "orders-view")
	report := func(seconds int64) {
		eventually(t, "report lag", func() error {
			if err := get(ctx, p, ns, "orders-view"); err != nil {
				return err
			}
			p.Status.Lag = &v1alpha1.ProjectionLag{EventsBehind: seconds * 10, SecondsBehind: seconds, ReportedAt: metav1.NewTime(time.Now().Truncate(time.Second))}
			return k8s.Status().Update(ctx, p)
		})
	}
	report(120)
	eventually(t, "Degraded=True LagOverLimit", func() error {
		if err := get(ctx, p, ns, "orders-view"); err != nil {
			return err
		}
		if err := wantCondition(p.Status.Conditions, p.Generation, v1alpha1.ConditionDegraded, metav1.ConditionTrue, "LagOverLimit"); err != nil {
			return err
		}
		if msg := condition(p.Status.Conditions, v1alpha1.ConditionDegraded).Message; !strings.Contains(msg, "120 s") || !strings.Contains(msg, "30") {
			return fmt.Errorf("message %q names neither the lag nor the limit", msg)
		}
		return nil
	})
	report(3)
	eventually(t, "Degraded=False LagWithinLimit", func() error {
		if err := get(ctx, p, ns, "orders-view"); err != nil {
			return err
		}
		return wantCondition(p.Status.Conditions, p.Generation, v1alpha1.ConditionDegraded, metav1.ConditionFalse, "LagWithinLimit")
	})
}

// Dropping an Integration schedule prunes its CronJob; the other stays.
func TestIntegrationScheduleRemovedPrunesCronJob(t *testing.T) {
	requireEnv(t)
	ctx := ctxT(t)
	ns := newNamespace(t, "integration-prune")
	in := workloadKinds[3].valid(ns, "erp").(*v1alpha1.Integration)
	in.Spec.Schedules = append(in.Spec.Schedules, v1alpha1.IntegrationSchedule{Name: "hourly", Cron: "0 * * * *", Flow: "sync-stock"})
	if err := k8s.Create(ctx, in); err != nil {
		t.Fatal(err)
	}
	nightly, hourly := render.ScheduleCronJobName(in, in.Spec.Schedules[0]), render.ScheduleCronJobName(in, in.Spec.Schedules[1])
	cj := &batchv1.CronJob{}
	eventually(t, "hourly CronJob", func() error { return get(ctx, cj, ns, hourly) })
	if cj.Spec.Schedule != "0 * * * *" {
		t.Errorf("schedule %q", cj.Spec.Schedule)
	}
	eventually(t, "drop hourly", func() error {
		if err := get(ctx, in, ns, "erp"); err != nil {
			return err
		}
		in.Spec.Schedules = in.Spec.Schedules[:1]
		return k8s.Update(ctx, in)
	})
	eventually(t, "hourly CronJob pruned", func() error {
		err := get(ctx, &batchv1.CronJob{}, ns, hourly)
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("still there: %v", err)
	})
	if err := get(ctx, &batchv1.CronJob{}, ns, nightly); err != nil {
		t.Fatalf("nightly CronJob: %v", err)
	}
}

var _ = context.Background

// The schema refuses invalid Processes, naming the field (the Process
// reconciler itself runs in process_test.go).
func TestProcessInvalidRefusedBySchema(t *testing.T) {
	requireEnv(t)
	ns := newNamespace(t, "process-invalid")
	valid := func(name string) *v1alpha1.Process {
		return &v1alpha1.Process{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: v1alpha1.ProcessSpec{
			Workload:   v1alpha1.Workload{Image: "registry.example/order-flow:1"},
			Definition: v1alpha1.DefinitionRef{Name: "order-to-cash", Version: 1},
		}}
	}
	cron := valid("bad-cron")
	cron.Spec.CompensationSchedule = "nightly"
	wantRefused(t, cron, "spec.compensationSchedule")
	version := valid("bad-version")
	version.Spec.Definition.Version = -1
	wantRefused(t, version, "spec.definition.version")
	image := valid("no-image")
	image.Spec.Image = ""
	wantRefused(t, image, "spec.image")
}
