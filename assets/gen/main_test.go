package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestCommittedBundle regenerates the bundle from the pins (npm ci from the
// registry, then esbuild: about 10 s) and checks that it is byte for byte
// the committed one, so that nobody edits echarts.min.js by hand or forgets
// to regenerate it after changing a pin. It needs npm: skipped without it,
// but under CI=true, where it fails.
func TestCommittedBundle(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the npm ci install of ECharts")
	}
	if _, err := exec.LookPath("npm"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("npm not found (CI=true: a missing tool fails the test): %v", err)
		}
		t.Skipf("npm not found: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	dir := ".."
	bundle, licence, err := Generate(ctx, dir)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	for name, got := range map[string][]byte{BundleName: bundle, LicenseName: licence} {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("generated %s (%d bytes) differs from the committed one (%d bytes): run go generate ./assets", name, len(got), len(want))
		}
	}
}

// TestCheckFailsOnADifference: -check reports a committed file that is not
// what the generator gives, naming it, and leaves it alone.
func TestCheckFailsOnADifference(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skipf("npm not found: %v", err)
	}
	dir := t.TempDir()
	for _, name := range append(inputs, BundleName, LicenseName) {
		b, err := os.ReadFile(filepath.Join("..", name))
		if err != nil {
			t.Fatal(err)
		}
		if name == BundleName {
			b = append(b, "\n// edited by hand\n"...)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	err := run(ctx, dir, true)
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte(BundleName)) {
		t.Fatalf("run(-check) on an edited bundle: %v, want an error naming %s", err, BundleName)
	}
	b, _ := os.ReadFile(filepath.Join(dir, BundleName))
	if !bytes.HasSuffix(b, []byte("// edited by hand\n")) {
		t.Errorf("run(-check) rewrote %s; it must only compare", BundleName)
	}
}
