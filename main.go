// Command territoires builds the static site of statistics dashboards for
// every French territory.
//
//	territoires build   render the site into the output folder of site.toml
//	territoires fetch   fill the cache of the INSEE and URSSAF APIs
//	territoires serve   preview the output folder on localhost
//
// See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"syscall"

	"territoires/builder"
	"territoires/config"
	"territoires/fetch"
	_ "territoires/fetch/ddl"         // registers the Données Locales client
	_ "territoires/fetch/melodi"      // registers the MELODI client
	_ "territoires/fetch/metadonnees" // the study zonings (provider "metadonnees")
	_ "territoires/fetch/urssaf"      // registers the URSSAF source
	"territoires/geo"
	"territoires/progress"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "territoires:", err)
		os.Exit(1)
	}
}

const usage = `usage: territoires <command> [flags]

commands:
  build   render the whole site into the output folder (offline by default;
          with source = "api" or TERRITOIRES_SOURCE=api, fetch what the
          cache lacks within the budget, then render from the cache)
  fetch   fill the fetch cache from the INSEE and URSSAF APIs
  serve   preview the output folder on http://localhost:8080/

flags:
  -config FILE          site configuration (default site.toml)
  -plan                 fetch: print the calls a refresh needs, make none
  -budget-calls N       fetch, build: stop after N calls (resume next run)
  -budget-minutes M     fetch, build: start no call after M minutes
  -no-fetch             build: render from the cache as it is
  -summary FILE         build: append a Markdown summary (pages, bytes, calls)
  -addr HOST:PORT       serve: address (default localhost:8080)
`

// run is the whole program, callable from tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "help" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, args := args[0], args[1:]
	fl := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fl.SetOutput(stderr)
	cfgPath := fl.String("config", "site.toml", "site configuration file")
	addr := fl.String("addr", "localhost:8080", "address to listen on (serve)")
	plan := fl.Bool("plan", false, "print the plan of a refresh, make no call (fetch)")
	budgetCalls := fl.Int("budget-calls", -1, "stop after this many calls (fetch, build)")
	budgetMinutes := fl.Int("budget-minutes", -1, "start no call after this many minutes (fetch, build)")
	noFetch := fl.Bool("no-fetch", false, "render from the cache as it is (build)")
	summary := fl.String("summary", "", "append a Markdown summary to this file (build)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	site, err := config.LoadContext(ctx, *cfgPath)
	if err != nil {
		return err
	}
	site.Fetch.CacheDir = site.Path(site.Fetch.CacheDir)
	if *budgetCalls >= 0 {
		site.Fetch.BudgetCalls = *budgetCalls
	}
	if *budgetMinutes >= 0 {
		site.Fetch.BudgetMinutes = *budgetMinutes
	}
	switch cmd {
	case "build":
		return build(ctx, site, buildOptions{fetch: !*noFetch, summary: *summary}, stderr)
	case "fetch":
		_, err := refresh(ctx, site, *plan, stdout, stderr)
		return err
	case "serve":
		return serve(ctx, site.Path(site.Output), *addr, stderr)
	}
	return errors.New("unknown command " + cmd + "\n" + usage)
}

type buildOptions struct {
	fetch   bool   // with the API source, refresh the cache first
	summary string // file to append a Markdown summary to
}

