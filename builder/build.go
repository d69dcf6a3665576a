package builder

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tdewolff/minify/v2"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"golang.org/x/sync/errgroup"

	"territoires/assets"
	"territoires/config"
	"territoires/geo"
	"territoires/indicator"
	"territoires/offline"
	"territoires/templates"
)

// Options are the inputs of a build.
type Options struct {
	Site *config.Site
	// Source gives the figures; nil means the offline source.
	Source Source
	// Progress, when set, is called as pages are rendered (from several
	// goroutines, with increasing done counts).
	Progress func(done, total int)
	// Log receives what the build says besides progress (npm installs).
	Log io.Writer
	// Zones are INSEE's study zonings and their communes (from the
	// Métadonnées cache); nil: no zone pages (see zones.go).
	Zones []geo.ZoneInput
	// sitemapSize overrides the number of URLs per sitemap file (tests).
	sitemapSize int
	// noChartDefaults writes every chart's attributes in its page (tests).
	noChartDefaults bool
}

// Summary tells what a build did.
type Summary struct {
	Pages int
	PublishStats
	// Current is set when the published site was already the build of
	// these inputs: nothing was rendered or written.
	Current  bool
	Duration time.Duration
}

// Build renders the site into the output folder of opts.Site.
func Build(ctx context.Context, opts Options) (sum Summary, err error) {
	start := time.Now()
	site := opts.Site
	ref, err := geo.Load()
	if err != nil {
		return sum, fmt.Errorf("referential: %w", err)
	}
	terrs := Select(ref, site.Territories)
	zones, err := geo.NewZonings(ref, opts.Zones)
	if err != nil {
		return sum, fmt.Errorf("zones: %w", err)
	}
	terrs = append(terrs, studyZones(zones, terrs)...)
	src := opts.Source
	if src == nil {
		src = offline.New(ref)
	}
	b, err := prepare(site, ref)
	if err != nil {
		return sum, fmt.Errorf("prepare: %w", err)
	}
	b.site.zones = zones
	b.figs = newFigureCache(src)
	b.site.Illustrative = src.Illustrative()
	echarts, err := vendorECharts(ctx, opts.Log)
	if err != nil {
		return sum, fmt.Errorf("prepare: %w", err)
	}
	dest := site.Path(site.Output)
	fp, err := b.fingerprint(opts, echarts)
	if err != nil {
		return sum, fmt.Errorf("prepare: %w", err)
	}
	if m, ok := current(dest, fp); ok {
		sum = Summary{Pages: m.Pages, PublishStats: PublishStats{Files: m.Files, Bytes: m.Bytes}, Current: true}
		sum.Duration = time.Since(start)
		return sum, nil
	}
	pub, err := NewPublisher(dest)
	if err != nil {
		return sum, fmt.Errorf("publish: %w", err)
	}
	defer func() {
		if err != nil {
			pub.Abort()
		}
	}()
	b.built = make(map[*geo.Territory]bool, len(terrs))
	for _, t := range terrs {
		b.built[t] = true
	}
	if !opts.noChartDefaults {
		if b.site.charts, err = b.sampleCharts(ctx, terrs, src, site.WorkerCount()); err != nil {
			return sum, fmt.Errorf("charts: %w", err)
		}
	}
	if err := b.assets(pub, echarts); err != nil {
		return sum, fmt.Errorf("assets: %w", err)
	}
	if err := b.site.renderParts(b.tpl.territory); err != nil {
		return sum, fmt.Errorf("layout: %w", err)
	}
	// The redirects of the retired communes and the search index follow
	// from the referential alone: they are written while the statistics
	// are computed and the pages render (8,500 and 2,700 files and
	// folders), rather than on one core after.
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if _, err := b.formerPages(pub, terrs); err != nil {
			return fmt.Errorf("redirects: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		if _, err := b.writeSearchIndex(pub, terrs); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
		return nil
	})
	if b.stats, err = computeStats(gctx, ref, zones, terrs, b.figs, site.WorkerCount()); err != nil {
		if werr := g.Wait(); werr != nil { // the cause, when a writer failed first
			return sum, werr
		}
		return sum, fmt.Errorf("stats: %w", err)
	}
	g.Go(func() error {
		if err := b.renderPages(gctx, pub, terrs, site.WorkerCount(), opts.Progress); err != nil {
			return fmt.Errorf("render: %w", err)
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return sum, err
	}
	if err := b.publishCompare(pub); err != nil {
		return sum, fmt.Errorf("compare index: %w", err)
	}
	if err := b.extras(pub, terrs, opts.sitemapSize); err != nil {
		return sum, fmt.Errorf("extras: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return sum, err
	}
	pub.Describe(fp, len(terrs))
	st, err := pub.Commit()
	if err != nil {
		return sum, fmt.Errorf("commit: %w", err)
	}
	return Summary{Pages: len(terrs), PublishStats: st, Duration: time.Since(start)}, nil
}

// build holds what the render stages share.
type build struct {
	site  *siteView
	tpl   *pageTemplates
	min   *minify.M
	built map[*geo.Territory]bool
	files fs.FS // assets
	tfs   fs.FS // templates

	figs     *figureCache
	stats    *siteStats   // ranks and tables of children (stats.go)
	compares compareIndex // how each chart takes a second territory (compare.go)
	charts   atomic.Bool  // some page has a chart: publish the embed page
	csv      *csvFiles
	bundles  *jsonBundles // the communes' JSON (bundle.go)
}

// prepare parses the templates and computes the site-wide view.
func prepare(site *config.Site, ref *geo.Referential) (*build, error) {
	tfs, err := overlay(templates.FS, site.Path(site.Templates))
	if err != nil {
		return nil, err
	}
	tpl, err := parseTemplates(tfs)

	if err != nil {
		return nil, err
	}
	afs, err := overlay(assets.FS, site.Path(site.Assets))
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(site.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("base_url: %w", err)
	}
	return &build{
		site: &siteView{
			Title: site.Title, BaseURL: site.BaseURL, Root: rootPath(u.Path),
			BuildDate: site.BuildDate, GeoYear: ref.GeoYear, themes: site.Themes,
		},
		tpl:   tpl,
		tfs:   tfs,
		min:   newMinifier(),
		files: afs,
	}, nil
}

// assets publishes the style sheet and the scripts under names that carry
// their content hash, so that they can be cached for ever: site.css,
// search.js on every page, and on pages with charts the ECharts bundle
// (generated by assets/gen and embedded, see vendor.go) then charts.js.
func (b *build) assets(pub *Publisher, echarts []byte) error {
	// publishAfter minifies raw and publishes it after head, as it is.
	publishAfter := func(head []byte, name, mime string, raw []byte) (string, error) {
		min, err := b.min.Bytes(mime, raw)
		if err != nil {
			return "", fmt.Errorf("minify %s: %w", name, err)
		}
		min = append(head, min...)
		sum := sha256.Sum256(min)
		ext := path.Ext(name)
		rel := "assets/" + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		return b.site.url("/" + rel), pub.Write(rel, min)
	}
	publish := func(name, mime string, raw []byte) (string, error) { return publishAfter(nil, name, mime, raw) }
	read := func(name string) ([]byte, error) { return fs.ReadFile(b.files, name) }
	var err error
	for _, a := range []struct {
		name, mime string
		dst        *string
	}{
		{"site.css", "text/css", &b.site.CSS},
		{"icon.svg", "image/svg+xml", &b.site.Icon},
		{"search.js", "application/javascript", &b.site.SearchJS},
	} {
		raw, err := read(a.name)
		if err != nil {
			return err
		}
		if *a.dst, err = publish(a.name, a.mime, raw); err != nil {
			return err
		}
	}
	sum := sha256.Sum256(echarts)
	rel := "assets/echarts." + hex.EncodeToString(sum[:4]) + ".js"
	if err := pub.Write(rel, echarts); err != nil { // already minified
		return err
	}
	// The licences of the bundle, which its banner names, beside it.
	if err := pub.Write("assets/echarts.LICENSE.txt", assets.EChartsLicense); err != nil {
		return err
	}
	raw, err := read("charts.js")
	if err != nil {
		return err
	}
	// The charts' defaults come first (the pages leave them out), as JSON
	// that tests and reusers can read (chartdefaults.go).
	defs, err := b.site.charts.script()
	if err != nil {
		return err
	}
	chartsJS, err := publishAfter(defs, "charts.js", "application/javascript", raw)
	if err != nil {
		return err
	}
	b.site.Scripts = []string{b.site.url("/" + rel), chartsJS}
	// compare.js: sortable tables and the "Comparer avec…" control.
	if raw, err = read("compare.js"); err != nil {
		return err
	}
	compareJS, err := publish("compare.js", "application/javascript", raw)
	if err != nil {
		return err
	}
	b.site.CompareJS = compareJS
	b.site.ChartsJS = chartsJS
	return nil
}

var bufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// renderPages renders one page per territory with a bounded pool of workers.
func (b *build) renderPages(ctx context.Context, pub *Publisher, terrs []*geo.Territory, workers int, progress func(done, total int)) error {
	b.csv = newCSVFiles(terrs)
	b.bundles = newJSONBundles(terrs)
	built := func(t *geo.Territory) bool { return b.built[t] }
	order := renderOrder(terrs)
	b.figs.plan(order)
	var done atomic.Int64
	return inOrder(ctx, workers, len(order), func(ctx context.Context, i int) error {
		t := order[i]
		if err := b.renderPage(ctx, pub, t, built); err != nil {
			return fmt.Errorf("%s: %w", t.ID(), err)
		}
		if progress != nil {
			progress(int(done.Add(1)), len(terrs))
		}
		return nil
	})
}

// inOrder calls work for the indexes 0 to n-1 in workers goroutines, each
// taking the next index until none is left (a goroutine an index grew a
// new stack each time). The first error stops them all; so does the end
// of ctx, whose error it then returns.
func inOrder(ctx context.Context, workers, n int, work func(ctx context.Context, i int) error) error {
	g, gctx := errgroup.WithContext(ctx)
	var next atomic.Int64
	for range max(workers, 1) {
		g.Go(func() error {
			for gctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return nil
				}
				if err := work(gctx, i); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

func (b *build) renderPage(ctx context.Context, pub *Publisher, t *geo.Territory, built func(*geo.Territory) bool) error {
	defer b.figs.done(t)
	v, err := b.site.page(ctx, t, built, b.figs)
	if err != nil {
		return err
	}
	if err := b.stats.decorate(pub, v, built); err != nil {
		return err
	}
	b.compares.add(v.Themes)
	if err := b.publishTerritory(pub, indexFile(t.Path()), v); err != nil {
		return err
	}
	if !b.charts.Load() && hasCharts(v.Themes) {
		b.charts.Store(true)
	}
	if err := b.publishDownloads(pub, t, v.figures); err != nil {
		return err
	}
	b.figs.release(t, v.figures)
	return nil
}

func hasCharts(themes []themeView) bool {
	for _, th := range themes {
		if len(th.Charts) > 0 {
			return true
		}
	}
	return false
}

// publishDownloads hands a territory's figures to its JSON file (bundle.go)
// and its CSV rows to the shared CSV file that holds them.
func (b *build) publishDownloads(pub *Publisher, t *geo.Territory, figs []indicator.Figure) error {
	own := figureBufs.Get().(*[]indicator.Figure)
	defer putFigures(own)
	*own = ownFigures((*own)[:0], t, figs)
	buf := bufs.Get().(*bytes.Buffer)
	defer bufs.Put(buf)
	buf.Reset()
	writeCSVRows(buf, t, *own)
	if err := b.csv.add(pub, t, buf.Bytes()); err != nil {
		return err
	}
	return b.publishJSON(pub, t, apiSeriesOf(*own))
}

// publishHTML renders a template, minified when parsed, into a pooled
// buffer and publishes the result.
func (b *build) publishHTML(pub *Publisher, rel string, t *template.Template, data any) error {
	return b.publishWith(pub, rel, t, "layout", data)
}

// publishTerritory renders a territory's page: the templates page-top and
// page-bottom (territory.html) around its themes, written straight into
// the page; a site's own territory.html without them is rendered whole.
func (b *build) publishTerritory(pub *Publisher, rel string, v *pageView) error {
	t := b.tpl.territory
	if t.Lookup("page-top") == nil || t.Lookup("page-bottom") == nil {
		return b.publishHTML(pub, rel, t, v)
	}
	buf := bufs.Get().(*bytes.Buffer)
	defer bufs.Put(buf)
	buf.Reset()
	if err := t.ExecuteTemplate(buf, "page-top", v); err != nil {
		return err
	}
	v.writeThemes(buf)
	if err := t.ExecuteTemplate(buf, "page-bottom", v); err != nil {
		return err
	}
	return pub.Write(rel, buf.Bytes())
}

// publishWith is publishHTML with the name of the template to execute.
func (b *build) publishWith(pub *Publisher, rel string, t *template.Template, name string, data any) error {
	buf := bufs.Get().(*bytes.Buffer)
	defer bufs.Put(buf)
	buf.Reset()
	if err := t.ExecuteTemplate(buf, name, data); err != nil {
		return err
	}
	return pub.Write(rel, buf.Bytes())
}

// extras publishes the files beside the pages: 404.html, robots.txt and the
// sitemaps.
func (b *build) extras(pub *Publisher, terrs []*geo.Territory, sitemapSize int) error {
	nf := &simpleView{Site: b.site, Title: "Page introuvable", Description: "Cette page n'existe pas."}
	if err := b.publishHTML(pub, "404.html", b.tpl.notFound, nf); err != nil {
		return fmt.Errorf("404.html: %w", err)
	}
	if b.charts.Load() {
		e := &embedPageView{Site: b.site, Canonical: b.site.abs(embedPath)}
		if err := b.publishWith(pub, indexFile(embedPath), b.tpl.embed, "embed", e); err != nil {
			return fmt.Errorf("embed: %w", err)
		}
	}
	if err := b.aboutPage(pub); err != nil {
		return fmt.Errorf("a-propos: %w", err)
	}
	if err := b.provenancePage(pub); err != nil { // builder/provenance.go
		return fmt.Errorf("a-propos/donnees: %w", err)
	}
	deps := &simpleView{Site: b.site, Title: "Les communes par département", Canonical: b.site.abs("/departements/"),
		Description: "Liste des départements, chacun avec la liste alphabétique de ses communes."}
	for _, t := range terrs {
		if t.Kind == geo.Departement || t.Kind == geo.Collectivite {
			deps.Items = append(deps.Items, childView{Name: t.Name, Code: t.Code, URL: b.site.url(t.Path())})
		}
	}
	slices.SortFunc(deps.Items, func(a, b childView) int { return strings.Compare(a.Code, b.Code) })
	if err := b.publishHTML(pub, "departements/index.html", b.tpl.departements, deps); err != nil {
		return fmt.Errorf("departements: %w", err)
	}
	if err := b.writeAPIIndex(pub, terrs); err != nil {
		return fmt.Errorf("api index: %w", err)
	}
	if err := pub.Write("_headers", []byte(hostHeaders)); err != nil {
		return err
	}
	robots := "User-agent: *\nAllow: /\n\nSitemap: " + b.site.abs("sitemap.xml") + "\n"
	if err := pub.Write("robots.txt", []byte(robots)); err != nil {
		return err
	}
	urls := make([]string, 0, len(terrs)+3)
	urls = append(urls, "/a-propos/", "/a-propos/donnees/", "/departements/")
	for _, t := range terrs {
		urls = append(urls, t.Path())
	}
	return writeSitemaps(pub, b.site, urls, sitemapSize)
}

// hostHeaders is the _headers file read by static hosts such as Netlify or
// Cloudflare Pages: a strict Content-Security-Policy everywhere; the embed
// pages may be framed by any site (frame-ancestors *), the others by none.
const hostHeaders = `/*
  Content-Security-Policy: default-src 'self'; frame-ancestors 'none'
  X-Content-Type-Options: nosniff
  Referrer-Policy: strict-origin-when-cross-origin
/embed/*
  ! Content-Security-Policy
  Content-Security-Policy: default-src 'self'; frame-ancestors *
/assets/*
  Cache-Control: public, max-age=31536000, immutable
`

// aboutPage renders the "À propos / Données" page from its Markdown text.
func (b *build) aboutPage(pub *Publisher) error {
	src, err := fs.ReadFile(b.tfs, "a-propos.md")
	if err != nil {
		return err
	}
	var body bytes.Buffer
	md := goldmark.New(goldmark.WithExtensions(extension.Table))
	if err := md.Convert(src, &body); err != nil {
		return err
	}
	v := &simpleView{Site: b.site, Title: "À propos et données", Canonical: b.site.abs("/a-propos/"),
		Description: "Sources, licences, méthodes et API statique des données du site.", Body: template.HTML(body.String())}
	return b.publishHTML(pub, "a-propos/index.html", b.tpl.about, v)
}

// overlay returns base, with the files of folder dir (when set) taking
// precedence over base's files of the same name.
func overlay(base fs.FS, dir string) (fs.FS, error) {
	if dir == "" {
		return base, nil
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("override folder %q: not a folder", dir)
	}
	return overlayFS{top: os.DirFS(dir), base: base}, nil
}

type overlayFS struct{ top, base fs.FS }

func (o overlayFS) Open(name string) (fs.File, error) {
	f, err := o.top.Open(name)
	if err == nil {
		return f, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return o.base.Open(name)
}

// rootPath is the URL path of the site root, with slashes at both ends.
func rootPath(p string) string {
	if p = strings.Trim(p, "/"); p == "" {
		return "/"
	}
	return "/" + p + "/"
}
