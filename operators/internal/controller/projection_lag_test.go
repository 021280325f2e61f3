package controller_test

// The Projection reconciler against the platform's real ProjectionService:
// the TypeScript host the Process tests use (scripts/sdk-contract-host.ts:
// createPlatform with sales, whose projections order-to-cash and graph run
// on in-memory PGlite, and real token verification), asked through the Go
// SDK with a token minted by `ameide token` and read from a token directory.
// A control plane of its own, so the suite's manager (which reads no lag) is
// not involved.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"ameide.io/operators/api/v1alpha1"
	"ameide.io/operators/internal/controller"
	"ameide.io/operators/internal/manager"
	"ameide.io/operators/internal/projectionlag"
	"ameide.io/operators/internal/refcheck"
	"ameide.io/operators/internal/render"
	"ameide.io/operators/test/sim/simenv"
)

// countingReader counts the reads the reconciler makes through the real reader.
type countingReader struct {
	*projectionlag.Reader
	reads atomic.Int64
}

func (c *countingReader) ReadLag(ctx context.Context, p *v1alpha1.Projection, tenant string) (v1alpha1.ProjectionLag, error) {
	c.reads.Add(1)
	return c.Reader.ReadLag(ctx, p, tenant)
}

// Lag read from the platform: within spec.maxLagSeconds -> Degraded=False
// LagWithinLimit, refreshed every interval; a name the platform does not
// serve -> LagNotReported naming it; the platform gone -> LagNotReported with
// the cause, the last lag kept, and reads backing off instead of spinning.
func TestProjectionLagFromPlatform(t *testing.T) {
	requireEnv(t)
	ctx := ctxT(t)

	root, err := simenv.RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	host, err := simenv.StartTSHost(root, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(host.Stop)
	tokens := t.TempDir()
	if err := os.WriteFile(filepath.Join(tokens, "platform"), []byte(token(t, host, "platform", "ameide-operator")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("..", "..", "..", "deploy", "crds")},
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

	disabled := map[string]bool{}
	for _, n := range controller.KindNames() {
		disabled[n] = n != "projection"
	}
	reader := &countingReader{Reader: &projectionlag.Reader{URL: host.URL, Tokens: refcheck.TokenDir(tokens), Timeout: 3 * time.Second}}
	mgr, err := manager.New(cfg2, manager.Options{
		Disabled: disabled, Capabilities: &render.Capabilities{}, Lag: reader, PlatformTenant: "platform",
		BackoffBase: 200 * time.Millisecond, BackoffMax: 2 * time.Second, LagInterval: time.Second,
		SkipControllerNameValidation: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	mctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(mctx) }()
	t.Cleanup(func() { stop(); <-done })

	ns := "projection-lag"
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatal(err)
	}
	newProjection := func(name, definition string) *v1alpha1.Projection {
		p := &v1alpha1.Projection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: v1alpha1.ProjectionSpec{
			Workload:      v1alpha1.Workload{Image: "registry.example/order-to-cash:1"},
			Definition:    v1alpha1.DefinitionRef{Name: definition, Version: 1},
			Storage:       v1alpha1.SecretKeyRef{Name: "read-model-db", Key: "url"},
			MaxLagSeconds: 30,
		}}
		if err := c.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
		// envtest runs no Deployment controller: say Available as it would.
		eventually(t, "mark Deployment "+name+" available", func() error {
			d := &appsv1.Deployment{}
			if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, d); err != nil {
				return err
			}
			n := ptr.Deref(d.Spec.Replicas, 1)
			d.Status = appsv1.DeploymentStatus{
				ObservedGeneration: d.Generation, Replicas: n, UpdatedReplicas: n, ReadyReplicas: n, AvailableReplicas: n,
				Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue,
					Reason: "MinimumReplicasAvailable", LastUpdateTime: metav1.Now(), LastTransitionTime: metav1.Now()}},
			}
			return c.Status().Update(ctx, d)
		})
		return p
	}
	wantDegraded := func(what, name string, status metav1.ConditionStatus, reason string, msgParts ...string) *v1alpha1.Projection {
		t.Helper()
		got := &v1alpha1.Projection{}
		eventually(t, what, func() error {
			if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, got); err != nil {
				return err
			}
			if err := wantCondition(got.Status.Conditions, got.Generation, v1alpha1.ConditionDegraded, status, reason); err != nil {
				return err
			}
			msg := condition(got.Status.Conditions, v1alpha1.ConditionDegraded).Message
			for _, part := range msgParts {
				if !strings.Contains(msg, part) {
					return fmt.Errorf("Degraded message %q does not name %q", msg, part)
				}
			}
			return nil
		})
		return got
	}

	// A running projection of an idle platform: caught up, within the limit.
	newProjection("order-to-cash", "order-to-cash")
	got := wantDegraded("Degraded=False LagWithinLimit", "order-to-cash", metav1.ConditionFalse, controller.ReasonLagWithinLimit, "within spec.maxLagSeconds 30")
	lag := got.Status.Lag
	if lag == nil || lag.State != "running" || lag.SecondsBehind > 30 || lag.EventsBehind < 0 || lag.ReportedAt.IsZero() {
		t.Fatalf("status.lag = %+v; want the platform's running order-to-cash, within 30 s", lag)
	}
	// Read again every interval, though nothing in the cluster changes.
	first := lag.ReportedAt
	eventually(t, "status.lag refreshed", func() error {
		p := &v1alpha1.Projection{}
		if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "order-to-cash"}, p); err != nil {
			return err
		}
		if p.Status.Lag == nil || !p.Status.Lag.ReportedAt.After(first.Time) {
			return fmt.Errorf("reportedAt still %v", first)
		}
		return nil
	})

	// A definition the platform serves no projection for.
	newProjection("orders-by-region", "orders-by-region")
	got = wantDegraded("Degraded=False LagNotReported (not found)", "orders-by-region", metav1.ConditionFalse, controller.ReasonLagNotReported,
		`no projection "orders-by-region"`, "order-to-cash", host.URL)
	if got.Status.Lag != nil {
		t.Errorf("status.lag %+v for a projection the platform does not serve", got.Status.Lag)
	}

	// The platform goes away: the cause is named, the last lag stays, and
	// the reads back off (200 ms doubling to 2 s), no hot requeue.
	host.Stop()
	got = wantDegraded("Degraded=False LagNotReported (unreachable)", "order-to-cash", metav1.ConditionFalse, controller.ReasonLagNotReported,
		`lag of projection "order-to-cash" could not be read`, host.URL, "last lag read")
	if got.Status.Lag == nil || got.Status.Lag.State != "running" {
		t.Errorf("status.lag = %+v; want the last lag read kept", got.Status.Lag)
	}
	before := reader.reads.Load()
	time.Sleep(6 * time.Second)
	// Two Projections, each backing off to at most one read per 2 s (plus
	// the not-found one's 1 s interval) — a spinning reconcile would read
	// hundreds of times.
	if n := reader.reads.Load() - before; n > 20 {
		t.Errorf("%d lag reads in 6 s with the platform down: the reconcile is not backing off", n)
	}
	// Ready is about the workload, not the platform: it stays True.
	if err := wantCondition(got.Status.Conditions, got.Generation, v1alpha1.ConditionReady, metav1.ConditionTrue, controller.ReasonReconciled); err != nil {
		t.Error(err)
	}
}
