// Package ops checks how the site is operated: the GitHub Actions
// workflows of .github/workflows (tests on every push, the scheduled
// rebuild and deploy to GitHub Pages) and the CI script .ci/run.
//
// Its tests lint every workflow with actionlint, used as a library (with
// shellcheck on the run: scripts when it is installed, and always under
// CI), check that the workflows keep their promises (a cache that resumes
// a partial refresh, a budget that fits the job's time limit, a deploy
// that needs a whole build, no two rebuilds at once) and that every
// command a workflow runs exists in the program's command line. A broken
// workflow thus fails `go test ./...` here, not at three in the morning on
// GitHub.
//
// The package has no code of its own: everything is in its tests.
package ops
