// Command cluster measures the operator at scale on the simulated cluster:
// `helm install` of the chart, the real manager binary (as the chart's
// ServiceAccount, outside the cluster: kwok pods run no code), then a batch
// of CRs applied at once — tenants × 20 primitives (one AmeideTenant, mostly
// Domains, a few UISurfaces) — and, for each batch: time until every CR is
// Ready, reconciles/s, p50/p99 CR → Ready, the manager's RSS and its API
// request rate. Every figure of the last batch is printed with its ratio to
// the first (the baseline, measured in the same run).
//
//	cd operators && go run ./bench/cluster                      # 200 then 1,000 CRs
//	cd operators && go run ./bench/cluster -sizes 200,1000,2000 -nodes 16
//
// Processes are left out: a Process needs the Transformation Domain and
// Temporal, which the e2e suite (operators/test/sim) covers.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"ameide.io/operators/api/v1alpha1"
	"ameide.io/operators/internal/controller"
	"ameide.io/operators/test/sim/simenv"
)

const perTenant = 20 // 1 AmeideTenant + 16 Domains + 3 UISurfaces

type figures struct {
	crs, ready          int
	allReady            time.Duration
	reconcilesPerSec    float64
	p50, p99            time.Duration
	rssMiB, peakMiB     float64
	apiReqPerSec        float64
	children            int
	reconciles, apiReqs float64
}

func main() {
	sizes := flag.String("sizes", "200,1000", "CR counts to apply, in order (multiples of 20); the first is the baseline")
	nodes := flag.Int("nodes", 12, "simulated nodes (250 pods each)")
	timeout := flag.Duration("timeout", 25*time.Minute, "how long one batch may take to become Ready")
	concurrency := flag.Int("concurrency", 2, "the manager's --max-concurrent-reconciles (per reconciler)")
	flag.Parse()
	var counts []int
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < perTenant || n%perTenant != 0 {
			fmt.Fprintf(os.Stderr, "bench cluster: -sizes: %q is not a multiple of %d\n", s, perTenant)
			os.Exit(2)
		}
		counts = append(counts, n)
	}
	if *concurrency < 1 {
		fmt.Fprintln(os.Stderr, "bench cluster: -concurrency must be at least 1")
		os.Exit(2)
	}
	if err := run(counts, *nodes, *timeout, *concurrency); err != nil {
		fmt.Fprintf(os.Stderr, "bench cluster: %v\n", err)
		os.Exit(1)
	}
}

func run(counts []int, nodes int, timeout time.Duration, concurrency int) (err error) {
	root, err := simenv.RepoRoot(".")
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "ameide-bench-cluster-")
	if err != nil {
		return err
	}
	var env *simenv.Env
	var op *simenv.Operator
	var once sync.Once
	teardown := func() {
		once.Do(func() {
			op.Stop()
			if env != nil {
				if e := env.Down(); e != nil {
					fmt.Fprintf(os.Stderr, "cluster down: %v\n", e)
				}
			}
			_ = os.RemoveAll(dir)
		})
	}
	defer teardown()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() { <-sigs; teardown(); os.Exit(1) }()

	say := func(format string, args ...any) { fmt.Fprintf(os.Stderr, "bench cluster: "+format+"\n", args...) }
	t0 := time.Now()
	if env, err = simenv.Up(root, dir, nodes, say); err != nil {
		return err
	}
	if _, err := env.HelmInstall(); err != nil {
		return err
	}
	if _, err := env.ServiceAccountKubeconfig(); err != nil {
		return err
	}
	say("cluster up (%d nodes), chart installed in %s", nodes, time.Since(t0).Round(time.Second))
	cfg, err := clientcmd.BuildConfigFromFlags("", env.Kubeconfig)
	if err != nil {
		return err
	}
	cfg.QPS, cfg.Burst = 200, 400
	scheme, err := controller.NewScheme()
	if err != nil {
		return err
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return err
	}
	if op, err = env.StartOperator(simenv.OperatorOptions{Disable: "process", MaxConcurrentReconciles: concurrency}, "operator"); err != nil {
		return err
	}
	var results []figures
	for i, n := range counts {
		say("batch %d: %d CRs (%d tenants x %d primitives)", i+1, n, n/perTenant, perTenant)
		f, err := batch(c, env, op, fmt.Sprintf("b%d", i+1), n, timeout, say)
		results = append(results, f)
		printFigures(counts[:len(results)], results)
		if err != nil {
			return err
		}
	}
	return nil
}

