package melodi

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"territoires/fetch"
	"testing"
	"time"

	"territoires/fetch/melodi/meloditest"
)

// Environment of the child process of TestKillRestart.
const (
	envChildDir = "TERRITOIRES_TEST_CHILD_CACHE"
	envChildURL = "TERRITOIRES_TEST_CHILD_MELODI"
)

// killConfig is the configuration of both runs: small pages, so that a
// refresh takes many calls.
func killConfig(dir, url string) fetch.Config {
	cfg := fetch.Defaults()
	cfg.Sources = []string{"insee"}
	cfg.MelodiURL = url
	cfg.MelodiPageSize = 500
	cfg.Datasets = []string{"DS_POPULATIONS_REFERENCE", "DS_RP_POPULATION_PRINC", "DS_FILOSOFI_CC", "DS_RP_EMPLOI_LR_PRINC"}
	cfg.Quota, cfg.Margin, cfg.Window = 1000, 1, fetch.Duration(time.Second)
	cfg.CacheDir = dir
	return cfg
}

// TestKillRestartChild is the child of TestKillRestart: a plain refresh.
func TestKillRestartChild(t *testing.T) {
	dir, url := os.Getenv(envChildDir), os.Getenv(envChildURL)
	if dir == "" {
		t.Skip("run by TestKillRestart")
	}
	if _, err := fetch.Refresh(context.Background(), killConfig(dir, url), testRef(t), fetch.RefreshOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestKillRestart kills a refresh with SIGKILL (kill -9) in a child
// process and starts it again: the second run completes, no request
// answered before the kill is asked again, and the cache decodes to the
// same figures as an uninterrupted run.
//
// To make it deterministic the fake server holds call number holdAt and
// every later one; the child is killed once the cache holds an entry for
// every call answered before, so the kill falls between "answered and
// cached" and "not answered".
func TestKillRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	const holdAt = 5
	ref := testRef(t)
	srv := meloditest.New(meloditest.Options{Ref: ref})
	defer srv.Close()
	dir := t.TempDir()
	child := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillRestartChild$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), envChildDir+"="+dir, envChildURL+"="+srv.MelodiURL)
		return cmd
	}

	arrived := srv.HoldFrom(holdAt)
	cmd := child()
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-arrived:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("call %d never came; child output:\n%s", holdAt, out)
	}
	// Every call before holdAt is answered and cached, nothing after is.
	deadline := time.Now().Add(30 * time.Second)
	for {
		answered := 0
		for _, n := range srv.Stats().Answered {
			answered += n
		}
		if answered == holdAt-1 && countEntries(t, dir) == answered {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("after 30 s: %d answers, %d cache entries, want %d each", answered, countEntries(t, dir), holdAt-1)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	cmd.Wait()
	srv.Release()
	first := srv.Stats()

	cmd = child()
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("second run: %v\n%s", err, b)
	}
	st := srv.Stats()
	if len(st.Repeated) > 0 {
		t.Errorf("requests answered twice: %q, want none", st.Repeated)
	}
	t.Logf("first run: %d calls (killed at call %d); second run: %d calls; %d requests in all",
		first.Calls, holdAt, st.Calls-first.Calls, len(st.Answered))

	// The cache decodes to the same figures as an uninterrupted run.
	clean := killConfig(t.TempDir(), srv.MelodiURL)
	if _, err := fetch.Refresh(context.Background(), clean, ref, fetch.RefreshOptions{}); err != nil {
		t.Fatal(err)
	}
	got, want := figureDigest(t, killConfig(dir, srv.MelodiURL)), figureDigest(t, clean)
	if got != want {
		t.Errorf("figures after kill and restart: %s, want %s as in an uninterrupted run", got, want)
	}
}

// figureDigest decodes every figure of a cache into a count and a sum.
func figureDigest(t *testing.T, cfg fetch.Config) string {
	t.Helper()
	st, err := fetch.OpenStore(cfg, testRef(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n, sum := 0, 0.0
	status := map[string]int{}
	for f, err := range st.Figures(context.Background()) {
		if err != nil {
			t.Fatalf("decode the cache: %v", err)
		}
		n++
		sum += f.Value
		status[f.Status.String()]++
	}
	return strconv.Itoa(n) + " figures, sum " + strconv.FormatFloat(sum, 'f', 1, 64) + ", " + strconv.Itoa(status["present"]) + " present"
}
