package builder

import (
	"bytes"
	"context"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"territoires/geo"
	"territoires/offline"
)

// BenchmarkRenderPage renders the page of Lyon (its templates are
// minified once, when parsed).
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
	var out bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		out.Reset()
		v, err := bl.site.page(context.Background(), lyon, built, figs)
		if err != nil {
			b.Fatal(err)
		}
		if err := render(bl.tpl.territory, &out, v); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(out.Len()), "bytes/page")
}

// BenchmarkBuildFull builds the whole site (every territory) into a
// temporary folder, then rebuilds it with nothing changed. It reports pages
// per second of the first build, its allocations (allocs/op and B/op are
// those of both builds), the peak of the live heap and the peak resident
// memory of the process, the files and bytes published, and the time and
// files written of the rebuild (want 0). Run it with the memory limit of
// the command (main.go) to see the RSS a build needs:
//
//	GOMEMLIMIT=250MiB GOGC=200 go test ./builder -run '^$' -bench BuildFull -benchtime 1x
func BenchmarkBuildFull(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		site := newSite(b, `base_url = "https://example.org/"`)
		peak := watchHeap()
		first, err := Build(context.Background(), Options{Site: site})
		heap := peak()
		if err != nil {
			b.Fatal(err)
		}
		second, err := Build(context.Background(), Options{Site: site})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(first.Pages)/first.Duration.Seconds(), "pages/s")
		b.ReportMetric(first.Duration.Seconds(), "build-s")
		b.ReportMetric(float64(first.Files), "files")
		b.ReportMetric(float64(first.Bytes)/1e6, "MB")
		b.ReportMetric(heap, "peak-heap-MiB")
		b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
		b.ReportMetric(second.Duration.Seconds(), "rebuild-s")
		b.ReportMetric(float64(second.Written), "rebuild-writes")
	}
}

// watchHeap samples the heap (live and not yet collected objects) every
// 5 ms until the returned function is called, which returns its peak in MiB.
func watchHeap() func() float64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	return func() float64 {
		close(stop)
		<-done
		return float64(peak) / (1 << 20)
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
