package simenv

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Operator is the manager, supervised the way the kubelet runs the chart's
// Deployment (restartPolicy Always): a process that exits on its own is
// recorded and started again. kwok pods run no code, so the manager runs
// beside the cluster and this takes the kubelet's place; without it one
// "leader election lost" on a loaded machine (a Lease renewal that missed
// its deadline) would leave every later test without an operator.
// Kill and Stop end the supervision.
type Operator struct {
	MetricsURL string
	HealthURL  string // /healthz, probed like the chart's livenessProbe
	Log        string // log file, appended to by every run

	bin  string
	args []string

	mu      sync.Mutex
	cmd     *exec.Cmd     // the current run
	running chan struct{} // closed when the current run exits
	stopped bool          // Kill or Stop was called
	// livenessKilled is the run the liveness probe killed, if it did.
	livenessKilled *exec.Cmd
	exits          []Exit        // runs that ended on their own
	done           chan struct{} // closed when supervision has ended
}

// Exit is a run of the manager that ended without Kill or Stop.
type Exit struct {
	At   time.Time
	Pid  int
	Err  string // the process state, e.g. "exit status 1"
	Tail string // the end of the log when it exited
}

// LeaderElectionLost reports whether the run ended because its Lease could
// not be renewed: controller-runtime stops the manager then, by design, so
// two leaders never overlap, and the kubelet restarts it.
func (x Exit) LeaderElectionLost() bool { return strings.Contains(x.Tail, "leader election lost") }

func (x Exit) String() string {
	return fmt.Sprintf("pid %d exited at %s (%s)", x.Pid, x.At.Format(time.RFC3339), x.Err)
}

// restartDelay is the pause before a restart (the kubelet's first
// CrashLoopBackOff step is 10 s; the test does not need to wait that long).
const restartDelay = 2 * time.Second

// OperatorOptions are the flags that differ per run.
type OperatorOptions struct {
	TemporalAddress, TransformationURL, ServiceTokenDir string
	Disable                                             string
	MaxConcurrentReconciles                             int
}

// StartOperator runs the manager binary with leader election in the
// release namespace, as the chart's ServiceAccount, and supervises it.
func (e *Env) StartOperator(o OperatorOptions, name string) (*Operator, error) {
	metrics, err := freePort()
	if err != nil {
		return nil, err
	}
	health, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{"run", "--kubeconfig", e.OperatorKubeconfig, "--leader-elect", "--leader-election-namespace", Namespace,
		"--metrics-bind-address", fmt.Sprintf("127.0.0.1:%d", metrics),
		"--health-probe-bind-address", fmt.Sprintf("127.0.0.1:%d", health)}
	if o.TemporalAddress != "" {
		args = append(args, "--temporal-address", o.TemporalAddress)
	}
	if o.TransformationURL != "" {
		args = append(args, "--transformation-url", o.TransformationURL)
	}
	if o.ServiceTokenDir != "" {
		args = append(args, "--service-token-dir", o.ServiceTokenDir)
	}
	if o.Disable != "" {
		args = append(args, "--disable", o.Disable)
	}
	if o.MaxConcurrentReconciles > 0 {
		args = append(args, "--max-concurrent-reconciles", strconv.Itoa(o.MaxConcurrentReconciles))
	}
	op := &Operator{
		MetricsURL: fmt.Sprintf("http://127.0.0.1:%d/metrics", metrics),
		HealthURL:  fmt.Sprintf("http://127.0.0.1:%d/healthz", health),
		Log:        filepath.Join(e.Dir, name+".log"),
		bin:        e.Operator,
		args:       args,
		done:       make(chan struct{}),
	}
	if err := op.launch(); err != nil {
		return nil, err
	}
	// Ready once /metrics answers (the manager serves it before it leads).
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if _, err := op.Metrics(); err == nil {
			break
		}
		op.mu.Lock()
		running := op.running
		op.mu.Unlock()
		select {
		case <-running:
			op.Kill()
			return nil, fmt.Errorf("ameide-operator exited during start-up; log %s:\n%s", op.Log, tail(op.Log, 30))
		case <-time.After(300 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			op.Kill()
			return nil, fmt.Errorf("ameide-operator serves no /metrics after 2 minutes; log:\n%s", tail(op.Log, 30))
		}
	}
	go op.supervise(e.Logf)
	go op.probeLiveness(e.Logf)
	return op, nil
}

// Liveness probing as the chart's Deployment does it: a run whose /healthz
// fails this many times in a row while the process still exists is killed,
// and supervise restarts it. A manager stuck in its shutdown would otherwise
// hold every later test. 60 s in all: past controller-runtime's 30 s
// graceful shutdown, so a manager that is merely stopping is never killed.
const (
	livenessPeriod   = 10 * time.Second
	livenessFailures = 6
)

