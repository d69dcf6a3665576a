package builder

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"territoires/config"
	"territoires/geo"
	"territoires/offline"
)

func offlineSource(t *testing.T) Source {
	t.Helper()
	ref, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	return offline.New(ref)
}

// tiny is the smallest site: Saint-Pierre-et-Miquelon (2 communes).
const tiny = `base_url = "https://example.org/"
build_date = "2026-01-31"
title = "%s"
[territories]
departements = ["975"]
`

func tinySite(t *testing.T, title string) *config.Site {
	t.Helper()
	return newSite(t, fmt.Sprintf(tiny, title))
}

// setTitle rewrites the site.toml of site with another title.
func setTitle(t *testing.T, site *config.Site, title string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(site.Dir, "site.toml"), []byte(fmt.Sprintf(tiny, title)), 0o644); err != nil {
		t.Fatal(err)
	}
	site.Title = title
}

// leftovers lists what a build left beside the output folder besides the
// folder and its manifest.
func leftovers(t *testing.T, site *config.Site) []string {
	t.Helper()
	entries, err := os.ReadDir(site.Dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		switch e.Name() {
		case "site.toml", "public", ".public.manifest":
		default:
			names = append(names, e.Name())
		}
	}
	return names
}

func TestOutputFolderNotOurs(t *testing.T) {
	root := t.TempDir()
	project := filepath.Join(root, "projet")
	foreign := filepath.Join(root, "dossier")
	for name, data := range map[string]string{
		"projet/site.toml":           "title = \"t\"\n",
		"projet/.cache/fetch/a.json": "{}",
		"projet/tpl/layout.html":     "x",
		"dossier/notes.txt":          "mes notes",
		"dossier/photos/a.jpg":       "jpeg",
	} {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(data), 0o644)
	}
	before := tree(t, root)

	// The publisher refuses each of these folders by itself, whatever
	// config said (it checks what it finds, not the paths).
	for _, tt := range []struct{ name, dest, want string }{
		{"a folder of someone else", foreign, `output folder ` + foreign + ` holds "notes.txt" (and 1 more), which territoires did not write`},
		{"the project", project, `output folder ` + project + ` holds ".cache/fetch/a.json" (and 2 more)`},
		{"the project's parent", root, `output folder ` + root + ` holds "dossier/notes.txt"`},
		{"the fetch cache", filepath.Join(project, ".cache"), `holds "fetch/a.json"`},
		{"the templates", filepath.Join(project, "tpl"), `holds "layout.html"`},
	} {
		_, err := NewPublisher(tt.dest)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: NewPublisher error = %v, want %q", tt.name, err, tt.want)
		}
	}

	// A whole build into the folder of someone else stops, naming it.
	site := newSite(t, "base_url = \"https://example.org/\"\noutput = \""+foreign+"\"\n[territories]\ndepartements = [\"975\"]\n")
	if _, err := Build(context.Background(), Options{Site: site}); err == nil || !strings.Contains(err.Error(), foreign) || !strings.Contains(err.Error(), "notes.txt") {
		t.Errorf("Build into %s: error = %v, want it to name the folder and the file", foreign, err)
	}

	after := tree(t, root)
	if !maps.EqualFunc(before, after, bytes.Equal) {
		t.Errorf("refused outputs changed the files: had %v, now %v", slices.Sorted(maps.Keys(before)), slices.Sorted(maps.Keys(after)))
	}
	if _, err := os.Stat(filepath.Join(root, ".dossier.staging")); err == nil {
		t.Error("a refused output got a staging folder")
	}
}

func TestOutputFolderEmptyOrOurs(t *testing.T) {
	// An empty folder made by hand is adopted.
	site := tinySite(t, "Un")
	out := site.Path(site.Output)
	os.Mkdir(out, 0o755)
	first := mustBuild(t, site)
	if first.Written != first.Files {
		t.Errorf("first build into an empty folder: %d written of %d", first.Written, first.Files)
	}
	// A file the build wrote and that was removed by hand is no stranger.
	os.Remove(filepath.Join(out, "robots.txt"))
	if sum := mustBuild(t, site); sum.Written != 1 {
		t.Errorf("after robots.txt was removed: %d written, want 1", sum.Written)
	}
	if l := leftovers(t, site); len(l) > 0 {
		t.Errorf("left beside the output: %v", l)
	}
}

// linkInfo is what rsync -a compares, and the inode.
type linkInfo struct {
	ino   uint64
	mtime int64
}

