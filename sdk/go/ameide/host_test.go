package ameide_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The contract tests call the real platform host of this repository
// (scripts/sdk-contract-host.ts: createPlatform on in-memory PGlite with the
// sales domain and EventService), started once per `go test` run as a Node
// subprocess on a free port, with a dev token minted by `ameide token`.
// `go test -short` skips them.

type contractHost struct {
	home   string
	url    string
	token  string
	tenant string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *lockedWriter
}

var (
	hostOnce sync.Once
	host     *contractHost
	hostErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if host != nil {
		host.stop()
		_ = touchRunMarker()
	}
	os.Exit(code)
}

// runMarker keeps go test from caching a run of the contract tests: go test
// reuses a passing result when the files the test opened are unchanged, but it
// tracks files inside this module only, not the TypeScript host they call. A
// file the test stat'ed and that changed after go test started makes the
// result uncacheable, so the marker is rewritten when the tests are done.
// (Unit runs with -short never start the host and stay cacheable.)
const runMarker = "testdata/contract-run"

func touchRunMarker() error {
	if err := os.MkdirAll(filepath.Dir(runMarker), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(runMarker, []byte(time.Now().UTC().Format(time.RFC3339Nano)+"\n"), 0o644); err != nil {
		return err
	}
	_, err := os.Stat(runMarker)
	return err
}

// needHost skips under -short and otherwise returns the shared host.
func needHost(t *testing.T) *contractHost {
	t.Helper()
	if testing.Short() {
		t.Skip("contract test against the platform host; skipped with -short")
	}
	hostOnce.Do(func() { host, hostErr = startHost() })
	if hostErr != nil {
		t.Fatalf("platform host: %v", hostErr)
	}
	return host
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "scripts", "sdk-contract-host.ts")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no scripts/sdk-contract-host.ts above %s", dir)
		}
	}
}

func startHost() (*contractHost, error) {
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	home, err := os.MkdirTemp("", "ameide-sdk-go-")
	if err != nil {
		return nil, err
	}
	if err := touchRunMarker(); err != nil {
		return nil, err
	}
	h := &contractHost{home: home, stderr: &lockedWriter{}}
	h.cmd = exec.Command("node", "--import", "tsx", "scripts/sdk-contract-host.ts", home)
	h.cmd.Dir = root
	h.cmd.Stderr = h.stderr
	if h.stdin, err = h.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := h.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := h.cmd.Start(); err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	ready := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil {
			ready <- fmt.Errorf("host exited before it was ready: %w", err)
			return
		}
		var msg struct{ URL string }
		if err := json.Unmarshal([]byte(line), &msg); err != nil || msg.URL == "" {
			ready <- fmt.Errorf("host printed %q, want {\"url\": ...}", line)
			return
		}
		h.url = msg.URL
		ready <- nil
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case err = <-ready:
	case <-time.After(3 * time.Minute):
		err = errors.New("not ready after 3 minutes")
	}
	if err != nil {
		h.stop()
		return nil, fmt.Errorf("%w\nstderr:\n%s", err, h.stderr)
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	h.tenant = "sdk-go-" + hex.EncodeToString(suffix)
	if h.token, err = mintToken(root, home, h.tenant); err != nil {
		h.stop()
		return nil, err
	}
	return h, nil
}

// mintToken runs `ameide token` against the host's dev key.
func mintToken(root, home, tenant string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "scripts/ameide.mjs", "--home", home, "token",
		"--tenant", tenant, "--user", "alice", "--groups", "sales")
	cmd.Dir = root
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("ameide token: %w\n%s", err, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}

func (h *contractHost) stop() {
	defer func() { _ = os.RemoveAll(h.home) }()
	if h.cmd.Process == nil {
		return
	}
	_ = h.stdin.Close() // the host stops when its stdin closes
	done := make(chan struct{})
	go func() { _ = h.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = h.cmd.Process.Kill()
		<-done
	}
}

// lockedWriter collects the host's stderr for error messages.
type lockedWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
