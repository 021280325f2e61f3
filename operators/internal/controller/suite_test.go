package controller_test

// The envtest suite: a real kube-apiserver and etcd (KUBEBUILDER_ASSETS,
// built by operators/hack/control-plane.sh), the CRDs from deploy/crds, and
// the manager the binary runs (internal/manager) with every reconciler but
// the Process one, which process_test.go runs against a real Transformation
// Domain and Temporal dev server. When kube-controller-manager is in
// KUBEBUILDER_ASSETS too, its garbage collector runs against the same API
// server, so "CR deleted -> children gone" is the real owner-reference GC.
//
// envtest runs no Deployment, Job or Pod controllers: where a test needs a
// Deployment Available or a Job Complete/Failed it writes that status itself
// through the status subresource, as those controllers would.
//
// `go test -short` skips every test here.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"ameide.io/operators/internal/controller"
	"ameide.io/operators/internal/manager"
	"ameide.io/operators/internal/render"
)

var (
	testEnv *envtest.Environment
	cfg     *rest.Config
	k8s     client.Client
	// gcRunning: kube-controller-manager's garbage collector runs.
	gcRunning bool
	setupErr  error
	suiteOnce sync.Once
	stopSuite = func() {}
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	stopSuite()
	os.Exit(code)
}

// requireEnv skips under -short and starts the suite on first use.
func requireEnv(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("envtest suite (real kube-apiserver + etcd); skipped with -short")
	}
	suiteOnce.Do(func() { setupErr = startSuite() })
	if setupErr != nil {
		t.Fatalf("envtest suite did not start: %v", setupErr)
	}
}

func startSuite() error {
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		return errors.New("KUBEBUILDER_ASSETS is not set: run operators/hack/control-plane.sh and export the directory it prints (or go test -short)")
	}
	ctrl.SetLogger(zap.New(zap.WriteTo(logSink()), zap.UseDevMode(true)))
	testEnv = &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("..", "..", "..", "deploy", "crds")},
		ErrorIfCRDPathMissing: true,
		BinaryAssetsDirectory: assets,
	}
	var err error
	if cfg, err = testEnv.Start(); err != nil {
		return fmt.Errorf("start envtest: %w", err)
	}
	scheme, err := controller.NewScheme()
	if err != nil {
		return err
	}
	if k8s, err = client.New(cfg, client.Options{Scheme: scheme}); err != nil {
		return err
	}
	stopGC, err := startGarbageCollector(assets)
	if err != nil {
		_ = testEnv.Stop()
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	mgr, err := manager.New(cfg, manager.Options{
		Disabled:     map[string]bool{"process": true},
		Capabilities: &render.Capabilities{},
		// Short backoff: the suite retries faster than production would.
		BackoffBase: 100 * time.Millisecond, BackoffMax: 5 * time.Second,
		MaxConcurrentReconciles: 4,
	})
	if err != nil {
		cancel()
		stopGC()
		_ = testEnv.Stop()
		return err
	}
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	stopSuite = func() {
		cancel()
		<-done
		stopGC()
		_ = testEnv.Stop()
	}
	return nil
}

// logSink sends the manager's logs to a file (AMEIDE_OPERATOR_TEST_LOG) or
// discards them.
func logSink() *os.File {
	if p := os.Getenv("AMEIDE_OPERATOR_TEST_LOG"); p != "" {
		if f, err := os.Create(p); err == nil {
			return f
		}
	}
	f, _ := os.Open(os.DevNull)
	return f
}

// startGarbageCollector runs kube-controller-manager with only its
// garbagecollector controller against the envtest API server, when the
// binary was built (operators/hack/control-plane.sh kube-controller-manager).
func startGarbageCollector(assets string) (func(), error) {
	bin := filepath.Join(assets, "kube-controller-manager")
	if _, err := os.Stat(bin); err != nil {
		return func() {}, nil
	}
	user, err := testEnv.AddUser(envtest.User{Name: "gc", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return nil, fmt.Errorf("envtest user for the garbage collector: %w", err)
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "ameide-gc-")
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(path, kubeconfig, 0o600); err != nil {
		return nil, err
	}
	var out strings.Builder
	cmd := exec.Command(bin, "--kubeconfig="+path, "--controllers=garbagecollector",
		"--leader-elect=false", "--secure-port=0", "--concurrent-gc-syncs=5", "-v=1")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start kube-controller-manager: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	select {
	case <-exited:
		return nil, fmt.Errorf("kube-controller-manager exited at once:\n%s", out.String())
	case <-time.After(2 * time.Second):
	}
	gcRunning = true
	return func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		_ = os.RemoveAll(dir)
	}, nil
}