// batch applies n CRs at once and waits until all are Ready.
func batch(c client.Client, env *simenv.Env, op *simenv.Operator, prefix string, n int, timeout time.Duration,
	say func(string, ...any)) (figures, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout+5*time.Minute)
	defer cancel()
	f := figures{crs: n}
	m0, err := op.Metrics()
	if err != nil {
		return f, err
	}
	var objs []client.Object
	for t := range n / perTenant {
		id := fmt.Sprintf("%s-t%02d", prefix, t)
		objs = append(objs, &v1alpha1.AmeideTenant{
			ObjectMeta: metav1.ObjectMeta{Name: id},
			Spec:       v1alpha1.AmeideTenantSpec{ID: id, SKU: v1alpha1.SKUShared, Environments: []string{"dev"}},
		})
		ns := id
		if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			return f, err
		}
		for d := range 16 {
			one := int32(1)
			objs = append(objs, &v1alpha1.Domain{
				ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("domain-%02d", d)},
				Spec: v1alpha1.DomainSpec{
					Workload: v1alpha1.Workload{Image: "registry.example/domain:1", Replicas: &one},
					Version:  "1",
					Database: v1alpha1.DomainDatabase{Mode: v1alpha1.DatabaseSecret,
						SecretRef: &v1alpha1.SecretKeyRef{Name: "db", Key: "url"}},
				},
			})
		}
		for u := range 3 {
			one := int32(1)
			objs = append(objs, &v1alpha1.UISurface{
				ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("ui-%d", u)},
				Spec: v1alpha1.UISurfaceSpec{
					Workload:  v1alpha1.Workload{Image: "registry.example/ui:1", Replicas: &one},
					Hostnames: []string{fmt.Sprintf("ui-%d.%s.example", u, id)},
					Gateway:   v1alpha1.GatewayRef{Name: "ameide", Namespace: "ameide-ingress"},
				},
			})
		}
	}
	start := time.Now()
	work := make(chan client.Object)
	errs := make(chan error, len(objs))
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for o := range work {
				if err := c.Create(ctx, o); err != nil {
					errs <- fmt.Errorf("create %T %s: %w", o, o.GetName(), err)
				}
			}
		}()
	}
	for _, o := range objs {
		work <- o
	}
	close(work)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return f, err
	}
	say("%d CRs created in %s", len(objs), time.Since(start).Round(time.Millisecond))

	var latencies []time.Duration
	deadline := start.Add(timeout)
	lastLog := time.Now()
	for {
		latencies = latencies[:0]
		ready, err := readyLatencies(ctx, c, prefix, &latencies)
		if err != nil {
			return f, err
		}
		f.ready = ready
		if ready == n {
			f.allReady = time.Since(start)
			break
		}
		if time.Now().After(deadline) {
			f.allReady = time.Since(start)
			break
		}
		if time.Since(lastLog) > 30*time.Second {
			say("%d of %d Ready after %s", ready, n, time.Since(start).Round(time.Second))
			lastLog = time.Now()
		}
		time.Sleep(2 * time.Second)
	}
	m1, err := op.Metrics()
	if err != nil {
		return f, err
	}
	secs := f.allReady.Seconds()
	f.reconciles = simenv.Sum(m1, "controller_runtime_reconcile_total") - simenv.Sum(m0, "controller_runtime_reconcile_total")
	f.apiReqs = simenv.Sum(m1, "rest_client_requests_total") - simenv.Sum(m0, "rest_client_requests_total")
	f.reconcilesPerSec, f.apiReqPerSec = f.reconciles/secs, f.apiReqs/secs
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	if len(latencies) > 0 {
		f.p50 = latencies[len(latencies)*50/100]
		f.p99 = latencies[min(len(latencies)-1, len(latencies)*99/100)]
	}
	rss, peak, err := op.RSSBytes()
	if err != nil {
		return f, err
	}
	f.rssMiB, f.peakMiB = float64(rss)/(1<<20), float64(peak)/(1<<20)
	out, err := env.Kubectl("", "get", "deployments,services,jobs,networkpolicies,resourcequotas,namespaces,horizontalpodautoscalers,httproutes,servicemonitors",
		"-A", "-l", "app.kubernetes.io/managed-by=ameide-operator", "-o", "name")
	if err == nil {
		f.children = len(strings.Fields(out))
	}
	if f.ready < n {
		return f, fmt.Errorf("only %d of %d CRs Ready after %s", f.ready, n, timeout)
	}
	return f, nil
}

