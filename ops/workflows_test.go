package ops

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"

	"territoires/fetch"
)

// root is the repository, seen from this package's folder.
const root = ".."

var workflowsDir = filepath.Join(root, ".github", "workflows")

// inCI reports whether the tests run under CI (CI=true), where a missing
// tool fails a test instead of being skipped.
func inCI() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v != "" && v != "0" && v != "false"
}

func workflowFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pat := range []string{"*.yml", "*.yaml"} {
		m, err := filepath.Glob(filepath.Join(workflowsDir, pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	slices.Sort(files)
	for _, want := range []string{"ci.yml", "rebuild.yml"} {
		if !slices.Contains(files, filepath.Join(workflowsDir, want)) {
			t.Errorf("%s is missing from %s", want, workflowsDir)
		}
	}
	return files
}

// newLinter returns actionlint's linter, with shellcheck on the run:
// scripts when it is installed (.ci/run installs it).
func newLinter(t *testing.T) *actionlint.Linter {
	t.Helper()
	wd, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	opts := &actionlint.LinterOptions{WorkingDir: wd, LogWriter: io.Discard}
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		opts.Shellcheck = sc
	} else if inCI() {
		t.Errorf("shellcheck is not installed, so the run: scripts of the workflows go unchecked; .ci/run installs it (apt-get install -y shellcheck)")
	} else {
		t.Log("shellcheck is not installed: the run: scripts of the workflows are not checked (apt-get install -y shellcheck)")
	}
	l, err := actionlint.NewLinter(io.Discard, opts)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestActionlint lints every workflow: syntax, expressions and their
// types, action inputs, cron lines, runner labels, shell scripts.
func TestActionlint(t *testing.T) {
	files := workflowFiles(t)
	errs, err := newLinter(t).LintFiles(files, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		rel, _ := filepath.Rel(root, e.Filepath)
		if rel == "" || strings.HasPrefix(rel, "..") {
			rel = e.Filepath
		}
		t.Errorf("%s:%d:%d: %s [%s]", rel, e.Line, e.Column, e.Message, e.Kind)
	}
	t.Logf("actionlint checked %d workflows", len(files))
}

// TestActionlintCatches checks the check: a broken workflow must not pass.
func TestActionlintCatches(t *testing.T) {
	broken := []byte(`on:
  schedule:
    - cron: "61 * * * *"
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v6
        with:
          no-such-input: true
      - run: echo "${{ github.no_such_field }}"
      - run: test -f $FILE_NAME && echo found
`)
	want := []string{"events", "action", "expression"}
	if _, err := exec.LookPath("shellcheck"); err == nil {
		want = append(want, "shellcheck") // the unquoted $FILE_NAME
	}
	errs, err := newLinter(t).Lint("broken.yml", broken, nil)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, e := range errs {
		kinds[e.Kind] = true
	}
	for _, want := range want {
		if !kinds[want] {
			t.Errorf("actionlint on a broken workflow reports kinds %v, want %q among them", kinds, want)
		}
	}
}

// parse reads and parses one workflow.
func parse(t *testing.T, name string) *actionlint.Workflow {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(workflowsDir, name))
	if err != nil {
		t.Fatal(err)
	}
	w, errs := actionlint.Parse(b)
	for _, e := range errs {
		t.Errorf("%s:%d:%d: %s", name, e.Line, e.Column, e.Message)
	}
	if w == nil {
		t.FailNow()
	}
	return w
}

func events(w *actionlint.Workflow) map[string]actionlint.Event {
	m := map[string]actionlint.Event{}
	for _, e := range w.On {
		m[e.EventName()] = e
	}
	return m
}

func str(s *actionlint.String) string {
	if s == nil {
		return ""
	}
	return s.Value
}

// uses returns the action of a step without its version ("actions/cache"),
// or "" for a run: step.
func uses(s *actionlint.Step) string {
	if a, ok := s.Exec.(*actionlint.ExecAction); ok {
		name, _, _ := strings.Cut(str(a.Uses), "@")
		return name
	}
	return ""
}

func script(s *actionlint.Step) string {
	if r, ok := s.Exec.(*actionlint.ExecRun); ok {
		return str(r.Run)
	}
	return ""
}

func input(s *actionlint.Step, name string) string {
	if a, ok := s.Exec.(*actionlint.ExecAction); ok {
		if in := a.Inputs[name]; in != nil {
			return str(in.Value)
		}
	}
	return ""
}

func envVar(e *actionlint.Env, name string) (string, bool) {
	if e == nil {
		return "", false
	}
	for _, v := range e.Vars {
		if str(v.Name) == name {
			return str(v.Value), true
		}
	}
	return "", false
}

func stepIndex(j *actionlint.Job, match func(*actionlint.Step) bool) int {
	return slices.IndexFunc(j.Steps, match)
}

func usesAction(name string) func(*actionlint.Step) bool {
	return func(s *actionlint.Step) bool { return uses(s) == name }
}

// TestCIWorkflow: tests on every push and pull request, through .ci/run,
// which runs the README's test command.
func TestCIWorkflow(t *testing.T) {
	w := parse(t, "ci.yml")
	ev := events(w)
	for _, want := range []string{"push", "pull_request"} {
		if ev[want] == nil {
			t.Errorf("ci.yml does not run on %s", want)
		}
	}
	runs := false
	for _, j := range w.Jobs {
		if stepIndex(j, func(s *actionlint.Step) bool { return strings.Contains(script(s), "bash .ci/run") }) >= 0 {
			runs = true
			if j.TimeoutMinutes == nil {
				t.Errorf("ci.yml: job %s has no timeout-minutes", str(j.ID))
			}
		}
	}
	if !runs {
		t.Error("ci.yml has no step running bash .ci/run")
	}

	const testCommand = "go test ./..."
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), testCommand) {
		t.Errorf("README.md does not give %q as the test command", testCommand)
	}
	f, err := os.Open(filepath.Join(root, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	found := false
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if strings.TrimSpace(sc.Text()) == testCommand {
			found = true
		}
	}
	if !found {
		t.Errorf(".ci/run has no line running exactly %q, the README's test command", testCommand)
	}
}

