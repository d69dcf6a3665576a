// Command territoires builds the static site of statistics dashboards for
// every French territory.
//
//	territoires build   render the site into the output folder of site.toml
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
	"os"
	"os/signal"
	"syscall"

	"territoires/builder"
	"territoires/config"
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
  build   render the whole site into the output folder (offline by default)
  serve   preview the output folder on http://localhost:8080/

flags (all commands):
  -config FILE   site configuration (default site.toml)
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
	if err := fl.Parse(args); err != nil {
		return err
	}
	site, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	switch cmd {
	case "build":
		return build(ctx, site, stderr)
	case "serve":
		return serve(ctx, site.Path(site.Output), *addr, stderr)
	}
	return errors.New("unknown command " + cmd + "\n" + usage)
}

func build(ctx context.Context, site *config.Site, log io.Writer) error {
	rep := progress.New(log, "pages")
	sum, err := builder.Build(ctx, builder.Options{Site: site, Progress: rep.Update, Log: log})
	rep.Done()
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	fmt.Fprintf(log, "built %d pages: %d files, %.1f MB, %d written, %d removed, in %.1f s\n",
		sum.Pages, sum.Files, float64(sum.Bytes)/1e6, sum.Written, sum.Removed, sum.Duration.Seconds())
	return nil
}
