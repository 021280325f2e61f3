// Package simenv installs Ameide on the simulated cluster the way a user
// would, for the e2e tests (operators/test/sim) and the cluster benchmark
// (operators/bench/cluster): `deploy/sim/cluster.mjs up` (real etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler + kwok nodes),
// `helm install` of deploy/charts/ameide-operator, then the real manager
// binary run as a process outside the cluster.
//
// Why outside: kwok pods run no code, so the chart's manager Deployment
// becomes Running/Available but nothing runs in it. The binary runs on this
// machine instead, authenticated as the chart's ServiceAccount (a
// TokenRequest token in a kubeconfig of its own), so the chart's
// least-privilege RBAC is what the reconcilers really get.
package simenv

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Release and Namespace of the helm install.
const Release, Namespace = "ameide-operator", "ameide-system"

// Env is a running simulated cluster with the chart installed.
type Env struct {
	Root       string // repository root
	Dir        string // cluster state directory
	Kubeconfig string // admin kubeconfig
	Server     string
	Bin        string // control-plane binaries (kubectl)
	Helm       string
	Operator   string // the built ameide-operator binary
	// OperatorKubeconfig authenticates as the chart's ServiceAccount.
	OperatorKubeconfig string
	Logf               func(format string, args ...any)
}

// RepoRoot finds the repository from dir upward.
func RepoRoot(dir string) (string, error) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "deploy", "sim", "cluster.mjs")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no deploy/sim/cluster.mjs above %s", dir)
		}
		d = parent
	}
}

func output(dir string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}

// Up brings the cluster up in dir (cluster.mjs up), builds the manager
// binary into dir and finds helm. Call Down even when Up fails.
func Up(root, dir string, nodes int, logf func(string, ...any)) (*Env, error) {
	e := &Env{Root: root, Dir: dir, Logf: logf}
	out, err := output(root, "node", "deploy/sim/cluster.mjs", "up", "--dir", filepath.Join(dir, "cluster"),
		"--nodes", strconv.Itoa(nodes), "--json")
	if err != nil {
		return e, err
	}
	var info struct{ Kubeconfig, Server, Dir string }
	if err := json.Unmarshal([]byte(lastLine(out)), &info); err != nil {
		return e, fmt.Errorf("cluster.mjs up printed %q: %w", out, err)
	}
	e.Kubeconfig, e.Server = info.Kubeconfig, info.Server
	if e.Bin, err = output(root, "bash", "operators/hack/control-plane.sh", "kubectl"); err != nil {
		return e, err
	}
	e.Bin = lastLine(e.Bin)
	if e.Helm, err = output(root, "bash", "deploy/hack/tools.sh", "helm"); err != nil {
		return e, err
	}
	e.Operator = filepath.Join(dir, "ameide-operator")
	if _, err := output(filepath.Join(root, "operators"), "go", "build", "-o", e.Operator, "./cmd/ameide-operator"); err != nil {
		return e, err
	}
	return e, nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// Down takes the cluster down (every process of it; the state is deleted).
func (e *Env) Down() error {
	_, err := output(e.Root, "node", "deploy/sim/cluster.mjs", "down", "--dir", filepath.Join(e.Dir, "cluster"))
	return err
}

// Restart restarts one control-plane component (cluster.mjs restart).
func (e *Env) Restart(component string) error {
	_, err := output(e.Root, "node", "deploy/sim/cluster.mjs", "restart", component, "--dir", filepath.Join(e.Dir, "cluster"))
	return err
}

// Kubectl runs the cluster's kubectl as the admin; it returns stdout and
// stderr together with the error.
func (e *Env) Kubectl(stdin string, args ...string) (string, error) {
	cmd := exec.Command(filepath.Join(e.Bin, "kubectl"), append([]string{"--kubeconfig", e.Kubeconfig}, args...)...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("kubectl %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// HelmInstall installs the chart as a user would (CRDs from crds/, RBAC,
// the admission policy, the manager Deployment) and waits for it. The
// manager Deployment's pods run no code under kwok; see the package doc.
func (e *Env) HelmInstall(extra ...string) (string, error) {
	args := append([]string{"install", Release, filepath.Join(e.Root, "deploy", "charts", "ameide-operator"),
		"--namespace", Namespace, "--create-namespace", "--wait", "--timeout", "5m", "--kubeconfig", e.Kubeconfig}, extra...)
	cmd := exec.Command(e.Helm, args...)
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+filepath.Join(e.Dir, "helm", "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(e.Dir, "helm", "config"), "HELM_DATA_HOME="+filepath.Join(e.Dir, "helm", "data"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("helm install: %w\n%s", err, out)
	}
	return string(out), nil
}

// ServiceAccountKubeconfig writes a kubeconfig that authenticates with a
// TokenRequest token of the chart's ServiceAccount (kubectl create token).
func (e *Env) ServiceAccountKubeconfig() (string, error) {
	token, err := e.Kubectl("", "create", "token", Release, "-n", Namespace, "--duration", "24h")
	if err != nil {
		return "", err
	}
	ca := filepath.Join(e.Dir, "cluster", "pki", "ca.crt")
	kc := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: ameide-sim
  cluster:
    server: %s
    certificate-authority: %s
users:
- name: %s
  user:
    token: %s
contexts:
- name: ameide-operator
  context:
    cluster: ameide-sim
    user: %s
current-context: ameide-operator
`, e.Server, ca, Release, strings.TrimSpace(token), Release)
	path := filepath.Join(e.Dir, "operator.kubeconfig")
	if err := os.WriteFile(path, []byte(kc), 0o600); err != nil {
		return "", err
	}
	e.OperatorKubeconfig = path
	return path, nil
}

var sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)`)

// Sum adds the samples of metric whose labels contain every given
// name="value" pair (e.g. controller="process").
func Sum(text, metric string, labels ...string) float64 {
	var sum float64
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		m := sampleLine.FindStringSubmatch(sc.Text())
		if m == nil || m[1] != metric {
			continue
		}
		ok := true
		for _, l := range labels {
			if !strings.Contains(m[2], l) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		if v, err := strconv.ParseFloat(m[3], 64); err == nil {
			sum += v
		}
	}
	return sum
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// WaitCtx is a context for long waits on a loaded machine.
func WaitCtx(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}
