package builder

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"territoires/assets"
)

// TestVendorEChartsNeedsNoNode: the bundle is embedded, so a build finds it
// with nothing on the PATH (no node, no npm).
func TestVendorEChartsNeedsNoNode(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	b, err := vendorECharts(t.Context(), nil)
	if err != nil {
		t.Fatalf("vendorECharts() with an empty PATH: %v", err)
	}
	if !bytes.Equal(b, assets.ECharts) {
		t.Errorf("vendorECharts() returned %d bytes, want the %d embedded bytes", len(b), len(assets.ECharts))
	}
	checkBundle(t, b)
	if !bytes.Contains(assets.EChartsLicense, []byte("Apache License")) || !bytes.Contains(assets.EChartsLicense, []byte("zrender")) {
		t.Errorf("echarts.LICENSE.txt lacks the Apache licence or the zrender notice")
	}
}

// TestChartsJS runs charts.js in Node against a fake page whose charts are
// drawn by the committed bundle. It needs node (skipped without it, but
// under CI=true, where it fails).
func TestChartsJS(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("node not found (CI=true: a missing tool fails the test): %v", err)
		}
		t.Skipf("node not found: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	charts, err := fs.ReadFile(assets.FS, "charts.js")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	for name, b := range map[string][]byte{"echarts.min.js": assets.ECharts, "charts.js": charts, "harness.js": []byte(chartsHarness)} {
		if err := os.WriteFile(filepath.Join(work, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The bundle draws a go-echarts option into an <svg> with the French
	// locale, and charts.js behaves in a fake page around it.
	cmd := exec.CommandContext(ctx, node, "harness.js")
	cmd.Dir = work
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node harness.js: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "harness: ok") {
		t.Errorf("node harness.js printed %q, want it to end with harness: ok", out)
	}
}

// checkBundle checks the bytes of the bundle without running them.
func checkBundle(t *testing.T, b []byte) {
	t.Helper()
	s := string(b)
	for _, c := range []struct{ what, want string }{
		{"the license banner", "/*! Apache ECharts 6.1.0"},
		{"the global echarts", "var echarts="},
		{"the French locale", "Janvier"},
		{"the French aria phrases", "Cette carte est intitul"},
		{"the SVG renderer", "http://www.w3.org/2000/svg"},
	} {
		if !strings.Contains(s, c.want) {
			t.Errorf("bundle lacks %s (%q)", c.what, c.want)
		}
	}
	for _, bad := range []string{"process.env", "import ", "export "} {
		if strings.Contains(s, bad) {
			t.Errorf("bundle contains %q: not a plain browser script", bad)
		}
	}
	if len(b) > 700<<10 {
		t.Errorf("bundle is %d KB, want a custom build well under the full 1,100 KB", len(b)>>10)
	}
}

// chartsHarness runs charts.js in node against a fake page whose
// echarts.init draws, with the real bundle in server-side mode, into an SVG
// string. It exits non-zero on the first failed assertion.
const chartsHarness = `'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const vm = require('node:vm');

const bundle = fs.readFileSync('echarts.min.js', 'utf8');
const chartsJS = fs.readFileSync('charts.js', 'utf8');

// The real ECharts, in a context of its own.
const real = { setTimeout, clearTimeout, console };
vm.runInNewContext(bundle + '\nthis.echarts = echarts;', real);
const echarts = real.echarts;
assert.equal(typeof echarts.init, 'function', 'echarts.init');

// What go-echarts v2.6.7 emits: empty title, toolbox and legend objects.
const lineOption = {
  color: ['#5470c6', '#91cc75'], legend: {}, title: {}, toolbox: {}, tooltip: {},
  series: [{ name: 'Lyon', type: 'line', data: [{ value: 513275 }, { value: 516092 }, { value: 522250 }] }],
  xAxis: [{ data: ['2016', '2019', '2022'] }], yAxis: [{}],
};
// What builder/charts.go emits: go-echarts option types, '-' for missing.
const pyramidOption = {
  legend: { show: true },
  xAxis: [{ type: 'value', axisLabel: { formatter: '{value}', showMinLabel: null, showMaxLabel: null } }],
  yAxis: [{ type: 'category', data: ['0 à 14 ans', '15 à 29 ans', '30 à 44 ans'] }],
  series: [
    { name: 'Hommes', type: 'bar', stack: 'total', data: [-1200, -1500, '-'] },
    { name: 'Femmes', type: 'bar', stack: 'total', data: [1100, 1600, '-'] },
  ],
};
const compareOption = {
  xAxis: [{ type: 'category', data: ['Lyon', 'Métropole de Lyon', 'Rhône', 'Auvergne-Rhône-Alpes', 'France'] }],
  yAxis: [{ type: 'value', scale: false }],
  series: [{ name: 'Taux de pauvreté', type: 'bar', data: [17.400000000000002, 15.1, '-', 13.9, 14.1] }],
};

// 1. The bundle itself draws a go-echarts option into SVG, in French.
{
  const c = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 600, height: 300, locale: 'FR' });
  c.setOption(lineOption);
  const svg = c.renderToSVGString();
  assert.match(svg, /^<svg/, 'SVG output');
  assert.match(svg, /2019/, 'category label drawn');
  assert.equal(c.getModel().getLocaleModel().get(['time', 'month'])[0], 'Janvier', 'French locale');
  c.dispose();
}

// A fake page.
function element(tag, attrs, props) {
  const el = Object.assign({
    tagName: tag.toUpperCase(), attrs: Object.assign({}, attrs), style: {}, hidden: false,
    classList: { contains: (c) => (el.attrs.class || '').split(' ').includes(c) },
    getAttribute: (k) => (k in el.attrs ? el.attrs[k] : null),
    hasAttribute: (k) => k in el.attrs,
    setAttribute: (k, v) => { el.attrs[k] = String(v); },
    closest: (sel) => (sel === 'figure' ? el.figure || null : sel === 'button' && el.tagName === 'BUTTON' ? el : null),
  }, props);
  return el;
}

function page(opts) {
  const byId = {};
  const charts = [];
  const buttons = [];
  const listeners = {};
  const warnings = [];
  for (const c of opts.charts || []) {
    const details = { open: false };
    const figure = { id: c.id, querySelector: (sel) => (sel === 'details' ? details : null) };
    // A bare container leaves its option, unit, decimals and label to the
    // build's defaults (window.territoiresChartDefaults), but for attrs.
    const attrs = c.bare ? Object.assign({ class: 'chart' }, c.attrs)
      : { class: 'chart', 'data-options': c.id + '-options', 'data-unit': c.unit, 'data-decimals': c.decimals, role: 'img', 'aria-label': c.label };
    const el = element('div', attrs, { clientWidth: c.width, clientHeight: 300, figure, details });
    byId[c.id + '-options'] = { textContent: JSON.stringify(c.option) };
    charts.push(el);
  }
  for (const b of opts.buttons || []) {
    const el = element('button', b.attrs, { parentNode: { insertBefore: (n) => { el.live = n; } }, nextElementSibling: null, nextSibling: null });
    buttons.push(el);
  }
  Object.assign(byId, opts.targets || {});
  const document = {
    readyState: 'complete',
    querySelectorAll: (sel) => {
      if (sel === '.chart[data-options]') return charts.filter((c) => c.hasAttribute('data-options'));
      if (sel === '.chart[data-option]') return charts.filter((c) => c.hasAttribute('data-option'));
      if (sel === 'figure .chart') return charts;
      if (sel === '.chart-block details:not([open])') return charts.map((c) => c.details).filter((d) => !d.open);
      if (sel.startsWith('button.embed-toggle')) return buttons.filter((b) => b.classList.contains('embed-toggle'));
      return [];
    },
    querySelector: (sel) => (sel === 'main h1' && opts.h1 ? { textContent: opts.h1 } : null),
    getElementById: (id) => byId[id] || null,
    addEventListener: (type, fn) => { (listeners[type] = listeners[type] || []).push(fn); },
    createElement: (tag) => element(tag, {}),
    execCommand: () => false,
  };
  const instances = [];
  const window = {
    document,
    console: { warn: (...a) => warnings.push(a.join(' ')), log: () => {} },
    addEventListener: (type, fn) => { (listeners['window:' + type] = listeners['window:' + type] || []).push(fn); },
    requestAnimationFrame: (fn) => setTimeout(fn, 0),
    Intl,
    navigator: opts.navigator || {},
  };
  if (opts.echarts) {
    window.echarts = {
      init(el, theme, o) {
        assert.equal(o.renderer, 'svg', 'renderer');
        assert.equal(o.locale, 'FR', 'locale');
        const c = echarts.init(null, theme, Object.assign({}, o, { ssr: true, width: el.clientWidth, height: el.clientHeight }));
        c.resize = () => {};
        instances.push({ el, chart: c });
        return c;
      },
    };
  }
  if (opts.defaults) window.territoiresChartDefaults = opts.defaults;
  window.window = window;
  const ctx = vm.createContext(Object.assign(window, { setTimeout, clearTimeout, Array, JSON, Math, String, Number, Object, Error }));
  vm.runInContext(chartsJS, ctx);
  return { charts, buttons, listeners, warnings, instances, byId };
}

const NNBSP = '\u202f';
const NBSP = '\u00a0';

// 2. charts.js: options, formats, aria, phone layout.
{
  const p = page({
    echarts: true,
    charts: [
      { id: 'population-legale', option: lineOption, unit: 'hab.', decimals: '0', label: 'Population légale de Lyon, 2016 à 2022', width: 800 },
      { id: 'pyramide', option: pyramidOption, unit: 'hab.', decimals: '0', label: 'Pyramide des âges', width: 360 },
      { id: 'pauvrete', option: compareOption, unit: '%', decimals: '1', label: 'Taux de pauvreté', width: 460 },
    ],
  });
  assert.deepEqual(p.warnings, [], 'no warning');
  assert.equal(p.instances.length, 3, 'three charts');
  const [line, pyr, cmp] = p.instances.map((i) => i.chart.getOption());

  assert.equal(cmp.tooltip[0].valueFormatter(17.400000000000002), '17,4' + NBSP + '%', 'rate');
  assert.equal(cmp.tooltip[0].valueFormatter('-'), 'n.d.', 'missing rate');
  assert.equal(cmp.yAxis[0].axisLabel.formatter(12.5), '12,5' + NBSP + '%', 'axis rate');
  assert.equal(cmp.xAxis[0].axisLabel.formatter('Auvergne-Rhône-Alpes'), 'Auvergne-\nRhône-\nAlpes', 'long name wrapped');
  assert.equal(cmp.xAxis[0].axisLabel.interval, 0, 'every territory named');
  assert.match(p.instances[2].chart.renderToSVGString(), /Auvergne-/, 'comparison drawn');

  assert.equal(line.aria.enabled, true, 'aria enabled');
  assert.equal(line.aria.label.description, 'Population légale de Lyon, 2016 à 2022', 'aria description');
  assert.equal(line.tooltip[0].trigger, 'axis', 'tooltip trigger');
  assert.equal(line.tooltip[0].valueFormatter(513275), '513' + NNBSP + '275' + NBSP + 'hab.', 'tooltip value');
  assert.equal(line.tooltip[0].valueFormatter(null), 'n.d.', 'missing value');
  assert.equal(line.yAxis[0].axisLabel.formatter(500000), '500' + NNBSP + '000' + NBSP + 'hab.', 'axis label');
  assert.equal(line.yAxis[0].minInterval, 1, 'integer ticks for counts');
  assert.equal(line.xAxis[0].axisLabel.formatter, undefined, 'category axis untouched');
  const svg = p.instances[0].chart.renderToSVGString();
  assert.match(svg, /hab\./, 'unit on the value axis');

  // The pyramid: values without sign, phone layout at 360 px.
  assert.equal(pyr.tooltip[0].valueFormatter(-1200), '1' + NNBSP + '200' + NBSP + 'hab.', 'men without minus');
  assert.equal(pyr.xAxis[0].axisLabel.formatter(-1000), '1' + NNBSP + '000', 'axis without minus nor unit');
  assert.equal(pyr.xAxis[0].axisLabel.formatter(-40000), '40' + NBSP + 'k', 'compact horizontal axis');
  assert.equal(pyr.legend[0].type, 'scroll', 'phone legend scrolls');
  assert.equal(pyr.legend[0].bottom, 4, 'legend at the bottom');
  assert.equal(pyr.xAxis[0].axisLabel.fontSize, 10, 'phone axis font');
  assert.match(p.instances[1].chart.renderToSVGString(), /^<svg/, 'pyramid drawn');

  // Window resizes (no ResizeObserver here) and printing: the tables are
  // printed too.
  const fire = (type) => (p.listeners['window:' + type] || []).forEach((fn) => fn({}));
  assert.ok((p.listeners['window:resize'] || []).length > 0, 'resize listener');
  fire('resize');
  fire('beforeprint');
  assert.ok(p.charts.every((c) => c.details.open), 'tables open for printing');
  assert.equal(p.instances[0].chart.getOption().animation, false, 'no animation in print');
  fire('afterprint');
  assert.ok(p.charts.every((c) => !c.details.open), 'tables closed after printing');
}

// 2b. Containers that leave their attributes to the build's defaults; the
// page's own attributes, even empty, win.
{
  const p = page({
    echarts: true,
    h1: "L'Abergement-Clémenciat",
    defaults: {
      'population-legale': { o: JSON.stringify(lineOption), u: 'hab.', l: 'Population légale de \u0000, 2016 à 2022' },
      pauvrete: { o: JSON.stringify(compareOption), u: '%', d: 1, l: 'Taux de pauvreté' },
    },
    charts: [
      { id: 'population-legale', bare: true, width: 800 },
      { id: 'pauvrete', bare: true, attrs: { 'data-unit': '', 'data-decimals': '0', 'aria-label': 'Autre' }, width: 460 },
    ],
  });
  assert.deepEqual(p.warnings, [], 'no warning with defaults');
  assert.equal(p.instances.length, 2, 'charts drawn from their defaults');
  const [a, b] = p.charts;
  assert.equal(a.attrs['data-unit'], 'hab.', 'default unit');
  assert.equal(a.attrs.role, 'img', 'role');
  assert.equal(a.attrs['aria-label'], "Population légale de L'Abergement-Clémenciat, 2016 à 2022", 'the name in the default label');
  assert.equal(p.instances[0].chart.getOption().aria.label.description, a.attrs['aria-label'], 'aria description');
  assert.equal(b.attrs['data-unit'], '', "the page's empty unit wins");
  assert.equal(b.attrs['aria-label'], 'Autre', "the page's label wins");
  assert.equal(p.instances[1].chart.getOption().tooltip[0].valueFormatter(17.4), '17', "the page's decimals win");
}

// 3. No ECharts: a warning, the tables opened, nothing thrown.
{
  const p = page({ echarts: false, charts: [{ id: 'c', option: lineOption, unit: '', decimals: '1', label: 'x', width: 500 }] });
  assert.equal(p.warnings.length, 1, 'one warning without ECharts');
  assert.equal(p.charts[0].details.open, true, 'table opened');
}

// 4. A bad option: that chart's table opens, no throw.
{
  const p = page({ echarts: true, charts: [{ id: 'c', option: 'not an object', unit: '', decimals: '1', label: 'x', width: 500 }] });
  assert.equal(p.warnings.length, 1, 'one warning for a bad option');
  assert.equal(p.charts[0].details.open, true, 'table opened');
}

// 5. No chart at all, and the embed controls.
(async () => {
  const panel = { hidden: true };
  const code = { tagName: 'TEXTAREA', value: '<iframe src="x"></iframe>', textContent: '' };
  let copied = null;
  const p = page({
    echarts: false,
    buttons: [
      { attrs: { class: 'embed-toggle', 'aria-controls': 'embed-1' } },
      { attrs: { class: 'copy', 'data-copy': 'code-1' } },
    ],
    targets: { 'embed-1': panel, 'code-1': code },
    navigator: { clipboard: { writeText: (s) => { copied = s; return Promise.resolve(); } } },
  });
  assert.deepEqual(p.warnings, [], 'no warning on a page without chart');
  const [toggle, copy] = p.buttons;
  assert.equal(toggle.attrs['aria-expanded'], 'false', 'collapsed at start');
  const click = (target) => p.listeners.click.forEach((fn) => fn({ target }));
  click(toggle);
  assert.equal(panel.hidden, false, 'panel shown');
  assert.equal(toggle.attrs['aria-expanded'], 'true', 'expanded');
  click(toggle);
  assert.equal(panel.hidden, true, 'panel hidden again');
  click(copy);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(copied, '<iframe src="x"></iframe>', 'copied text');
  assert.equal(copy.live.textContent, 'Copié', 'announced');
  assert.equal(copy.live.attrs['aria-live'], 'polite', 'live region');
  console.log('harness: ok');
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
`