func (o *Operator) probeLiveness(logf func(string, ...any)) {
	c := http.Client{Timeout: 2 * time.Second}
	failures := 0
	for {
		select {
		case <-o.done:
			return
		case <-time.After(livenessPeriod):
		}
		o.mu.Lock()
		cmd, running := o.cmd, o.running
		o.mu.Unlock()
		select {
		case <-running:
			failures = 0 // exited: supervise restarts it
			continue
		default:
		}
		res, err := c.Get(o.HealthURL)
		if err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				failures = 0
				continue
			}
			err = fmt.Errorf("GET %s: %s", o.HealthURL, res.Status)
		}
		if failures++; failures < livenessFailures {
			continue
		}
		failures = 0
		o.mu.Lock()
		if o.cmd == cmd && !o.stopped {
			o.livenessKilled = cmd
		}
		o.mu.Unlock()
		if logf != nil {
			logf("operator pid %d failed its liveness probe %d times (%v); killing it as the kubelet would", cmd.Process.Pid, livenessFailures, err)
		}
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// launch starts one run of the manager.
func (o *Operator) launch() error {
	f, err := os.OpenFile(o.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(o.bin, o.args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("start %s: %w", o.bin, err)
	}
	running := make(chan struct{})
	o.mu.Lock()
	o.cmd, o.running = cmd, running
	o.mu.Unlock()
	go func() { _ = cmd.Wait(); f.Close(); close(running) }()
	return nil
}

// supervise restarts runs that end on their own, until Kill or Stop.
func (o *Operator) supervise(logf func(string, ...any)) {
	defer close(o.done)
	for {
		o.mu.Lock()
		cmd, running := o.cmd, o.running
		o.mu.Unlock()
		<-running
		o.mu.Lock()
		if o.stopped {
			o.mu.Unlock()
			return
		}
		x := Exit{At: time.Now(), Pid: cmd.Process.Pid, Err: cmd.ProcessState.String(), Tail: tail(o.Log, 40)}
		if o.livenessKilled == cmd {
			x.Err = "killed after failing its liveness probe: " + x.Err
		}
		o.exits = append(o.exits, x)
		o.mu.Unlock()
		if logf != nil {
			logf("operator %s; leader election lost: %v; restarting it as the kubelet would", x, x.LeaderElectionLost())
		}
		time.Sleep(restartDelay)
		o.mu.Lock()
		stopped := o.stopped
		o.mu.Unlock()
		if stopped {
			return
		}
		if err := o.launch(); err != nil {
			if logf != nil {
				logf("operator restart failed: %v", err)
			}
			return
		}
	}
}

// Exits lists the runs that ended on their own so far.
func (o *Operator) Exits() []Exit {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Exit(nil), o.exits...)
}

// Pid of the current run.
func (o *Operator) Pid() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.cmd.Process.Pid
}

// Alive reports whether a run of the manager is executing right now.
func (o *Operator) Alive() bool {
	o.mu.Lock()
	running := o.running
	o.mu.Unlock()
	select {
	case <-running:
		return false
	default:
		return true
	}
}

// Kill ends the supervision and sends SIGKILL (no graceful release of the
// Lease), then waits.
func (o *Operator) Kill() { o.end(syscall.SIGKILL, 0) }

// Stop ends the supervision and sends SIGTERM; after 30 s it kills.
func (o *Operator) Stop() { o.end(syscall.SIGTERM, 30*time.Second) }

func (o *Operator) end(sig syscall.Signal, grace time.Duration) {
	if o == nil {
		return
	}
	o.mu.Lock()
	o.stopped = true
	cmd, running := o.cmd, o.running
	o.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, sig)
	if grace > 0 {
		select {
		case <-running:
		case <-time.After(grace):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	}
	<-running
}

// Metrics fetches the Prometheus text of /metrics.
func (o *Operator) Metrics() (string, error) {
	c := http.Client{Timeout: 5 * time.Second}
	res, err := c.Get(o.MetricsURL)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s", o.MetricsURL, res.Status)
	}
	return string(b), nil
}

// RSSBytes reads VmRSS (and VmHWM, the peak) of the current run from /proc.
func (o *Operator) RSSBytes() (rss, peak int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", o.Pid()))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb * 1024
		case "VmHWM:":
			peak = kb * 1024
		}
	}
	if rss == 0 {
		return 0, 0, errors.New("no VmRSS in /proc status")
	}
	return rss, peak, nil
}

// LogTail is the end of the operator's log, for failure messages.
func (o *Operator) LogTail(n int) string { return tail(o.Log, n) }
