package refcheck

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TokenDir reads one tenant's token per call (a rotated file is picked up)
// and refuses a tenant id that is not one, so no id can name another file.
func TestTokenDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "acme"), []byte("tok-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := TokenDir(dir).TokenFor("acme")
	if tok, err := src.Token(context.Background()); err != nil || tok != "tok-1" {
		t.Fatalf("Token = %q, %v", tok, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "acme"), []byte("tok-2"), 0o600); err != nil {
		t.Fatal(err)
	}
	if tok, _ := src.Token(context.Background()); tok != "tok-2" {
		t.Errorf("rotated token not picked up: %q", tok)
	}
	if _, err := TokenDir(dir).TokenFor("globex").Token(context.Background()); err == nil || !strings.Contains(err.Error(), "globex") {
		t.Errorf("missing tenant file: %v; want an error naming the tenant", err)
	}
	for _, bad := range []string{"../acme", "acme/x", "", "ACME"} {
		if _, err := TokenDir(dir).TokenFor(bad).Token(context.Background()); err == nil {
			t.Errorf("tenant %q accepted", bad)
		}
	}
}