// readyLatencies counts the batch's Ready CRs and appends, for each, the
// time from its creation to its Ready=True transition (both server
// timestamps, 1 s resolution).
func readyLatencies(ctx context.Context, c client.Client, prefix string, out *[]time.Duration) (int, error) {
	ready := 0
	add := func(created metav1.Time, conds []metav1.Condition, gen int64) {
		r := meta.FindStatusCondition(conds, v1alpha1.ConditionReady)
		if r != nil && r.Status == metav1.ConditionTrue && r.ObservedGeneration == gen {
			ready++
			*out = append(*out, r.LastTransitionTime.Sub(created.Time))
		}
	}
	var tenants v1alpha1.AmeideTenantList
	if err := c.List(ctx, &tenants); err != nil {
		return 0, err
	}
	for _, t := range tenants.Items {
		if strings.HasPrefix(t.Name, prefix+"-") {
			add(t.CreationTimestamp, t.Status.Conditions, t.Generation)
		}
	}
	var domains v1alpha1.DomainList
	if err := c.List(ctx, &domains); err != nil {
		return 0, err
	}
	for _, d := range domains.Items {
		if strings.HasPrefix(d.Namespace, prefix+"-") {
			add(d.CreationTimestamp, d.Status.Conditions, d.Generation)
		}
	}
	var uis v1alpha1.UISurfaceList
	if err := c.List(ctx, &uis); err != nil {
		return 0, err
	}
	for _, u := range uis.Items {
		if strings.HasPrefix(u.Namespace, prefix+"-") {
			add(u.CreationTimestamp, u.Status.Conditions, u.Generation)
		}
	}
	return ready, nil
}

func printFigures(counts []int, rs []figures) {
	base := rs[0]
	last := rs[len(rs)-1]
	ratio := func(a, b float64) string {
		if b == 0 {
			return "-"
		}
		return fmt.Sprintf("x%.2f", a/b)
	}
	fmt.Printf("\n# cluster: %d CRs (baseline: %d CRs, same run)\n", counts[len(counts)-1], counts[0])
	row := func(name string, v, b float64, unit string) {
		fmt.Printf("  %-28s %12.1f %-6s %12.1f %-6s %s\n", name, v, unit, b, unit, ratio(v, b))
	}
	fmt.Printf("  %-28s %19s %19s %s\n", "figure", fmt.Sprintf("%d CRs", last.crs), fmt.Sprintf("%d CRs", base.crs), "ratio")
	row("CRs Ready", float64(last.ready), float64(base.ready), "")
	row("children in cluster (total)", float64(last.children), float64(base.children), "")
	row("time until all Ready", last.allReady.Seconds(), base.allReady.Seconds(), "s")
	row("reconciles", last.reconciles, base.reconciles, "")
	row("reconciles/s", last.reconcilesPerSec, base.reconcilesPerSec, "/s")
	row("p50 CR -> Ready", last.p50.Seconds(), base.p50.Seconds(), "s")
	row("p99 CR -> Ready", last.p99.Seconds(), base.p99.Seconds(), "s")
	row("operator RSS at the end", last.rssMiB, base.rssMiB, "MiB")
	row("operator peak RSS (VmHWM)", last.peakMiB, base.peakMiB, "MiB")
	row("API requests/s (rest_client)", last.apiReqPerSec, base.apiReqPerSec, "/s")
}
