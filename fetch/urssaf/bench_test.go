package urssaf

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"territoires/fetch/urssaf/urssaftest"
)

// urssafBenchExport writes, once per benchmark, a commune × APE export of the
// size of France's: 35,000 communes, 20 years (2006-2025), about 34 APE
// rows per commune, 1.2 million rows; repeat > 1 appends the same rows
// again, which must not change the memory a decode needs.
func urssafBenchExport(b *testing.B, repeat int) (path string, rows int, g Geo) {
	b.Helper()
	communes := urssaftest.SyntheticCommunes(35000)
	years := make([]int, 0, 20)
	for y := 2006; y <= 2025; y++ {
		years = append(years, y)
	}
	data := urssaftest.Data{Communes: communes, Years: years, RowsPerCommune: 35}
	dir := b.TempDir()
	once := filepath.Join(dir, "once.csv")
	f, err := os.Create(once)
	if err != nil {
		b.Fatal(err)
	}
	n, err := data.WriteCommuneCSV(f, true)
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		b.Fatal(err)
	}
	if repeat <= 1 {
		return once, n, urssaftest.NewGeo(communes, nil)
	}
	path = filepath.Join(dir, "repeated.csv")
	out, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(out)
	for i := range repeat {
		in, err := os.Open(once)
		if err != nil {
			b.Fatal(err)
		}
		r := bufio.NewReader(in)
		if i > 0 {
			if _, err := r.ReadString('\n'); err != nil { // the header, once
				b.Fatal(err)
			}
		}
		if _, err := io.Copy(w, r); err != nil {
			b.Fatal(err)
		}
		in.Close()
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
	os.Remove(once)
	return path, n * repeat, urssaftest.NewGeo(communes, nil)
}

// urssafPeakSampler samples the live heap (runtime/metrics: no stop-the-world)
// every few milliseconds and keeps the peak.
type urssafPeakSampler struct {
	stop chan struct{}
	done sync.WaitGroup
	peak uint64
}

func startUrssafPeakSampler() *urssafPeakSampler {
	s := &urssafPeakSampler{stop: make(chan struct{})}
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(samples)
			s.peak = max(s.peak, samples[0].Value.Uint64())
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *urssafPeakSampler) Stop() uint64 {
	close(s.stop)
	s.done.Wait()
	return s.peak
}

// BenchmarkDecodeCommunes decodes a France-sized export from disk,
// as Figures does from the cache, and reports rows per second, the peak
// heap (live and not yet collected objects, sampled every 2 ms), the heap
// the aggregate retains once decoded, the process's memory from the OS,
// and the bytes allocated per row. Run it with
//
//	go test ./fetch -run '^$' -bench DecodeCommunes -benchtime 3x
//
// The rows=4.8M case is the same rows four times over: memory must not
// grow with the number of rows. sectors=last-year is what the URSSAF
// client keeps by default; sectors=all-years keeps the sector breakdowns
// of all 20 years.
func BenchmarkDecodeCommunes(b *testing.B) {
	for _, bc := range []struct {
		name        string
		repeat      int
		sectorYears int
	}{
		{"rows=1.2M/sectors=last-year", 1, 1},
		{"rows=4.8M/sectors=last-year", 4, 1},
		{"rows=1.2M/sectors=all-years", 1, 0},
	} {
		b.Run(bc.name, func(b *testing.B) {
			path, rows, g := urssafBenchExport(b, bc.repeat)
			fi, err := os.Stat(path)
			if err != nil {
				b.Fatal(err)
			}
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			sampler := startUrssafPeakSampler()
			b.SetBytes(fi.Size())
			b.ResetTimer()
			var emp *Employment
			for b.Loop() {
				emp = nil // measure one aggregate at a time
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				emp, err = DecodeCommunes(f, g, CommuneOptions{SectorYears: bc.sectorYears})
				f.Close()
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			peak := sampler.Stop()
			runtime.ReadMemStats(&after)
			var live runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&live)
			if got := emp.Report().Rows; got != rows {
				b.Fatalf("decoded %d rows, want %d", got, rows)
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric((float64(live.HeapAlloc)-float64(before.HeapAlloc))/(1<<20), "aggregate-MiB")
			b.ReportMetric(float64(after.Sys)/(1<<20), "sys-MiB")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(rows)/float64(b.N), "alloc-B/row")
			runtime.KeepAlive(emp)
		})
	}
}

// BenchmarkUrssafFigures yields the figures of a decoded France-sized
// export, as the builder receives them (sector breakdowns for the last
// year).
func BenchmarkUrssafFigures(b *testing.B) {
	path, _, g := urssafBenchExport(b, 1)
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	emp, err := DecodeCommunes(f, g, CommuneOptions{SectorYears: 1})
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		n = 0
		for range emp.Figures() {
			n++
		}
	}
	b.ReportMetric(float64(n), "figures")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "figures/s")
}
