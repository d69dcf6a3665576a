// Command gen writes the ECharts bundle of the site into assets/: the
// modules named by assets/echarts-entry.js, at the versions pinned by
// assets/package.json and package-lock.json, installed with npm ci and
// bundled with esbuild into one minified ES2018 script that defines the
// global echarts (assets/echarts.min.js), and the licence texts of what
// the bundle holds (assets/echarts.LICENSE.txt). Both are committed and
// embedded in the binary, so that building the site needs Go alone; only
// this generator needs Node.js, npm and the npm registry.
//
//	go generate ./assets        # rewrite the bundle after changing the pins
//	go run ./assets/gen -check  # fail if the committed bundle is not what the pins give
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"
)

// Inputs read from the assets folder, outputs written into it.
var (
	inputs = []string{"package.json", "package-lock.json", "echarts-entry.js"}
	// licences are the packages the bundle holds code of, with the files
	// of each package carrying its licence and notice.
	licences = []struct{ pkg, spdx string }{
		{"echarts", "Apache-2.0"},
		{"zrender", "BSD-3-Clause"},
		{"tslib", "0BSD"},
	}
)

const (
	BundleName  = "echarts.min.js"
	LicenseName = "echarts.LICENSE.txt"
)

func main() {
	dir := flag.String("dir", ".", "the assets folder")
	check := flag.Bool("check", false, "compare with the committed files instead of writing them")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *dir, *check); err != nil {
		fmt.Fprintln(os.Stderr, "assets/gen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dir string, check bool) error {
	bundle, licence, err := Generate(ctx, dir)
	if err != nil {
		return err
	}
	out := map[string][]byte{BundleName: bundle, LicenseName: licence}
	for _, name := range []string{BundleName, LicenseName} {
		path := filepath.Join(dir, name)
		if check {
			old, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if !bytes.Equal(old, out[name]) {
				return fmt.Errorf("%s differs from what the pinned packages give (%d bytes committed, %d generated): run go generate ./assets", path, len(old), len(out[name]))
			}
			continue
		}
		if err := os.WriteFile(path, out[name], 0o644); err != nil {
			return err
		}
		fmt.Printf("wrote %s (%d KB)\n", path, len(out[name])>>10)
	}
	if check {
		fmt.Println("the committed bundle is what the pinned packages give")
	}
	return nil
}

// Generate installs the pinned packages in a temporary folder and returns
// the bundle and the licence notice.
func Generate(ctx context.Context, dir string) (bundle, licence []byte, err error) {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return nil, nil, errors.New("npm not found: the generator of the ECharts bundle needs Node.js and npm (building the site does not)")
	}
	work, err := os.MkdirTemp("", "territoires-echarts-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(work)
	for _, name := range inputs {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, nil, err
		}
		if err := os.WriteFile(filepath.Join(work, name), b, 0o644); err != nil {
			return nil, nil, err
		}
	}
	version, err := lockedVersion(filepath.Join(dir, "package-lock.json"), "echarts")
	if err != nil {
		return nil, nil, err
	}
	// --include=dev: esbuild is a dev dependency.
	if err := command(ctx, work, npm, "ci", "--no-audit", "--no-fund", "--include=dev"); err != nil {
		return nil, nil, err
	}
	out := filepath.Join(work, BundleName)
	if err := command(ctx, work, filepath.Join(work, "node_modules", ".bin", "esbuild"), esbuildArgs(version, out)...); err != nil {
		return nil, nil, err
	}
	if bundle, err = os.ReadFile(out); err != nil {
		return nil, nil, err
	}
	if licence, err = licenceNotice(work, version); err != nil {
		return nil, nil, err
	}
	return bundle, licence, nil
}

// esbuildArgs are the arguments of esbuild, writing the bundle to out.
func esbuildArgs(version, out string) []string {
	banner := "/*! Apache ECharts " + version + " (Apache-2.0, https://echarts.apache.org), " +
		"with ZRender (BSD-3-Clause) and tslib (0BSD): custom build of assets/echarts-entry.js; licences in echarts.LICENSE.txt */"
	return []string{
		"echarts-entry.js",
		"--bundle",
		"--minify",
		"--format=iife",
		"--global-name=echarts",
		"--target=es2018",
		"--define:process.env.NODE_ENV=\"production\"",
		"--legal-comments=none",
		"--banner:js=" + banner,
		"--log-level=warning",
		"--outfile=" + out,
	}
}

// licenceNotice gathers the licence and notice files of the bundled
// packages, as their licences ask of a redistribution.
func licenceNotice(work, version string) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "The ECharts bundle of this site (echarts.min.js) is a custom build of Apache ECharts %s\n", version)
	b.WriteString("(assets/echarts-entry.js, generated by assets/gen). It holds code of the packages below,\nunder their licences, reproduced here.\n")
	for _, l := range licences {
		pkgDir := filepath.Join(work, "node_modules", l.pkg)
		v, err := packageVersion(filepath.Join(pkgDir, "package.json"))
		if err != nil {
			return nil, err
		}
		found := 0
		for _, name := range []string{"LICENSE", "LICENSE.txt", "LICENSE.md", "NOTICE", "NOTICE.txt"} {
			text, err := os.ReadFile(filepath.Join(pkgDir, name))
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, err
			}
			found++
			fmt.Fprintf(&b, "\n\n===== %s %s (%s): %s =====\n\n", l.pkg, v, l.spdx, name)
			b.Write(bytes.TrimSpace(text))
			b.WriteByte('\n')
		}
		if found == 0 {
			return nil, fmt.Errorf("no licence file in %s", pkgDir)
		}
	}
	return b.Bytes(), nil
}

func lockedVersion(lockFile, pkg string) (string, error) {
	b, err := os.ReadFile(lockFile)
	if err != nil {
		return "", err
	}
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(b, &lock); err != nil {
		return "", fmt.Errorf("%s: %w", lockFile, err)
	}
	v := lock.Packages["node_modules/"+pkg].Version
	if v == "" {
		return "", fmt.Errorf("%s: no node_modules/%s", lockFile, pkg)
	}
	return v, nil
}

func packageVersion(file string) (string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	var p struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	return p.Version, nil
}

// command runs a program in dir; its output is shown only if it fails.
func command(ctx context.Context, dir, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "npm_config_update_notifier=false")
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return nil
}