func build(ctx context.Context, site *config.Site, opts buildOptions, log io.Writer) error {
	// A build allocates much and keeps little: collect half as often, but
	// collect harder as the Go memory nears 250 MiB, so that the process
	// stays under the 300 MiB budget of a build (its code and what the
	// runtime does not count come on top).
	var limit int64 = 250 << 20
	var src builder.Source // nil: the offline source
	var zones []geo.ZoneInput
	var calls fetch.Summary
	var stale []string // datasets whose figures are older than the producer's
	if site.Source == "api" {
		ref, err := geo.Load()
		if err != nil {
			return err
		}
		if opts.fetch {
			if calls, err = refresh(ctx, site, false, log, log); err != nil && !fetch.OnlyDatasets(err) {
				return err
			}
		}
		ix, err := fetch.LoadIndex(ctx, site.Fetch, ref, slog.New(slog.NewTextHandler(log, nil)))
		if err != nil {
			return err
		}
		// The figures stay in memory for the whole build: the pages' budget
		// comes on top of them. Under a limit below what is live, the
		// collector would run without end (a whole country's cache holds
		// some ten million figures, 32 bytes each).
		live := liveHeap()
		limit += int64(live)
		fmt.Fprintf(log, "read %d figures from the fetch cache %s (%.0f MiB in memory)\n",
			ix.Len(), site.Fetch.CacheDir, float64(live)/(1<<20))
		stale = staleDatasets(ix, calls, log)
		src = ix
		if zones, err = fetch.LoadZones(ctx, site.Fetch, ref, nil); err != nil {
			return err
		}
		fmt.Fprintf(log, "read %d study zones from the fetch cache\n", len(zones))
	}
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(200))
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(limit))
	}
	rep := progress.New(log, "pages")
	sum, err := builder.Build(ctx, builder.Options{Site: site, Source: src, Zones: zones, Progress: rep.Update, Log: log})
	rep.Done()
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	if sum.Current {
		fmt.Fprintf(log, "site current: %d pages, %d files, %.1f MB, nothing written, checked in %.1f s\n",
			sum.Pages, sum.Files, float64(sum.Bytes)/1e6, sum.Duration.Seconds())
	} else {
		fmt.Fprintf(log, "built %d pages: %d files, %.1f MB, %d written, %d removed, in %.1f s\n",
			sum.Pages, sum.Files, float64(sum.Bytes)/1e6, sum.Written, sum.Removed, sum.Duration.Seconds())
	}
	if opts.summary != "" {
		if err := writeSummary(opts.summary, site, sum, calls, stale); err != nil {
			return fmt.Errorf("summary: %w", err)
		}
	}
	return nil
}

// liveHeap collects garbage, then returns the bytes of the heap's live
// objects.
func liveHeap() uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return sample[0].Value.Uint64()
}

// refresh runs, or plans, the refresh of the fetch cache.
func refresh(ctx context.Context, site *config.Site, plan bool, out, log io.Writer) (fetch.Summary, error) {
	ref, err := geo.Load()
	if err != nil {
		return fetch.Summary{}, err
	}
	logger := slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelInfo}))
	sum, err := fetch.Refresh(ctx, site.Fetch, ref, fetch.RefreshOptions{Plan: plan, Out: out, Logger: logger})
	if err != nil {
		return sum, fmt.Errorf("fetch: %w", err)
	}
	if sum.Stopped {
		fmt.Fprintln(log, "fetch: the budget is spent; the cache is valid: run again to resume")
	}
	return sum, nil
}

// writeSummary appends what a build did, as Markdown, to a file: the job
// summary of a CI run ($GITHUB_STEP_SUMMARY).
func writeSummary(name string, site *config.Site, sum builder.Summary, calls fetch.Summary, stale []string) error {
	f, err := os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	left := 0
	for _, p := range calls.Plans {
		left += p.Missing()
	}
	left = max(left-int(calls.Stats.Calls), 0)
	fmt.Fprintf(f, "## Build of %s\n\n| | |\n| --- | --- |\n", site.Title)
	fmt.Fprintf(f, "| source | %s |\n| pages | %d |\n| files | %d (%d written, %d removed) |\n| bytes | %d |\n| build time | %.1f s |\n",
		site.Source, sum.Pages, sum.Files, sum.Written, sum.Removed, sum.Bytes, sum.Duration.Seconds())
	if site.Source == "api" {
		fmt.Fprintf(f, "| API calls spent | %d |\n| calls left to complete the refresh | %d |\n| refresh complete | %v |\n",
			calls.Stats.Calls, left, !calls.Stopped)
		if len(stale) > 0 {
			fmt.Fprintf(f, "| stale or failed datasets | %s |\n", strings.Join(stale, ", "))
		}
	}
	fmt.Fprintln(f)
	return f.Close()
}