// TestRebuildWorkflow checks the promises of the scheduled rebuild.
func TestRebuildWorkflow(t *testing.T) {
	const name = "rebuild.yml"
	w := parse(t, name)
	ev := events(w)
	if s, ok := ev["schedule"].(*actionlint.ScheduledEvent); !ok || len(s.Schedules) == 0 {
		t.Errorf("%s has no schedule cron", name)
	}
	if ev["workflow_dispatch"] == nil {
		t.Errorf("%s cannot be run by hand (workflow_dispatch)", name)
	}

	// No two rebuilds at once, and none cancelled half-way.
	switch c := w.Concurrency; {
	case c == nil || str(c.Group) == "":
		t.Errorf("%s has no workflow-level concurrency group: two rebuilds could overlap", name)
	case c.CancelInProgress != nil && (c.CancelInProgress.Value || c.CancelInProgress.Expression != nil):
		t.Errorf("%s: concurrency cancels a rebuild in progress; a new run must wait instead", name)
	}

	var build, deploy *actionlint.Job
	for _, j := range w.Jobs {
		if stepIndex(j, usesAction("actions/upload-pages-artifact")) >= 0 {
			build = j
		}
		if stepIndex(j, usesAction("actions/deploy-pages")) >= 0 {
			deploy = j
		}
	}
	if build == nil || deploy == nil {
		t.Fatalf("%s needs a job uploading the site (actions/upload-pages-artifact) and a job deploying it (actions/deploy-pages)", name)
	}

	// The cache: the folder the program uses, restored from the newest
	// run (restore-keys), saved under a key new for each run, also after a
	// failure.
	cacheDir := fetch.Config{}.WithDefaults().CacheDir
	restore := stepIndex(build, usesAction("actions/cache/restore"))
	save := stepIndex(build, usesAction("actions/cache/save"))
	if restore < 0 || save < 0 {
		t.Fatalf("%s: the build job must restore (actions/cache/restore) and save (actions/cache/save) the fetch cache", name)
	}
	for _, i := range []int{restore, save} {
		if p := input(build.Steps[i], "path"); strings.TrimSpace(p) != cacheDir {
			t.Errorf("%s: step %d caches path %q, want the fetch cache %q", name, i+1, p, cacheDir)
		}
	}
	if strings.TrimSpace(input(build.Steps[restore], "restore-keys")) == "" {
		t.Errorf("%s: the cache restore has no restore-keys: a partial refresh would not be resumed", name)
	}
	if !strings.Contains(input(build.Steps[restore], "key"), "github.run_id") {
		t.Errorf("%s: the cache key does not name the run: a cache saved once would never be updated", name)
	}
	if !strings.Contains(str(build.Steps[save].If), "always()") {
		t.Errorf("%s: the cache is saved only when every step succeeded (want if: always()): a failed run would lose its calls", name)
	}

	// Fetch within a budget that fits the job, then build, with the
	// summary for the job page.
	run := stepIndex(build, func(s *actionlint.Step) bool { return strings.Contains(script(s), "territoires build") })
	if run < 0 {
		t.Fatalf("%s: no step runs `territoires build`", name)
	}
	step := build.Steps[run]
	for _, want := range []string{"-budget-minutes", "-summary", "$GITHUB_STEP_SUMMARY"} {
		if !strings.Contains(script(step), want) {
			t.Errorf("%s: the build step does not pass %s", name, want)
		}
	}
	if src, _ := envVar(build.Env, "TERRITOIRES_SOURCE"); src != "api" {
		if src, _ = envVar(step.Env, "TERRITOIRES_SOURCE"); src != "api" {
			t.Errorf("%s: the build does not read the APIs (TERRITOIRES_SOURCE=api)", name)
		}
	}
	if !(restore < run && run < save) {
		t.Errorf("%s: steps in the wrong order: restore the cache (%d), fetch and build (%d), save the cache (%d)", name, restore+1, run+1, save+1)
	}
	switch {
	case build.TimeoutMinutes == nil:
		t.Errorf("%s: the build job has no timeout-minutes", name)
	case step.TimeoutMinutes == nil:
		t.Errorf("%s: the fetch and build step has no timeout-minutes: an overrun would kill the job before the cache is saved", name)
	case step.TimeoutMinutes.Value > build.TimeoutMinutes.Value-10:
		t.Errorf("%s: the fetch and build step may take %.0f of the job's %.0f minutes: leave 10 to save the cache and upload",
			name, step.TimeoutMinutes.Value, build.TimeoutMinutes.Value)
	}
	// The optional INSEE credentials come from repository secrets, under
	// the names the program reads.
	for _, v := range []string{fetch.EnvAPIKey, fetch.EnvClientID, fetch.EnvClientSecret} {
		if val, ok := envVar(step.Env, v); !ok || !strings.Contains(val, "secrets.") {
			t.Errorf("%s: the build step does not set %s from a repository secret", name, v)
		}
	}
	upload := stepIndex(build, usesAction("actions/upload-pages-artifact"))
	if upload < run {
		t.Errorf("%s: the site is uploaded (step %d) before it is built (step %d)", name, upload+1, run+1)
	}
	if cond := str(build.Steps[upload].If); strings.Contains(cond, "always()") || strings.Contains(cond, "failure()") {
		t.Errorf("%s: the site is uploaded under if: %s, even after a failed build", name, cond)
	}

	// Deploy only a whole build.
	if !slices.ContainsFunc(deploy.Needs, func(s *actionlint.String) bool { return s.Value == str(build.ID) }) {
		t.Errorf("%s: the deploy job does not need the build job %q", name, str(build.ID))
	}
	if cond := str(deploy.If); strings.Contains(cond, "always()") || strings.Contains(cond, "failure()") {
		t.Errorf("%s: the deploy job runs under if: %s, even after a failed build", name, cond)
	}
	if p := deploy.Permissions; p == nil || str(p.Scopes["pages"].Value) != "write" || str(p.Scopes["id-token"].Value) != "write" {
		t.Errorf("%s: the deploy job needs permissions pages: write and id-token: write", name)
	}
	if deploy.Environment == nil || str(deploy.Environment.Name) != "github-pages" {
		t.Errorf("%s: the deploy job does not use the github-pages environment", name)
	}
}

