// Command bench measures the operator's figures against a real
// kube-apiserver + etcd (envtest, KUBEBUILDER_ASSETS) with the manager in a
// child process of its own (the same manager.New the binary runs), and
// prints each figure with a baseline measured in the same run:
//
//   - reconcile latency, Domain created -> all its children exist, p50/p99
//     over -latency CRs created one at a time; baseline: one server-side
//     apply of a Deployment from this process's client;
//   - CRs per second through the manager (-throughput CRs created at once);
//     baseline: server-side applies of Deployments per second, same concurrency;
//   - the manager's RSS (VmRSS) with -total CRs reconciled; baseline: its RSS
//     idle with no CR.
//
// envtest runs no Job controller: the bench marks each migration Job
// Complete as soon as it sees it (one status write, as the Job controller
// would), so the Deployment, which waits for the migration, appears too.
//
//	KUBEBUILDER_ASSETS=$(operators/hack/control-plane.sh) go run ./bench
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/clientcmd"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"ameide.io/operators/api/v1alpha1"
	"ameide.io/operators/internal/controller"
	"ameide.io/operators/internal/manager"
	"ameide.io/operators/internal/render"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "manager" {
		os.Exit(runManager())
	}
	latencyN := flag.Int("latency", 200, "Domains created one at a time for the latency figure")
	throughputN := flag.Int("throughput", 200, "Domains created at once for the CRs/s figure")
	total := flag.Int("total", 1000, "Domains in the cluster for the RSS figure")
	concurrency := flag.Int("concurrency", 8, "client goroutines creating CRs (and baseline applies)")
	flag.Parse()
	if err := run(*latencyN, *throughputN, *total, *concurrency); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// runManager is the child process: the manager the binary runs, every
