package builder

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"territoires/geo"
	"territoires/offline"
)

// BenchmarkRenderPage renders and minifies the page of Lyon.
func BenchmarkRenderPage(b *testing.B) {
	site := newSite(b, rhone)
	ref, _ := geo.Load()
	bl, err := prepare(site, ref)
	if err != nil {
		b.Fatal(err)
	}
	lyon, _ := ref.Lookup(geo.Commune, "69123")
	built := func(*geo.Territory) bool { return true }
	figs := newFigureCache(offline.New(ref))
	var raw, out bytes.Buffer
	for b.Loop() {
		raw.Reset()
		out.Reset()
		v, err := bl.site.page(context.Background(), lyon, built, figs)
		if err != nil {
			b.Fatal(err)
		}
		if err := render(bl.tpl.territory, &raw, v); err != nil {
			b.Fatal(err)
		}
		if err := bl.min.Minify("text/html", &out, &raw); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(out.Len()), "bytes/page")
}

// BenchmarkBuildFull builds the whole site (every territory) into a
// temporary folder, then rebuilds it with nothing changed. It reports pages
// per second of the first build, the peak resident memory of the process,
// the bytes published and the files written by the rebuild (want 0).
//
//	go test ./builder -run '^$' -bench BuildFull -benchtime 1x
func BenchmarkBuildFull(b *testing.B) {
	for b.Loop() {
		site := newSite(b, `base_url = "https://example.org/"`)
		first, err := Build(context.Background(), Options{Site: site})
		if err != nil {
			b.Fatal(err)
		}
		second, err := Build(context.Background(), Options{Site: site})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(first.Pages)/first.Duration.Seconds(), "pages/s")
		b.ReportMetric(first.Duration.Seconds(), "build-s")
		b.ReportMetric(second.Duration.Seconds(), "rebuild-s")
		b.ReportMetric(float64(second.Written), "rebuild-writes")
		b.ReportMetric(float64(first.Bytes)/1e6, "MB")
		b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
	}
}

// peakRSSMiB reads the peak resident set size of this process (Linux).
func peakRSSMiB() float64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}