// TestWorkflowCommands builds the program and checks that every
// `./territoires COMMAND -flag` line of a workflow's run: scripts names a
// command and flags that the program knows: a renamed flag must fail here,
// not in the nightly rebuild.
func TestWorkflowCommands(t *testing.T) {
	type call struct {
		file, cmd string
		flags     []string
	}
	var calls []call
	for _, path := range workflowFiles(t) {
		w := parse(t, filepath.Base(path))
		for _, j := range w.Jobs {
			for _, s := range j.Steps {
				for line := range strings.Lines(script(s)) {
					_, rest, ok := strings.Cut(line, "./territoires ")
					if !ok {
						continue
					}
					fields := strings.Fields(rest)
					if len(fields) == 0 {
						continue
					}
					c := call{file: filepath.Base(path), cmd: fields[0]}
					for _, f := range fields[1:] {
						if strings.HasPrefix(f, "-") {
							name, _, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
							c.flags = append(c.flags, name)
						}
					}
					calls = append(calls, c)
				}
			}
		}
	}
	if len(calls) == 0 {
		t.Fatal("no workflow runs ./territoires")
	}

	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("go not on the PATH: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "territoires")
	cmd := exec.Command(goBin, "build", "-o", bin, ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	usage, _ := exec.Command(bin, "-h").CombinedOutput()
	for _, c := range calls {
		if !strings.Contains(string(usage), "\n  "+c.cmd+" ") {
			t.Errorf("%s runs `territoires %s`, which is not a command of the program:\n%s", c.file, c.cmd, usage)
			continue
		}
		// -h makes the flag package list the flags it knows.
		out, _ := exec.Command(bin, c.cmd, "-h").CombinedOutput()
		for _, f := range c.flags {
			if !strings.Contains(string(out), "  -"+f+" ") && !strings.Contains(string(out), "  -"+f+"\n") {
				t.Errorf("%s runs `territoires %s -%s`, a flag that the program does not know:\n%s", c.file, c.cmd, f, out)
			}
		}
	}
}