func stat(t *testing.T, name string) linkInfo {
	t.Helper()
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	return linkInfo{fi.Sys().(*syscall.Stat_t).Ino, fi.ModTime().UnixNano()}
}

// plainSource is the offline source without a fingerprint: every build
// renders, as with a source that cannot tell whether its figures changed.
type plainSource struct{ Source }

func TestUnchangedFilesAreLinkedNotWritten(t *testing.T) {
	site := tinySite(t, "Un")
	mustBuild(t, site)
	out := site.Path(site.Output)
	csv := filepath.Join(out, "api/commune/collectivite-outre-mer-975.json")
	page := filepath.Join(out, "commune/97501/index.html")
	csvBefore, pageBefore := stat(t, csv), stat(t, page)

	// Same inputs, but a source that cannot say so: everything is
	// rendered, nothing written, the folder kept as it is.
	sum, err := Build(context.Background(), Options{Site: site, Source: plainSource{offlineSource(t)}})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Current || sum.Written != 0 || sum.Removed != 0 {
		t.Errorf("rebuild of the same files: current %v, %d written, %d removed; want rendered, none written", sum.Current, sum.Written, sum.Removed)
	}
	if got := stat(t, page); got != pageBefore {
		t.Errorf("an unchanged page changed: %+v, was %+v", got, pageBefore)
	}

	// A new title: pages are written, the downloads are linked from the
	// old site (same inode, same time).
	setTitle(t, site, "Deux")
	sum = mustBuild(t, site)
	if sum.Written == 0 || sum.Written == sum.Files {
		t.Errorf("title change: %d written of %d, want some", sum.Written, sum.Files)
	}
	if got := stat(t, csv); got != csvBefore {
		t.Errorf("an unchanged download was rewritten: %+v, was %+v", got, csvBefore)
	}
	if got := stat(t, page); got == pageBefore {
		t.Error("a changed page kept its inode")
	}
	if l := leftovers(t, site); len(l) > 0 {
		t.Errorf("left beside the output: %v", l)
	}
}

// crashSteps are the crash points of a build, in order (publish.go).
var crashSteps = []string{"writing", "staged", "journaled", "half-switched", "switched", "removing", "cleaned"}

// TestCrashDuringCommit kills a build (a copy of this test binary, running
// TestCrashHelper) at each step of the commit, with the atomic exchange and
// with the two renames of other systems, and checks that the output is
// wholly the old site or wholly the new one, and that the next build
// succeeds, leaving nothing behind.
func TestCrashDuringCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a site 30 times")
	}
	ref := tinySite(t, "Nouveau")
	mustBuild(t, ref)
	newTree := tree(t, ref.Path(ref.Output))
	for _, fallback := range []bool{false, true} {
		for _, step := range crashSteps {
			if step == "half-switched" && !fallback {
				continue
			}
			t.Run(fmt.Sprintf("%s/fallback=%v", step, fallback), func(t *testing.T) {
				site := tinySite(t, "Ancien")
				mustBuild(t, site)
				out := site.Path(site.Output)
				oldTree := tree(t, out)
				setTitle(t, site, "Nouveau")

				cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$")
				cmd.Env = append(os.Environ(), "TERRITOIRES_TEST_CRASH_AT="+step, "TERRITOIRES_TEST_SITE="+filepath.Join(site.Dir, "site.toml"))
				if fallback {
					cmd.Env = append(cmd.Env, "TERRITOIRES_TEST_NO_EXCHANGE=1")
				}
				outb, err := cmd.CombinedOutput()
				var exit *exec.ExitError
				if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
					t.Fatalf("the build was not killed at %s: %v\n%s", step, err, outb)
				}

				var got map[string][]byte
				if _, err := os.Stat(out); errors.Is(err, os.ErrNotExist) && step == "half-switched" {
					// Between the two renames there is no site, never a mix.
				} else {
					got = tree(t, out)
					old, new := maps.EqualFunc(got, oldTree, bytes.Equal), maps.EqualFunc(got, newTree, bytes.Equal)
					if !old && !new {
						t.Fatalf("killed at %s: the output is neither the old site nor the new one (%d files)", step, len(got))
					}
					if switched := slices.Index(crashSteps, step) >= slices.Index(crashSteps, "switched"); switched != new {
						t.Errorf("killed at %s: new site published %v, want %v", step, new, switched)
					}
				}

				sum := mustBuild(t, site)
				if got := tree(t, out); !maps.EqualFunc(got, newTree, bytes.Equal) {
					t.Errorf("the build after the crash did not publish the new site (%d files, want %d)", len(got), len(newTree))
				}
				if sum.Removed > len(oldTree) {
					t.Errorf("after the crash: %d removed, more than the %d files of the old site", sum.Removed, len(oldTree))
				}
				if l := leftovers(t, site); len(l) > 0 {
					t.Errorf("left beside the output: %v", l)
				}
				// The site is ours still: a third build is current.
				if again := mustBuild(t, site); !again.Current {
					t.Error("the build after the recovery build is not current")
				}
			})
		}
	}
}

