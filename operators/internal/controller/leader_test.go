package controller_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	crmanager "sigs.k8s.io/controller-runtime/pkg/manager"

	"ameide.io/operators/internal/controller"
	"ameide.io/operators/internal/manager"
)

func allDisabled() map[string]bool {
	d := map[string]bool{}
	for _, n := range controller.KindNames() {
		d[n] = true
	}
	return d
}

func leaseHolder(ctx context.Context, ns, name string) (string, error) {
	l := &coordinationv1.Lease{}
	if err := get(ctx, l, ns, name); err != nil {
		return "", err
	}
	if l.Spec.HolderIdentity == nil {
		return "", nil
	}
	return *l.Spec.HolderIdentity, nil
}

// Two managers with --leader-elect: exactly one runs the leader-only work
// (the reconcilers; here a probe runnable); cancelling it releases the Lease
// and the other takes over.
func TestLeaderElectionHandsOver(t *testing.T) {
	requireEnv(t)
	ctx := ctxT(t)
	ns := newNamespace(t, "leader")
	id := "ameide-operator-" + suffix()

	type member struct {
		name    string
		mgr     ctrl.Manager
		running atomic.Bool
		stop    context.CancelFunc
		done    chan error
	}
	start := func(name string) *member {
		m := &member{name: name, done: make(chan error, 1)}
		mgr, err := manager.New(cfg, manager.Options{
			Disabled: allDisabled(), Capabilities: nil,
			LeaderElect: true, LeaderElectionID: id, LeaderElectionNamespace: ns,
			LeaseDuration: 6 * time.Second, RenewDeadline: 4 * time.Second, RetryPeriod: 500 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		// A runnable that needs leader election, like every reconciler.
		if err := mgr.Add(crmanager.RunnableFunc(func(ctx context.Context) error {
			m.running.Store(true)
			<-ctx.Done()
			m.running.Store(false)
			return nil
		})); err != nil {
			t.Fatal(err)
		}
		m.mgr = mgr
		mctx, cancel := context.WithCancel(context.Background())
		m.stop = cancel
		go func() { m.done <- mgr.Start(mctx) }()
		t.Cleanup(func() { cancel(); <-m.done })
		return m
	}
	a, b := start("a"), start("b")

	var leader, follower *member
	select {
	case <-a.mgr.Elected():
		leader, follower = a, b
	case <-b.mgr.Elected():
		leader, follower = b, a
	case <-time.After(waitTimeout):
		t.Fatal("no manager was elected")
	}
	eventually(t, "leader runs the leader-only work", func() error {
		if !leader.running.Load() {
			return fmt.Errorf("manager %s elected but its runnable is not running", leader.name)
		}
		return nil
	})
	holder, err := leaseHolder(ctx, ns, id)
	if err != nil || holder == "" {
		t.Fatalf("Lease %s/%s: holder %q, %v", ns, id, holder, err)
	}
	select {
	case <-follower.mgr.Elected():
		t.Fatalf("both managers elected")
	default:
	}
	if follower.running.Load() {
		t.Fatalf("the follower runs leader-only work")
	}

	leader.stop()
	if err := <-leader.done; err != nil {
		t.Fatalf("leader stopped with %v", err)
	}
	leader.done <- nil // for the cleanup
	select {
	case <-follower.mgr.Elected():
	case <-time.After(waitTimeout):
		t.Fatal("the follower did not take over the Lease")
	}
	eventually(t, "new leader runs the work", func() error {
		if !follower.running.Load() {
			return fmt.Errorf("manager %s elected but not running", follower.name)
		}
		return nil
	})
	next, err := leaseHolder(ctx, ns, id)
	if err != nil || next == "" || next == holder {
		t.Fatalf("Lease holder after hand-over %q (was %q), %v", next, holder, err)
	}
}

// The real binary, twice, with --leader-elect: SIGKILL the leader (no
// release) and the other acquires the Lease once it expires.
func TestLeaderElectionBinaryKilled(t *testing.T) {
	requireEnv(t)
	ctx := ctxT(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "ameide-operator")
	build := exec.Command("go", "build", "-o", bin, "ameide.io/operators/cmd/ameide-operator")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	user, err := testEnv.AddUser(envtest.User{Name: "operator-" + suffix(), Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kubeconfig, kc, 0o600); err != nil {
		t.Fatal(err)
	}
	ns := newNamespace(t, "leader-bin")
	id := "ameide-operator-" + suffix()
	type proc struct {
		cmd *exec.Cmd
		out *lockedBuffer
	}
	run := func() *proc {
		p := &proc{out: &lockedBuffer{}}
		p.cmd = exec.Command(bin, "run", "--kubeconfig="+kubeconfig, "--leader-elect",
			"--leader-election-id="+id, "--leader-election-namespace="+ns,
			"--metrics-bind-address=0", "--health-probe-bind-address=0",
			"--disable="+strings.Join(controller.KindNames(), ","))
		p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = p.cmd.Process.Kill(); _ = p.cmd.Wait() })
		return p
	}
	procs := []*proc{run(), run()}
	acquired := func(p *proc) bool {
		return strings.Contains(strings.ToLower(p.out.String()), "successfully acquired lease")
	}
	var leader, follower *proc
	eventually(t, "one binary acquires the Lease", func() error {
		switch {
		case acquired(procs[0]) && acquired(procs[1]):
			return fmt.Errorf("both acquired the Lease")
		case acquired(procs[0]):
			leader, follower = procs[0], procs[1]
		case acquired(procs[1]):
			leader, follower = procs[1], procs[0]
		default:
			return fmt.Errorf("none acquired yet:\n%s\n%s", procs[0].out.String(), procs[1].out.String())
		}
		return nil
	})
	holder, err := leaseHolder(ctx, ns, id)
	if err != nil || holder == "" {
		t.Fatalf("Lease holder %q, %v", holder, err)
	}
	if err := leader.cmd.Process.Kill(); err != nil { // SIGKILL: no release
		t.Fatal(err)
	}
	_ = leader.cmd.Wait()
	eventually(t, "the other binary takes over after the Lease expires", func() error {
		if !acquired(follower) {
			return fmt.Errorf("follower has not acquired the Lease:\n%s", follower.out.String())
		}
		return nil
	})
	next, err := leaseHolder(ctx, ns, id)
	if err != nil || next == holder {
		t.Fatalf("Lease holder %q after the kill (was %q), %v", next, holder, err)
	}
}
