// Package sim_test installs Ameide on a simulated Kubernetes cluster and
// checks it end to end: real etcd, kube-apiserver, kube-controller-manager
// and kube-scheduler with kwok nodes (deploy/sim/cluster.mjs), `helm install`
// of the chart, the real ameide-operator binary running outside the cluster
// as the chart's ServiceAccount (kwok pods run no code; see simenv), the
// example primitives applied as plain manifests, faults injected into the
// cluster. TestMain brings everything up once and takes it down at the end,
// also when a test fails or the run times out. Skipped with -short.
package sim_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"ameide.io/operators/internal/controller"
	"ameide.io/operators/test/sim/simenv"
)

var (
	env      *simenv.Env
	k8s      client.Client
	op       *simenv.Operator
	opOpts   simenv.OperatorOptions
	temporal *simenv.Service
	host     *simenv.TSHost
	setupErr error
	opMu     sync.Mutex
)

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("operators/test/sim: skipped with -short (brings up a simulated cluster)")
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "ameide-sim-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var once sync.Once
	teardown := func() {
		once.Do(func() {
			opMu.Lock()
			op.Kill()
			opMu.Unlock()
			if host != nil {
				host.Stop()
			}
			temporal.Stop()
			if env != nil {
				if err := env.Down(); err != nil {
					fmt.Fprintf(os.Stderr, "sim e2e: cluster down: %v\n", err)
				}
			}
			_ = os.RemoveAll(dir)
		})
	}
	// go test's -timeout panics without running deferred calls: tear down a
	// minute before it, so no cluster process outlives the run.
	if f := flag.Lookup("test.timeout"); f != nil {
		if d, err := time.ParseDuration(f.Value.String()); err == nil && d > 2*time.Minute {
			time.AfterFunc(d-time.Minute, func() {
				fmt.Fprintln(os.Stderr, "sim e2e: the run is about to time out; tearing the simulated cluster down")
				teardown()
				os.Exit(1)
			})
		}
	}
	// Ctrl-C / SIGTERM: take everything down before exiting.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		fmt.Fprintf(os.Stderr, "sim e2e: %s; tearing the simulated cluster down\n", sig)
		teardown()
		os.Exit(1)
	}()
	setupErr = setup(dir)
	if setupErr != nil {
		fmt.Fprintf(os.Stderr, "sim e2e setup failed: %v\n", setupErr)
	}
	code := m.Run()
	teardown()
	os.Exit(code)
}

func setup(dir string) error {
	root, err := simenv.RepoRoot(".")
	if err != nil {
		return err
	}
	logf := func(format string, args ...any) { fmt.Fprintf(os.Stderr, "sim e2e: "+format+"\n", args...) }
	// The Temporal dev server and the TS host start while the cluster comes up.
	var wg sync.WaitGroup
	var tErr, hErr error
	wg.Add(2)
	go func() { defer wg.Done(); temporal, tErr = simenv.StartTemporal(dir) }()
	go func() {
		defer wg.Done()
		home := filepath.Join(dir, "host-home")
		if hErr = os.MkdirAll(home, 0o700); hErr == nil {
			host, hErr = simenv.StartTSHost(root, home)
		}
	}()
	t0 := time.Now()
	env, err = simenv.Up(root, dir, 3, logf)
	wg.Wait()
	if err != nil {
		return err
	}
	if tErr != nil {
		return tErr
	}
	if hErr != nil {
		return hErr
	}
	logf("cluster up, operator built, Temporal and TS host ready in %s", time.Since(t0).Round(time.Second))
	if _, err := env.HelmInstall(); err != nil {
		return err
	}
	if _, err := env.ServiceAccountKubeconfig(); err != nil {
		return err
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", env.Kubeconfig)
	if err != nil {
		return err
	}
	cfg.QPS, cfg.Burst = 100, 200
	scheme, err := controller.NewScheme()
	if err != nil {
		return err
	}
	if k8s, err = client.New(cfg, client.Options{Scheme: scheme}); err != nil {
		return err
	}
	// The example Process runs ProcessDefinition order-to-cash v1 for the
	// platform tenant (it names no spec.tenant) on Temporal's default namespace.
	tokens := filepath.Join(dir, "service-tokens")
	if err := os.MkdirAll(tokens, 0o700); err != nil {
		return err
	}
	token, err := host.Token("platform", "ameide-operator")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tokens, "platform"), []byte(token+"\n"), 0o600); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := host.PublishBPMN(ctx, "platform", "order-to-cash", filepath.Join(root, "examples", "processes", "order-to-cash.bpmn")); err != nil {
		return err
	}
	opOpts = simenv.OperatorOptions{TemporalAddress: temporal.Addr, TransformationURL: host.URL, ServiceTokenDir: tokens}
	op, err = env.StartOperator(opOpts, "operator-1")
	return err
}

// requireEnv skips under -short and fails when the setup failed.
func requireEnv(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("brings up a simulated cluster; skipped with -short")
	}
	if setupErr != nil {
		t.Fatalf("simulated cluster setup failed: %v", setupErr)
	}
	// The supervised manager may restart during a test (as the kubelet
	// restarts the chart's pod); a run that ended for another reason than a
	// lost Lease is a crash and fails the test it happened in.
	o := currentOperator()
	seen := len(o.Exits())
	t.Cleanup(func() {
		if cur := currentOperator(); cur != o {
			o, seen = cur, 0
		}
		for _, x := range o.Exits()[seen:] {
			if !x.LeaderElectionLost() {
				t.Errorf("the operator crashed during this test: %s; log:\n%s", x, x.Tail)
			} else {
				t.Logf("the operator lost its Lease and was restarted: %s", x)
			}
		}
	})
}

// operatorHistory describes the current manager's restarts, for failure messages.
func operatorHistory() string {
	o := currentOperator()
	exits := o.Exits()
	if len(exits) == 0 {
		return fmt.Sprintf("operator log tail (%s, never restarted):\n%s", o.Log, o.LogTail(20))
	}
	var b strings.Builder
	for _, x := range exits {
		fmt.Fprintf(&b, "  %s, leader election lost: %v\n", x, x.LeaderElectionLost())
	}
	return fmt.Sprintf("operator restarts:\n%soperator log tail (%s, running: %v):\n%s", b.String(), o.Log, o.Alive(), o.LogTail(20))
}

// currentOperator is the running manager (faults replace it).
func currentOperator() *simenv.Operator {
	opMu.Lock()
	defer opMu.Unlock()
	return op
}

func replaceOperator(t *testing.T, name string) *simenv.Operator {
	t.Helper()
	o, err := env.StartOperator(opOpts, name)
	if err != nil {
		t.Fatalf("restart the operator: %v", err)
	}
	opMu.Lock()
	op = o
	opMu.Unlock()
	return o
}