// TestCrashHelper is the build that TestCrashDuringCommit kills.
func TestCrashHelper(t *testing.T) {
	name := os.Getenv("TERRITOIRES_TEST_SITE")
	if name == "" {
		t.Skip("run by TestCrashDuringCommit")
	}
	if os.Getenv("TERRITOIRES_TEST_NO_EXCHANGE") != "" {
		exchangeFolders = func(a, b string) error { return errNoExchange }
	}
	site, err := config.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Build(context.Background(), Options{Site: site}); err != nil {
		t.Fatal(err)
	}
	t.Fatalf("not killed at %s", crashAt)
}

// TestRefusedSubfolder: a folder of the published site that the build may
// not change (EACCES; as root, an immutable folder: EPERM) fails the build
// before anything is switched, and the site stays whole.
func TestRefusedSubfolder(t *testing.T) {
	site := tinySite(t, "Ancien")
	mustBuild(t, site)
	out := site.Path(site.Output)
	oldTree := tree(t, out)
	locked := filepath.Join(out, "commune")
	var unlock func()
	if os.Getuid() != 0 {
		os.Chmod(locked, 0o555)
		unlock = func() { os.Chmod(locked, 0o755) }
	} else if err := exec.Command("chattr", "+i", locked).Run(); err == nil {
		unlock = func() { exec.Command("chattr", "-i", locked).Run() }
	} else {
		t.Skipf("root, and chattr +i failed (%v): cannot make a folder the build may not change", err)
	}
	defer unlock()

	setTitle(t, site, "Nouveau")
	_, err := Build(context.Background(), Options{Site: site})
	if err == nil || !strings.Contains(err.Error(), "cannot be replaced") || !strings.Contains(err.Error(), locked) {
		t.Errorf("Build error = %v, want one naming %s", err, locked)
	}
	if got := tree(t, out); !maps.EqualFunc(got, oldTree, bytes.Equal) {
		t.Error("the refused build changed the published site")
	}
	if l := leftovers(t, site); len(l) > 0 {
		t.Errorf("left beside the output: %v", l)
	}
	unlock()
	mustBuild(t, site)
}

func TestLegacyManifestAdopted(t *testing.T) {
	site := tinySite(t, "Un")
	mustBuild(t, site)
	out := site.Path(site.Output)
	files, _, err := scanTree(out)
	if err != nil {
		t.Fatal(err)
	}
	// The manifest of version 1: indented JSON, digest of full paths, no files.
	legacy := fmt.Sprintf("{\n  \"fingerprint\": \"x\",\n  \"output\": %q,\n  \"pages\": 3\n}", legacyDigest(out, files))
	os.WriteFile(manifestPath(out), []byte(legacy), 0o644)
	setTitle(t, site, "Deux")
	if sum := mustBuild(t, site); sum.Written == 0 {
		t.Error("nothing written after a title change")
	}
	// Changed by hand since: not adopted.
	os.WriteFile(manifestPath(out), []byte(legacy), 0o644)
	setTitle(t, site, "Trois")
	if _, err := Build(context.Background(), Options{Site: site}); err == nil || !strings.Contains(err.Error(), "earlier version") {
		t.Errorf("Build over a changed folder of version 1: error = %v", err)
	}
}

func TestTwoBuildsAtOnce(t *testing.T) {
	site := tinySite(t, "Un")
	out := site.Path(site.Output)
	first, err := NewPublisher(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewPublisher(out); err == nil || !strings.Contains(err.Error(), "another build is publishing beside "+out) {
		t.Errorf("second NewPublisher error = %v, want the lock to be named", err)
	}
	if err := first.Write("index.html", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := first.Commit(); err != nil {
		t.Fatal(err)
	}
	second, err := NewPublisher(out)
	if err != nil {
		t.Fatalf("NewPublisher after the first committed: %v", err)
	}
	second.Abort()
	second.Abort() // twice is harmless
}