// reconciler but Process, against $KUBECONFIG.
func runManager() int {
	ctrl.SetLogger(zap.New())
	cfg, err := clientcmd.BuildConfigFromFlags("", os.Getenv("KUBECONFIG"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cfg.QPS, cfg.Burst = 200, 400
	mgr, err := manager.New(cfg, manager.Options{Disabled: map[string]bool{"process": true}, MaxConcurrentReconciles: 2})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("manager: started")
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func run(latencyN, throughputN, total, concurrency int) error {
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		return errors.New("KUBEBUILDER_ASSETS is not set (operators/hack/control-plane.sh prints the directory)")
	}
	env := &envtest.Environment{
		CRDDirectoryPaths: []string{filepath.Join(moduleDir(), "..", "deploy", "crds")}, ErrorIfCRDPathMissing: true,
		BinaryAssetsDirectory: assets,
	}
	// Every Domain has a Service: envtest's default /24 service range holds
	// only ~250 of them.
	env.ControlPlane.GetAPIServer().Configure().Set("service-cluster-ip-range", "10.96.0.0/12")
	cfg, err := env.Start()
	if err != nil {
		return fmt.Errorf("envtest: %w", err)
	}
	defer func() { _ = env.Stop() }()
	// Interrupted: stop the API server and etcd too, not only this process.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() { <-sig; _ = env.Stop(); os.Exit(130) }()
	cfg.QPS, cfg.Burst = 200, 400
	scheme, err := controller.NewScheme()
	if err != nil {
		return err
	}
	c, err := client.NewWithWatch(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return err
	}
	ctx := context.Background()
	ns := "bench"
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		return err
	}

	// Baselines first, on an idle API server.
	applyOne := func(i int) error {
		u := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "apps/v1", "kind": "Deployment",
			"metadata": map[string]any{"name": fmt.Sprintf("baseline-%04d", i), "namespace": ns},
			"spec": map[string]any{
				"selector": map[string]any{"matchLabels": map[string]any{"app": "baseline"}},
				"template": map[string]any{
					"metadata": map[string]any{"labels": map[string]any{"app": "baseline"}},
					"spec":     map[string]any{"containers": []any{map[string]any{"name": "main", "image": "registry.example/x:1"}}},
				},
			},
		}}
		return c.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner("bench"), client.ForceOwnership)
	}
	var applyLat []time.Duration
	for i := 0; i < 100; i++ {
		t0 := time.Now()
		if err := applyOne(i); err != nil {
			return err
		}
		applyLat = append(applyLat, time.Since(t0))
	}
	t0 := time.Now()
	if err := parallel(200, concurrency, func(i int) error { return applyOne(1000 + i) }); err != nil {
		return err
	}
	applyRate := 200 / time.Since(t0).Seconds()

	// The manager, in a process of its own.
	user, err := env.AddUser(envtest.User{Name: "bench-operator", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return err
	}
	kc, err := user.KubeConfig()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "ameide-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kubeconfig, kc, 0o600); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	mgrCmd := exec.Command(self, "manager")
	mgrCmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	mgrCmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM} // dies with the bench
	mgrLog, err := os.Create(filepath.Join(os.TempDir(), "ameide-bench-manager.log"))
	if err != nil {
		return err
	}
	defer mgrLog.Close()
	mgrCmd.Stderr = mgrLog
	stdout, err := mgrCmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := mgrCmd.Start(); err != nil {
		return err
	}
	defer func() { _ = mgrCmd.Process.Signal(os.Interrupt); _ = mgrCmd.Wait() }()
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || !strings.Contains(line, "started") {
		return fmt.Errorf("manager did not start: %q %v", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()

	w, err := newWatcher(ctx, c, ns)
	if err != nil {
		return err
	}
	// Idle RSS: wait until the manager reconciled one Domain (caches synced,
	// controllers running), then delete nothing and read its RSS before the
	// measured CRs exist.
	if _, _, err := w.createAndWait(ctx, c, ns, "warmup"); err != nil {
		return fmt.Errorf("warm-up Domain: %w", err)
	}
	idleRSS, err := rssKiB(mgrCmd.Process.Pid)
	if err != nil {
		return err
	}

	progress("manager idle RSS %d MiB; latency phase (%d Domains, one at a time)", idleRSS/1024, latencyN)
	// Latency: one Domain at a time.
	var preLat, allLat []time.Duration
	for i := 0; i < latencyN; i++ {
		pre, all, err := w.createAndWait(ctx, c, ns, fmt.Sprintf("lat-%04d", i))
		if err != nil {
			return err
		}
		preLat, allLat = append(preLat, pre), append(allLat, all)
	}

	progress("throughput phase (%d Domains at once)", throughputN)
	// Throughput: many at once.
	t0 = time.Now()
	names := make([]string, throughputN)
	for i := range names {
		names[i] = fmt.Sprintf("tp-%04d", i)
	}
	if err := parallel(throughputN, concurrency, func(i int) error { return c.Create(ctx, domain(ns, names[i])) }); err != nil {
		return err
	}
	if err := w.waitAll(names, 10*time.Minute); err != nil {
		return err
	}
	crRate := float64(throughputN) / time.Since(t0).Seconds()

	progress("RSS phase: up to %d Domains", total)
	// RSS with `total` Domains.
	existing := 1 + latencyN + throughputN
	var rest []string
	for i := existing; i < total; i++ {
		rest = append(rest, fmt.Sprintf("rss-%04d", i))
	}
	if err := parallel(len(rest), concurrency, func(i int) error { return c.Create(ctx, domain(ns, rest[i])) }); err != nil {
		return err
	}
	if err := w.waitAll(rest, 20*time.Minute); err != nil {
		return err
	}
	if err := waitReconciled(ctx, c, ns, total, 10*time.Minute); err != nil {
		return err
	}
	rss, err := rssKiB(mgrCmd.Process.Pid)
	if err != nil {
		return err
	}
	hwm, _ := procStatus(mgrCmd.Process.Pid, "VmHWM:")

	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("ameide-operator figures (envtest kube-apiserver + etcd, %d CPUs, load %s)\n", runtime.NumCPU(), strings.Fields(string(load))[0])
	ap50 := pct(applyLat, 50)
	fmt.Printf("baseline  server-side apply of one Deployment: p50 %s  p99 %s (100 sequential)\n", ms(ap50), ms(pct(applyLat, 99)))
	fmt.Printf("latency   Domain created -> Job, Service, NetworkPolicy exist: p50 %s (%.1fx baseline)  p99 %s (%.1fx)  over %d\n",
		ms(pct(preLat, 50)), ratio(pct(preLat, 50), ap50), ms(pct(preLat, 99)), ratio(pct(preLat, 99), pct(applyLat, 99)), latencyN)
	fmt.Printf("latency   Domain created -> all children incl. Deployment (bench completes the Job): p50 %s (%.1fx)  p99 %s (%.1fx)\n",
		ms(pct(allLat, 50)), ratio(pct(allLat, 50), ap50), ms(pct(allLat, 99)), ratio(pct(allLat, 99), pct(applyLat, 99)))
	fmt.Printf("baseline  server-side applies of Deployments: %.0f/s (%d goroutines)\n", applyRate, concurrency)
	fmt.Printf("rate      Domains through the manager (created -> all children): %.1f CRs/s (%.2f x baseline applies/s; each Domain is 4 applies + 1 status write)\n",
		crRate, crRate/applyRate)
	fmt.Printf("memory    manager RSS idle (1 Domain): %d MiB\n", idleRSS/1024)
	fmt.Printf("memory    manager RSS with %d Domains (%d children): %d MiB (%.1fx idle; VmHWM %s)\n",
		total, total*4, rss/1024, float64(rss)/float64(idleRSS), strings.TrimSpace(hwm))
	return nil
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench %s: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func domain(ns, name string) *v1alpha1.Domain {
	return &v1alpha1.Domain{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.DomainSpec{
			Workload: v1alpha1.Workload{Image: "registry.example/sales:v1"},
			Version:  "v1",
			Database: v1alpha1.DomainDatabase{Mode: v1alpha1.DatabaseSecret, SecretRef: &v1alpha1.SecretKeyRef{Name: name + "-db", Key: "url"}},
		},
	}
}

// watcher records when each Domain's children first appear, and completes
// migration Jobs as the Job controller would.
type watcher struct {
	mu      sync.Mutex
	seen    map[string]map[string]time.Time // domain -> kind -> first seen
	changed chan struct{}
}

func newWatcher(ctx context.Context, c client.WithWatch, ns string) (*watcher, error) {
	w := &watcher{seen: map[string]map[string]time.Time{}, changed: make(chan struct{}, 1)}
	for _, list := range []client.ObjectList{&batchv1.JobList{}, &corev1.ServiceList{}, &networkingv1.NetworkPolicyList{}, &appsv1.DeploymentList{}} {
		wi, err := c.Watch(ctx, list, client.InNamespace(ns), client.MatchingLabels{render.LabelManagedBy: render.ManagedBy})
		if err != nil {
			return nil, err
		}
		go w.consume(ctx, c, wi)
	}
	return w, nil
}

func (w *watcher) consume(ctx context.Context, c client.Client, wi watch.Interface) {
	for ev := range wi.ResultChan() {
		if ev.Type != watch.Added {
			continue
		}
		obj, ok := ev.Object.(client.Object)
		if !ok {
			continue
		}
		now := time.Now()
		kind := fmt.Sprintf("%T", obj)
		owner := obj.GetLabels()[render.LabelName]
		w.mu.Lock()
		if w.seen[owner] == nil {
			w.seen[owner] = map[string]time.Time{}
		}
		if _, ok := w.seen[owner][kind]; !ok {
			w.seen[owner][kind] = now
		}
		w.mu.Unlock()
		select {
		case w.changed <- struct{}{}:
		default:
		}
		if job, ok := obj.(*batchv1.Job); ok {
			go complete(ctx, c, job)
		}
	}
}

func complete(ctx context.Context, c client.Client, j *batchv1.Job) {
	now := metav1.Now()
	start := metav1.NewTime(now.Add(-time.Second))
	for attempt := 0; attempt < 20; attempt++ {
		j.Status.StartTime, j.Status.CompletionTime, j.Status.Succeeded = &start, &now, 1
		j.Status.Conditions = []batchv1.JobCondition{
			{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue, Reason: "CompletionsReached", LastProbeTime: now, LastTransitionTime: now},
			{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, Reason: "CompletionsReached", LastProbeTime: now, LastTransitionTime: now},
		}
		if err := c.Status().Update(ctx, j); err == nil {
			return
		}
		_ = c.Get(ctx, client.ObjectKeyFromObject(j), j)
	}
}

const preKinds, allKinds = 3, 4

// done returns when the pre-migration children (Job, Service,
// NetworkPolicy) and the Deployment of name were first seen.
func (w *watcher) done(name string) (pre, all time.Time, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.seen[name]
	if len(s) < allKinds {
		return pre, all, false
	}
	for k, t := range s {
		if k != "*v1.Deployment" && t.After(pre) {
			pre = t
		}
		if t.After(all) {
			all = t
		}
	}
	return pre, all, true
}

func (w *watcher) kinds(name string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for k := range w.seen[name] {
		out = append(out, k)
	}
	sort.Strings(out)
	return "[" + strings.Join(out, " ") + "]"
}

func (w *watcher) createAndWait(ctx context.Context, c client.Client, ns, name string) (time.Duration, time.Duration, error) {
	t0 := time.Now()
	if err := c.Create(ctx, domain(ns, name)); err != nil {
		return 0, 0, err
	}
	if err := w.waitAll([]string{name}, 2*time.Minute); err != nil {
		return 0, 0, err
	}
	pre, all, _ := w.done(name)
	return pre.Sub(t0), all.Sub(t0), nil
}

func (w *watcher) waitAll(names []string, timeout time.Duration) error {
	deadline := time.After(timeout)
	lastReport := time.Now()
	for {
		missing, firstMissing := 0, ""
		for _, n := range names {
			if _, _, ok := w.done(n); !ok {
				if missing == 0 {
					firstMissing = n
				}
				missing++
			}
		}
		if missing == 0 {
			return nil
		}
		if time.Since(lastReport) > 15*time.Second {
			progress("%d of %d Domains still lack children (%s has %s)", missing, len(names), firstMissing, w.kinds(firstMissing))
			lastReport = time.Now()
		}
		select {
		case <-w.changed:
		case <-time.After(time.Second):
		case <-deadline:
			return fmt.Errorf("%d of %d Domains still lack children after %s", missing, len(names), timeout)
		}
	}
}

// waitReconciled waits until every Domain's status was written for its
// generation (Ready present at observedGeneration).
func waitReconciled(ctx context.Context, c client.Client, ns string, want int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		list := &v1alpha1.DomainList{}
		if err := c.List(ctx, list, client.InNamespace(ns)); err != nil {
			return err
		}
		n := 0
		for _, d := range list.Items {
			if d.Status.ObservedGeneration == d.Generation && len(d.Status.Conditions) > 0 {
				n++
			}
		}
		if n >= want {
			return nil
		}
		progress("%d of %d Domains reconciled", n, want)
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d Domains reconciled after %s", n, want, timeout)
		}
		time.Sleep(time.Second)
	}
}

func parallel(n, workers int, f func(i int) error) error {
	next := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		select {
		case next <- i:
		case err := <-errs:
			close(next)
			wg.Wait()
			return err
		}
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

func procStatus(pid int, field string) (string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field) {
			return strings.TrimSpace(strings.TrimPrefix(line, field)), nil
		}
	}
	return "", fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

func rssKiB(pid int) (int64, error) {
	v, err := procStatus(pid, "VmRSS:")
	if err != nil {
		return 0, err
	}
	var kib int64
	_, err = fmt.Sscanf(v, "%d kB", &kib)
	return kib, err
}

func pct(d []time.Duration, p int) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := (len(s)*p + 99) / 100
	if i < 1 {
		i = 1
	}
	return s[i-1]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

// moduleDir is the operators module (the bench runs from it with go run ./bench).
func moduleDir() string {
	wd, _ := os.Getwd()
	for d := wd; d != filepath.Dir(d); d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil && fileContains(filepath.Join(d, "go.mod"), "module ameide.io/operators") {
			return d
		}
	}
	return wd
}

func fileContains(path, s string) bool {
	b, err := os.ReadFile(path)
	return err == nil && strings.Contains(string(b), s)
}
