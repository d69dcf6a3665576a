package builder

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// publishTree publishes n territories' worth of files (a page, an embed,
// two downloads each: the shape of the whole site, 4 files per territory)
// with content from body.
func publishTree(b *testing.B, dest string, n int, body func(i int) string) PublishStats {
	b.Helper()
	pub, err := NewPublisher(dest)
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		data := []byte(body(i))
		for _, rel := range []string{
			fmt.Sprintf("commune/%05d/index.html", i), fmt.Sprintf("embed/commune/%05d.html", i),
			fmt.Sprintf("api/commune/%05d.csv", i), fmt.Sprintf("api/commune/%05d.json", i),
		} {
			if err := pub.Write(rel, data); err != nil {
				b.Fatal(err)
			}
		}
	}
	st, err := pub.Commit()
	if err != nil {
		b.Fatal(err)
	}
	return st
}

// BenchmarkCommit measures the publisher alone on a site of the country's
// shape (37,000 territories, 148,000 small files): a first build into a
// new folder, a rebuild where one territory changed (every other file
// linked, the folders switched, the old tree removed), a rebuild where
// nothing changed (linked, no switch), and the check of a current site.
//
//	go test ./builder -run '^$' -bench Commit -benchtime 1x
func BenchmarkCommit(b *testing.B) {
	const n = 37000
	for b.Loop() {
		dest := filepath.Join(b.TempDir(), "public")
		t0 := time.Now()
		publishTree(b, dest, n, func(i int) string { return fmt.Sprintf("<p>%d</p>", i) })
		t1 := time.Now()
		st := publishTree(b, dest, n, func(i int) string {
			if i == 7 {
				return "changed"
			}
			return fmt.Sprintf("<p>%d</p>", i)
		})
		t2 := time.Now()
		if st.Written != 4 {
			b.Fatalf("one territory changed: %d written", st.Written)
		}
		publishTree(b, dest, n, func(i int) string {
			if i == 7 {
				return "changed"
			}
			return fmt.Sprintf("<p>%d</p>", i)
		})
		t3 := time.Now()
		digest, err := outputDigest(dest)
		if err != nil || digest == "" {
			b.Fatal(err)
		}
		t4 := time.Now()
		b.ReportMetric(t1.Sub(t0).Seconds(), "new-s")
		b.ReportMetric(t2.Sub(t1).Seconds(), "one-changed-s")
		b.ReportMetric(t3.Sub(t2).Seconds(), "none-changed-s")
		b.ReportMetric(t4.Sub(t3).Seconds(), "digest-s")
	}
}
