/*
 * charts.js: draws every chart of a territoires page with ECharts, and runs
 * the "Intégrer" (embed) controls. Plain ES2018, no module, no inline code:
 * pages run under Content-Security-Policy: default-src 'self'. Load it after
 * the ECharts bundle, both with defer.
 *
 * Contract with the page (templates/):
 *
 *   <div class="chart" data-options="ID" data-unit="hab." data-decimals="0"
 *        role="img" aria-label="Population légale de Lyon, 2016 à 2023"></div>
 *   <script type="application/json" id="ID">{ ECharts option }</script>
 *   <details>...the same figures as a table...</details>   (same <figure>)
 *
 * or, for a chart whose figures are those of its table (most), a short
 * option in an attribute, that names the table's columns instead of
 * repeating the figures (builder/charts.go, tableData; fromTable here):
 *
 *   <div class="chart" data-option='{"series":[{"type":"bar"}],"table":{"cols":[1]}}' ...></div>
 *
 * What a chart's container leaves out, charts.js takes from the defaults
 * the build writes before this script (builder/chartdefaults.go):
 *
 *   window.territoiresChartDefaults = { ID: { o: data-option, u: data-unit,
 *     d: data-decimals, l: aria-label with U+0000 for the territory's name } }
 *
 * keyed by the id of the chart's <figure>; the name is the page's <h1>.
 * A container's own attributes win.
 *
 * What every chart shares is set here unless the option sets it: palette,
 * fonts, grid, tooltip, aria, French number formats, no animation. Optional:
 * data-abs="true" (or "false") forces (or forbids) values without their
 * sign; by default a horizontal bar chart with a series all negative and
 * another all positive is taken for an age pyramid and shown without signs.
 *
 *   <button class="embed-toggle" aria-controls="ID">  shows or hides #ID
 *     when #ID has data-embed="URL": also writes into its textarea the
 *     iframe snippet of URL#FIGURE-ID titled "H3 – NAME" (NAME: data-place,
 *     or the page's <h1>) and moves #ID under the button (one panel per
 *     page). Such buttons, "Intégrer", are added here under every chart of
 *     the page; the panel #integrer, empty in the page, is filled here.
 *   <button class="copy" data-copy="ID">              copies #ID's text
 *
 * The embed page (<body class="embed" data-root="/">, at /embed/) is a
 * shell for every territory: its fragment names the territory and the
 * chart, #{kind}-{code}/{chart id} (#commune-69123/revenus-deciles), and the
 * chart is copied whole from the territory's page (same origin), with its
 * source, table and a link back, so an embed always shows the page's
 * figures. The embed URLs of earlier builds, /embed/commune/69123.html#ID,
 * reach 404.html, which loads this script to go on to /embed/#commune-69123/ID.
 *
 * Without JavaScript, or if ECharts fails to load, the figures stay readable
 * in the tables (opened when a chart cannot be drawn).
 */
(function () {
  'use strict';

  // Below NARROW px the phone layout applies. The page lays charts out in
  // columns of at least 28rem (448 px), so a desktop chart is wider.
  var NARROW = 420;
  var PRINT_WIDTH = 640; // px at most on paper (A4 or Letter, portrait)
  var NBSP = '\u00a0';
  // Distinct for colour-blind readers (Okabe-Ito, after the site's blue).
  var PALETTE = ['#0b4fa8', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#4d4d57'];
  var FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

  var charts = []; // {el, json, chart, width, narrow, print}

  // Hook for assets/compare.js, which draws a second territory on the
  // charts: extend(fn) has fn(el, option) called on the option of every
  // chart before the shared settings; redraw() draws every chart again.
  var extenders = [];
  window.territoiresCharts = {
    extend: function (fn) { extenders.push(fn); },
    redraw: function () {
      charts.forEach(function (c) {
        if (!c.chart.isDisposed()) draw(c);
      });
    }
  };

  function warn(msg, err) {
    if (window.console && console.warn) console.warn('charts.js: ' + msg, err || '');
  }

  function asArray(v) {
    if (v == null) return [];
    return Array.isArray(v) ? v : [v];
  }

  function isObject(v) {
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  }

  // ensure returns obj[key] as an object, creating it when missing.
  function ensure(obj, key) {
    if (!isObject(obj[key])) obj[key] = {};
    return obj[key];
  }

  // numberFormat returns a French formatter, or a plain one where Intl is
  // missing or refuses the options.
  function numberFormat(opts) {
    try {
      var f = new Intl.NumberFormat('fr-FR', opts);
      return function (n) { return f.format(n); };
    } catch (e) {
      var d = opts.maximumFractionDigits;
      return function (n) {
        return String(Math.round(n * Math.pow(10, d)) / Math.pow(10, d)).replace('.', ',');
      };
    }
  }

  // rawValue extracts the number ECharts passes to formatters: a number, a
  // numeric string, [x, y] data or {value}; null when missing ('-').
  function rawValue(v) {
    if (Array.isArray(v)) v = v[v.length - 1];
    if (isObject(v)) v = v.value;
    if (v === null || v === undefined || v === '' || v === '-') return null;
    var n = typeof v === 'number' ? v : Number(v);
    return isFinite(n) ? n : null;
  }

  // formats builds the formatters of one chart from its data-* attributes.
  function formats(el, abs) {
    var d = parseInt(el.getAttribute('data-decimals'), 10);
    if (!(d >= 0 && d <= 20)) d = 2;
    var unit = (el.getAttribute('data-unit') || '').trim();
    var suffix = unit ? NBSP + unit : '';
    var exact = numberFormat({ maximumFractionDigits: d });
    // Axis ticks are round numbers: allow one more digit than the data
    // (0,25 between 0 and 0,5), never drop one.
    var tick = numberFormat({ maximumFractionDigits: Math.min(20, d + 1) });
    var compact = numberFormat({ notation: 'compact', maximumFractionDigits: 1 });
    function sign(n) { return abs ? Math.abs(n) : n; }
    return {
      decimals: d,
      value: function (v) {
        var n = rawValue(v);
        return n === null ? 'n.d.' : exact(sign(n)) + suffix;
      },
      axis: function (v, compactLarge, unit) {
        var n = rawValue(v);
        if (n === null) return '';
        n = sign(n);
        return (compactLarge && Math.abs(n) >= 10000 ? compact(n) : tick(n)) + (unit ? suffix : '');
      }
    };
  }

  // axisType mirrors ECharts: an axis with data is a category axis.
  function axisType(axis) {
    return axis.type || (axis.data ? 'category' : 'value');
  }

  function hasBars(opt) {
    return asArray(opt.series).some(function (s) { return isObject(s) && s.type === 'bar'; });
  }

  // looksLikePyramid: a horizontal bar chart with a series all <= 0 (men)
  // and another all >= 0 (women).
  function looksLikePyramid(opt) {
    var y = asArray(opt.yAxis)[0];
    if (!isObject(y) || axisType(y) !== 'category') return false;
    var neg = false;
    var pos = false;
    var series = asArray(opt.series);
    for (var i = 0; i < series.length; i++) {
      var s = series[i];
      if (!isObject(s) || s.type !== 'bar') return false;
      var vals = asArray(s.data).map(rawValue).filter(function (n) { return n !== null; });
      var allNeg = vals.every(function (n) { return n <= 0; });
      var allPos = vals.every(function (n) { return n >= 0; });
      if (!allNeg && !allPos) return false;
      if (vals.some(function (n) { return n < 0; })) neg = true;
      else if (vals.some(function (n) { return n > 0; })) pos = true;
    }
    return neg && pos;
  }

  // wrap breaks a label into lines of at most max characters, after spaces
  // and hyphens ("Auvergne-Rhône-Alpes" is one word for ECharts).
  function wrap(s, max) {
    var words = String(s).match(/[^\s-]*(-+|\s+|$)/g) || [];
    var lines = [];
    var line = '';
    words.forEach(function (w) {
      if (!w) return;
      if (line && (line + w).trim().length > max) {
        lines.push(line.trim());
        line = '';
      }
      line += w;
    });
    if (line.trim()) lines.push(line.trim());
    return lines.join('\n');
  }

  // build returns the option of one chart for a container w px wide: the
  // page's option with the shared settings, French number formats, aria,
  // and the phone layout when narrow. It parses the JSON each time, so the
  // page's option is never altered.
  function build(el, json, w, narrow, printing) {
    var opt = JSON.parse(json);
    if (!isObject(opt)) throw new Error('the option is not an object');
    if (isObject(opt.table)) {
      expandTable(opt);
      // Missing axes are ECharts' defaults: a category x axis, a value y axis.
      if (opt.xAxis === undefined) opt.xAxis = [{}];
      if (opt.yAxis === undefined) opt.yAxis = [{}];
      fromTable(el, opt);
    }
    extenders.forEach(function (fn) {
      try {
        fn(el, opt);
      } catch (e) {
        warn('extension of chart ' + (el.closest('figure') || {}).id, e);
      }
    });

    var absAttr = el.getAttribute('data-abs');
    var abs = absAttr === 'true' || (absAttr !== 'false' && looksLikePyramid(opt));
    var f = formats(el, abs);

    // Accessibility: ECharts writes role="img" and aria-label on the
    // container; keep the page's label as the description.
    var aria = ensure(opt, 'aria');
    if (aria.enabled === undefined) aria.enabled = true;
    var label = ensure(aria, 'label');
    var desc = el.getAttribute('aria-label');
    if (!label.description && desc) label.description = desc;

    if (opt.color === undefined) opt.color = PALETTE;
    var text = ensure(opt, 'textStyle');
    if (text.fontFamily === undefined) text.fontFamily = FONT;
    if (opt.animation === undefined || printing || reducedMotion()) opt.animation = false;

    // A legend when there are several series, unless the option says otherwise.
    if (opt.legend === undefined && asArray(opt.series).length > 1) opt.legend = { show: true };
    var legends = asArray(opt.legend).filter(isObject);
    var hasLegend = legends.some(function (l) { return l.show !== false; });
    legends.forEach(function (l) {
      // At the bottom, as ECharts 6 puts it, but closer to the edge.
      if (l.top === undefined && l.bottom === undefined) l.bottom = 4;
      if (narrow) {
        // One scrolling line under the chart rather than wrapped lines.
        l.type = 'scroll';
        l.itemWidth = 14;
        l.itemHeight = 10;
        ensure(l, 'textStyle').fontSize = 11;
      }
    });

    // The grid fills the chart; ECharts 6 shrinks it so that the axis
    // labels stay inside outerBounds, which leaves room for the legend
    // (ECharts 6 puts it at the bottom).
    if (opt.grid === undefined || narrow) {
      // A legend line is 20 or 24 px; on a desktop, a legend of many or
      // long names (a compared territory doubles them) wraps.
      var legendRoom = hasLegend ? (narrow ? 26 : 8 + 24 * legendLines(opt, w)) : 0;
      var bounds = { left: 4, right: narrow ? 8 : 12, top: 12, bottom: 4 + legendRoom };
      opt.grid = Object.assign({ outerBounds: Object.assign({}, bounds) }, bounds);
    }

    // Tooltip: on the whole column (easier with a finger), inside the chart.
    if (opt.tooltip === undefined || isObject(opt.tooltip)) {
      var tip = ensure(opt, 'tooltip');
      if (tip.trigger === undefined) tip.trigger = 'axis';
      if (tip.trigger === 'axis' && !tip.axisPointer && hasBars(opt)) tip.axisPointer = { type: 'shadow' };
      if (tip.confine === undefined) tip.confine = true;
      if (!tip.formatter && !tip.valueFormatter) tip.valueFormatter = f.value;
      if (narrow) ensure(tip, 'textStyle').fontSize = 12;
    }

    ['xAxis', 'yAxis'].forEach(function (key) {
      asArray(opt[key]).forEach(function (axis) {
        if (!isObject(axis)) return;
        var lab = ensure(axis, 'axisLabel');
        var type = axisType(axis);
        if (type === 'value') {
          // '{value}' is ECharts' own default: replace it too.
          // Horizontal labels collide sooner: compact numbers, no unit.
          if (!lab.formatter || lab.formatter === '{value}') {
            var vertical = key === 'yAxis';
            lab.formatter = function (v) { return f.axis(v, narrow || !vertical, vertical); };
          }
          if (lab.hideOverlap === undefined) lab.hideOverlap = true;
          if (f.decimals === 0 && axis.minInterval === undefined) axis.minInterval = 1;
        } else if (type === 'category' && Array.isArray(axis.data) && !lab.formatter) {
          categoryLabels(key, axis, lab, w, narrow ? 10 : 12);
        }
        if (narrow) {
          lab.fontSize = 10;
          ensure(axis, 'nameTextStyle').fontSize = 10;
        }
      });
    });

    asArray(opt.series).forEach(function (s) {
      if (!isObject(s) || !isObject(s.label) || !s.label.show) return;
      if (!s.label.formatter) s.label.formatter = function (p) { return f.value(p.value); };
      if (narrow) s.label.fontSize = 10;
    });
    return opt;
  }

  // legendLines estimates the lines of a legend at the bottom of a chart
  // w px wide: about 6 px a character at 12 px, 40 px of symbol and gaps
  // per item (measured on Chromium's rendering).
  function legendLines(opt, w) {
    var lines = 1;
    var x = 0;
    var avail = Math.max(100, (w || 400) - 24);
    asArray(opt.series).forEach(function (s) {
      if (!isObject(s)) return;
      var item = 40 + 6 * String(s.name || '').length;
      if (x > 0 && x + item > avail) {
        lines++;
        x = 0;
      }
      x += item;
    });
    return Math.min(lines, 4);
  }

  // cellNumber reads a table cell written the French way ("1 234,5 €",
  // "−3,2 %"): its digits, decimal comma and minus sign; null when that
  // leaves no single number ("–", "non diffusé"). builder/charts.go reads
  // cells with the same rule.
  function cellNumber(s) {
    var t = '';
    for (var i = 0; i < s.length; i++) {
      var c = s.charAt(i);
      if (c >= '0' && c <= '9') t += c;
      else if (c === ',') t += '.';
      else if (c === '-' || c === '\u2212') t += '-';
    }
    return /^-?[0-9]+(\.[0-9]+)?$/.test(t) ? Number(t) : null;
  }

  // expandTable writes out the axes and series of an option in its compact
  // form (builder/charts_compact.go): {"table":{"cols":[2,3],"type":"bar",
  // "stack":"total","h":true}} is one series of that type and stack per
  // column, on a horizontal value axis when "h".
  function expandTable(opt) {
    var t = opt.table;
    if (opt.series !== undefined || typeof t.type !== 'string') return;
    opt.series = asArray(t.cols).map(function () {
      var s = { type: t.type };
      if (t.name) s.name = t.name; // a single series, not named by its column
      if (t.stack) s.stack = t.stack;
      return s;
    });
    if (t.h) {
      opt.xAxis = [{ type: 'value' }];
      opt.yAxis = [{ type: 'category' }];
    }
  }

  // fromTable fills an option whose figures are in the chart's table
  // (option.table = {cols, neg, rows, rev}, see builder/charts.go): the
  // categories are the row headers (the first `rows` rows, in reverse order
  // when `rev`), series i is column cols[i], named by its header unless the
  // option names it.
  function fromTable(el, opt) {
    var fig = el.closest ? el.closest('figure') : null;
    var table = fig ? fig.querySelector('table') : null;
    if (!table) throw new Error('no table to read the figures from');
    var head = Array.prototype.map.call(table.querySelectorAll('thead th'), function (th) { return th.textContent; });
    var rows = Array.prototype.slice.call(table.querySelectorAll('tbody tr'));
    if (opt.table.rows > 0) rows = rows.slice(0, opt.table.rows);
    if (opt.table.rev) rows.reverse();
    var cats = rows.map(function (tr) {
      var th = tr.querySelector('th');
      return th ? th.textContent : '';
    });
    var axis = asArray(opt.yAxis).filter(function (a) { return isObject(a) && a.type === 'category'; })[0] ||
      asArray(opt.xAxis)[0];
    if (isObject(axis)) axis.data = cats;
    var neg = asArray(opt.table.neg);
    asArray(opt.series).forEach(function (s, i) {
      var col = asArray(opt.table.cols)[i];
      if (!isObject(s) || typeof col !== 'number') return;
      if (!s.name) s.name = head[col] || '';
      s.data = rows.map(function (tr) {
        var cell = tr.querySelectorAll('td')[col - 1];
        var n = cell ? cellNumber(cell.textContent) : null;
        if (n === null) return '-';
        return neg.indexOf(i) >= 0 ? -n : n;
      });
    });
    delete opt.table;
  }

  // categoryLabels: a few long names (territories, sectors) are all shown,
  // on several lines; many short ones (years) are left to ECharts.
  function categoryLabels(key, axis, lab, w, fontSize) {
    var names = axis.data.map(function (d) { return isObject(d) ? d.value : d; });
    var longest = names.reduce(function (m, s) { return Math.max(m, String(s).length); }, 0);
    if (longest <= 6) return;
    var width;
    if (key === 'xAxis' && names.length <= 8) {
      lab.interval = 0;
      width = Math.max(40, Math.floor((w - 56) / names.length));
    } else if (key === 'yAxis') {
      width = Math.max(72, Math.floor(w * 0.3));
    } else {
      return;
    }
    // About 0.6 em a character. A word longer than a line stays whole:
    // ECharts' own wrapping (axisLabel.width) would cut it anywhere.
    var max = Math.max(4, Math.floor((width - 4) / (fontSize * 0.6)));
    lab.lineHeight = Math.round(fontSize * 1.25);
    lab.formatter = function (s) { return wrap(s, max); };
  }

  function reducedMotion() {
    return !!(window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches);
  }

  function isNarrow(w) {
    return w > 0 && w < NARROW;
  }

  // openTable shows the figures when the chart cannot be drawn.
  function openTable(el) {
    var fig = el.closest ? el.closest('figure') : null;
    var details = fig ? fig.querySelector('details') : null;
    if (details) details.open = true;
  }

  function draw(c) {
    c.chart.setOption(build(c.el, c.json, c.width, c.narrow, c.print), true);
  }

  var DEFAULTS = window.territoiresChartDefaults || {};

  // resolve writes on a chart's container what it leaves to the defaults
  // of its figure's id, with place (the territory's name) in its label.
  function resolve(el, place) {
    var fig = el.closest ? el.closest('figure') : null;
    var d = fig && Object.prototype.hasOwnProperty.call(DEFAULTS, fig.id) ? DEFAULTS[fig.id] : null;
    if (d) {
      if (d.o && !el.hasAttribute('data-option') && !el.hasAttribute('data-options')) el.setAttribute('data-option', d.o);
      if (d.u && !el.hasAttribute('data-unit')) el.setAttribute('data-unit', d.u);
      if (d.d && !el.hasAttribute('data-decimals')) el.setAttribute('data-decimals', String(d.d));
      if (d.l && !el.hasAttribute('aria-label')) el.setAttribute('aria-label', d.l.split('\u0000').join(place));
    }
    if (!el.hasAttribute('role')) el.setAttribute('role', 'img');
  }

  function resolveAll(root, place) {
    Array.prototype.forEach.call(root.querySelectorAll('figure .chart'), function (el) { resolve(el, place); });
  }

  function placeOf(doc) {
    var h1 = doc.querySelector('main h1') || doc.querySelector('h1');
    return h1 ? h1.textContent.trim() : '';
  }

  function initChart(el) {
    // The option is in the chart's data-option attribute (a short option
    // reading its figures from the table), or in the element data-options names.
    var json = el.getAttribute('data-option');
    var id = el.getAttribute('data-options');
    var src = id ? document.getElementById(id) : null;
    if (json === null && !src) {
      warn('no option element #' + id);
      openTable(el);
      return;
    }
    if (json === null) json = src.textContent;
    var w = el.clientWidth;
    var c = { el: el, json: json, width: w, narrow: isNarrow(w), print: false, chart: null };
    try {
      if (!el.clientHeight) el.style.minHeight = '300px';
      c.chart = window.echarts.init(el, null, { renderer: 'svg', locale: 'FR' });
      draw(c);
      charts.push(c);
    } catch (e) {
      warn('chart #' + id + ' not drawn', e);
      if (c.chart) c.chart.dispose();
      openTable(el);
    }
  }

  // resize fits a chart to its container, and draws it again when its width
  // changed enough for the labels or the phone layout.
  function resize(c) {
    if (c.print || c.chart.isDisposed()) return;
    var w = c.el.clientWidth;
    c.chart.resize();
    if (isNarrow(w) !== c.narrow || Math.abs(w - c.width) > 0.1 * c.width) {
      c.width = w;
      c.narrow = isNarrow(w);
      draw(c);
    }
  }

  var pending = false;
  function resizeAll() {
    if (pending) return;
    pending = true;
    var raf = window.requestAnimationFrame || function (fn) { return setTimeout(fn, 16); };
    raf(function () {
      pending = false;
      charts.forEach(resize);
    });
  }

  // Printing: beforeprint comes while the screen layout is still in force,
  // so draw at most PRINT_WIDTH wide, without animation; then back. The
  // tables are printed too: CSS cannot show a closed <details>.
  var opened = [];
  function setPrinting(on) {
    if (on && !opened.length) {
      Array.prototype.forEach.call(document.querySelectorAll('.chart-block details:not([open])'), function (d) {
        d.open = true;
        opened.push(d);
      });
    } else if (!on) {
      opened.forEach(function (d) { d.open = false; });
      opened = [];
    }
    charts.forEach(function (c) {
      if (c.print === on || c.chart.isDisposed()) return;
      c.print = on;
      if (on) {
        c.width = Math.min(c.el.clientWidth || PRINT_WIDTH, PRINT_WIDTH);
        c.narrow = false;
        c.chart.resize({ width: c.width, height: c.el.clientHeight || 300 });
      } else {
        c.width = c.el.clientWidth;
        c.narrow = isNarrow(c.width);
        c.chart.resize({ width: 'auto', height: 'auto' });
      }
      draw(c);
    });
  }

  function watchSizes() {
    if (window.ResizeObserver) {
      // Called once per frame, after layout: no need to throttle.
      var ro = new ResizeObserver(function () { charts.forEach(resize); });
      charts.forEach(function (c) { ro.observe(c.el); });
    } else {
      window.addEventListener('resize', resizeAll);
    }
    window.addEventListener('beforeprint', function () { setPrinting(true); });
    window.addEventListener('afterprint', function () { setPrinting(false); });
    if (window.matchMedia) {
      var mq = window.matchMedia('print');
      var onChange = function (e) { setPrinting(e.matches); };
      if (mq.addEventListener) mq.addEventListener('change', onChange);
      else if (mq.addListener) mq.addListener(onChange);
    }
  }

  var watching = false;

  function initCharts() {
    resolveAll(document, placeOf(document));
    var all = Array.prototype.slice.call(document.querySelectorAll('.chart[data-options]'))
      .concat(Array.prototype.slice.call(document.querySelectorAll('.chart[data-option]')));
    var els = all.filter(function (el) {
      // An embed page draws only the chart it shows.
      return !el.hasAttribute('data-drawn') && (!isEmbed() || el.offsetParent !== null);
    });
    if (!els.length) return;
    if (!window.echarts || typeof window.echarts.init !== 'function') {
      warn('ECharts did not load: the figures stay in the tables');
      Array.prototype.forEach.call(els, openTable);
      return;
    }
    els.forEach(function (el) {
      el.setAttribute('data-drawn', '');
      initChart(el);
    });
    if (charts.length && !watching) {
      watching = true;
      watchSizes();
    }
  }

  function isEmbed() {
    var b = document.body;
    return !!(b && b.classList && b.classList.contains('embed') && b.hasAttribute('data-root'));
  }

  // embedTarget reads the fragment of the embed page, "#commune-69123/ID":
  // the URL of the territory's page and the chart's id ('' for the first).
  function embedTarget(root, hash) {
    var frag = decodeURIComponent(hash.replace(/^#/, ''));
    var slash = frag.indexOf('/');
    var place = slash < 0 ? frag : frag.slice(0, slash);
    var id = slash < 0 ? '' : frag.slice(slash + 1);
    var dash = place.lastIndexOf('-');
    if (dash <= 0 || dash === place.length - 1) return null;
    var kind = place.slice(0, dash);
    var code = place.slice(dash + 1);
    if (!/^[a-z][a-z-]*$/.test(kind) || !/^[0-9A-Za-z]+$/.test(code)) return null;
    return { page: kind === 'france' ? root : root + kind + '/' + code + '/', id: id };
  }

  // redirectOldEmbed sends an embed URL of earlier builds,
  // ROOT/embed/KIND/CODE.html#ID (served 404.html), to ROOT/embed/#KIND-CODE/ID.
  function redirectOldEmbed() {
    if (!window.location || typeof window.location.pathname !== 'string') return false;
    var m = /^(.*\/)embed\/([a-z][a-z-]*)\/([0-9A-Za-z]+)\.html$/.exec(window.location.pathname);
    if (!m) return false;
    var id = window.location.hash.replace(/^#/, '');
    window.location.replace(m[1] + 'embed/#' + m[2] + '-' + m[3] + (id ? '/' + id : ''));
    return true;
  }

  // loadEmbed fills the embed page with the chart named by the URL fragment
  // (the page's first chart when the fragment names none), copied whole
  // from the territory's page: title, chart and its options, source, notes
  // and table, plus a link back.
  function loadEmbed() {
    if (!isEmbed()) return Promise.resolve();
    var target = embedTarget(document.body.getAttribute('data-root'), window.location.hash);
    if (!target) return Promise.reject(new Error('no territory in the fragment ' + window.location.hash));
    var page = target.page;
    var main = document.querySelector('main') || document.body;
    return fetch(page, { credentials: 'same-origin' }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status + ' for ' + page);
      return r.text();
    }).then(function (text) {
      var doc = new DOMParser().parseFromString(text, 'text/html');
      var id = target.id;
      var fig = (id && doc.querySelector('figure.chart-block[id="' + id.replace(/"/g, '') + '"]')) ||
        doc.querySelector('figure.chart-block');
      if (!fig) throw new Error('no chart in ' + page);
      var place = doc.querySelector('h1');
      var shown = document.querySelector('.place');
      if (place && shown) shown.firstChild.textContent = place.textContent + (shown.children.length ? ' ' : '');
      if (place) document.title = place.textContent + ' – ' + document.title.replace(/^[^–]*– /, '');
      fig = document.importNode(fig, true);
      // Its container leaves to the defaults what the page's does,
      // named after the page's territory.
      resolveAll(fig, placeOf(doc));
      Array.prototype.forEach.call(fig.querySelectorAll('.embed-toggle, .embed-panel'), function (el) {
        el.parentNode.removeChild(el);
      });
      var h3 = fig.querySelector('h3');
      if (h3) {
        var h1 = document.createElement('h1');
        h1.textContent = h3.textContent;
        h3.parentNode.replaceChild(h1, h3);
      }
      var source = fig.querySelector('.source');
      // The geography, said once on the page (p.geo), goes with the figure.
      var geo = doc.querySelector('p.geo');
      if (source && geo) source.appendChild(document.createTextNode(' ' + geo.textContent));
      if (source) {
        var a = document.createElement('a');
        a.href = page + '#' + fig.id;
        a.target = '_blank';
        a.rel = 'noopener';
        a.textContent = 'Voir les données';
        source.appendChild(document.createTextNode(' '));
        source.appendChild(a);
      }
      main.appendChild(fig);
    });
  }

  // The "Intégrer" controls, by delegation: no handler in the markup.
  function announce(button, text) {
    var live = button.nextElementSibling;
    if (!live || !live.hasAttribute('aria-live')) {
      live = document.createElement('span');
      live.className = 'copy-status';
      live.setAttribute('role', 'status');
      live.setAttribute('aria-live', 'polite');
      button.parentNode.insertBefore(live, button.nextSibling);
    }
    live.textContent = text;
    clearTimeout(button.copyTimer);
    button.copyTimer = setTimeout(function () { live.textContent = ''; }, 3000);
  }

  function selectText(target) {
    if (typeof target.select === 'function') {
      target.focus();
      target.select();
      return;
    }
    var range = document.createRange();
    range.selectNodeContents(target);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  function fallbackCopy(button, target) {
    var ok = false;
    try {
      selectText(target);
      ok = document.execCommand('copy');
    } catch (e) {
      ok = false;
    }
    announce(button, ok ? 'Copié' : 'Texte sélectionné : copiez-le avec Ctrl+C');
  }

  function copy(button) {
    var target = document.getElementById(button.getAttribute('data-copy'));
    if (!target) return;
    var text = target.tagName === 'TEXTAREA' ? target.value : target.textContent;
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(
        function () { announce(button, 'Copié'); },
        function () { fallbackCopy(button, target); }
      );
    } else {
      fallbackCopy(button, target);
    }
  }

  // snippet is the iframe code for an embed URL; builder/charts.go writes
  // the same in its tests.
  function snippet(url, title) {
    var esc = function (s) {
      return s.replace(/&/g, '&amp;').replace(/"/g, '&#34;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    };
    return '<iframe src="' + esc(url) + '" title="' + esc(title) + '" width="640" height="420" loading="lazy"></iframe>';
  }

  function attr(el, name) {
    return el && typeof el.getAttribute === 'function' ? el.getAttribute(name) : null;
  }

  function toggle(button) {
    var target = document.getElementById(button.getAttribute('aria-controls'));
    if (!target) return;
    var base = attr(target, 'data-embed');
    var fig = base && button.closest ? button.closest('figure') : null;
    if (base && fig) {
      var h = fig.querySelector('h3');
      var title = (h ? h.textContent : '') + ' – ' + (attr(target, 'data-place') || placeOf(document));
      var shared = target.previousElementSibling !== button;
      Array.prototype.forEach.call(document.querySelectorAll('button.embed-toggle[aria-controls="' + target.id + '"]'), function (b) {
        if (b !== button) b.setAttribute('aria-expanded', 'false');
      });
      if (shared) {
        button.parentNode.insertBefore(target, button.nextSibling);
        target.hidden = false;
      } else {
        target.hidden = !target.hidden;
      }
      var area = target.querySelector('textarea');
      // base names the territory in its fragment (/embed/#commune-69123).
      if (area) area.value = snippet(base + (base.indexOf('#') < 0 ? '#' : '/') + fig.id, title);
    } else {
      target.hidden = !target.hidden;
    }
    button.setAttribute('aria-expanded', String(!target.hidden));
  }

  // fillPanel writes into the shared snippet panel, when the page leaves
  // it empty, its label, text area and copy button.
  function fillPanel(panel) {
    if (panel.querySelector('textarea')) return;
    var label = document.createElement('label');
    label.htmlFor = 'integrer-code';
    label.textContent = 'Code à copier dans votre site pour y intégrer le graphique :';
    var area = document.createElement('textarea');
    area.id = 'integrer-code';
    area.readOnly = true;
    area.rows = 3;
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'copy';
    b.setAttribute('data-copy', 'integrer-code');
    b.textContent = 'Copier le code';
    panel.appendChild(label);
    panel.appendChild(area);
    panel.appendChild(b);
  }

  // addEmbedButtons puts an "Intégrer" button under each chart of a page
  // that has the shared snippet panel (#integrer[data-embed]): the control
  // needs JavaScript, so neither is in the page's HTML.
  function addEmbedButtons() {
    var panel = document.getElementById('integrer');
    if (!attr(panel, 'data-embed') || typeof document.querySelectorAll !== 'function') return;
    fillPanel(panel);
    Array.prototype.forEach.call(document.querySelectorAll('figure.chart-block'), function (fig) {
      if (fig.querySelector('.embed-toggle')) return;
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'embed-toggle';
      b.setAttribute('aria-controls', 'integrer');
      b.setAttribute('aria-expanded', 'false');
      b.textContent = 'Intégrer';
      fig.appendChild(b);
    });
  }

  function initControls() {
    addEmbedButtons();
    Array.prototype.forEach.call(document.querySelectorAll('button.embed-toggle[aria-controls]'), function (b) {
      var target = document.getElementById(b.getAttribute('aria-controls'));
      if (target) b.setAttribute('aria-expanded', String(!target.hidden));
      if (attr(target, 'data-embed')) b.hidden = false;
    });
    document.addEventListener('click', function (e) {
      var b = e.target && e.target.closest ? e.target.closest('button') : null;
      if (!b) return;
      if (b.classList.contains('embed-toggle') && b.hasAttribute('aria-controls')) toggle(b);
      else if (b.classList.contains('copy') && b.hasAttribute('data-copy')) copy(b);
    });
  }

  function start() {
    if (redirectOldEmbed()) return;
    try {
      initControls();
    } catch (e) {
      warn('embed controls', e);
    }
    var draw = function () {
      try {
        initCharts();
      } catch (e) {
        warn('charts', e);
      }
    };
    if (!isEmbed()) {
      draw();
      return;
    }
    loadEmbed().catch(function (e) {
      warn('embed: the page holding the figures could not be read', e);
    }).then(draw);
    window.addEventListener('hashchange', function () { window.location.reload(); });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
