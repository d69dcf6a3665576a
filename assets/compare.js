/*
 * compare.js: the tables of children made sortable, and the "Comparer
 * avec…" control that draws a second territory on every chart of a page.
 * Plain ES2018, no module, no inline code, no style attribute: pages run
 * under Content-Security-Policy: default-src 'self'. Load it after
 * search.js and charts.js, all with defer.
 *
 * Sortable tables (builder/children.go):
 *
 *   <table class="sortable"><thead><tr><th scope="col" class="num">…
 *
 *   The text of each header is moved into a button; a click (or Enter,
 *   Space) sorts the rows by that column, again for the other direction.
 *   The header says how in aria-sort. Columns of class "num" sort as
 *   numbers read in French ("21 720", "−2,9", "8,3 %"); "n.d." and "–"
 *   (no value) go last either way.
 *
 * Compare: on a page with charts (not an embed), a section
 *
 *   <section id="comparer" class="compare">  label, combobox input, listbox,
 *     <p class="compare-status" role="status">, <button class="compare-clear">
 *
 *   is written before the table of contents (nav.toc): it needs JavaScript,
 *   so it is not in the page's HTML. Its input searches with search.js
 *   (window.territoiresSearch.find). Picking a territory puts it in the
 *   address (#comparer=commune-75056, shareable); the territory's figures
 *   are then read from the static API (/api/commune/departement-75.json
 *   for a commune, /api/epci/200046977.json for the others) and
 *   charts.js draws each chart again with them, as /api/comparer.json says
 *   for each chart id and series name (builder/compare.go). The API's root
 *   is the site's, read from the search form (data-index="ROOT/search/").
 */
(function () {
  'use strict';

  function warn(msg, err) {
    if (window.console && console.warn) console.warn('compare.js: ' + msg, err || '');
  }

  function each(list, fn) {
    Array.prototype.forEach.call(list, fn);
  }

  // ---- Sortable tables ----

  // number reads a number written the French way; null when there is none.
  function number(text) {
    var s = text.replace(/[\s\u00a0\u202f]/g, '').replace(/\u2212/g, '-').replace(',', '.');
    if (!/^[+-]?[0-9]/.test(s)) return null;
    var n = parseFloat(s);
    return isFinite(n) ? n : null;
  }

  var collator = window.Intl && Intl.Collator ? new Intl.Collator('fr', { sensitivity: 'base', numeric: true }) : null;
  function compareText(a, b) {
    return collator ? collator.compare(a, b) : (a < b ? -1 : a > b ? 1 : 0);
  }

  function sortBy(table, th, index) {
    var numeric = th.classList.contains('num');
    var current = th.getAttribute('aria-sort');
    var dir;
    if (current === 'ascending') dir = 'descending';
    else if (current === 'descending') dir = 'ascending';
    else dir = numeric ? 'descending' : 'ascending';
    var body = table.tBodies[0];
    var rows = Array.prototype.map.call(body.rows, function (tr, i) {
      var text = tr.cells[index] ? tr.cells[index].textContent.trim() : '';
      return { tr: tr, i: i, key: numeric ? number(text) : text };
    });
    var sign = dir === 'ascending' ? 1 : -1;
    rows.sort(function (a, b) {
      if (a.key === null || b.key === null) {
        if (a.key === b.key) return a.i - b.i;
        return a.key === null ? 1 : -1; // no value last, either way
      }
      var c = numeric ? a.key - b.key : compareText(a.key, b.key);
      return c * sign || a.i - b.i;
    });
    var frag = document.createDocumentFragment();
    rows.forEach(function (r) { frag.appendChild(r.tr); });
    body.appendChild(frag);
    each(table.tHead.rows[0].cells, function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', dir);
  }

  function initSort() {
    each(document.querySelectorAll('table.sortable'), function (table) {
      if (!table.tHead || !table.tBodies.length || table.hasAttribute('data-sortable')) return;
      table.setAttribute('data-sortable', '');
      each(table.tHead.rows[0].cells, function (th, i) {
        var b = document.createElement('button');
        b.type = 'button';
        b.className = 'sort';
        while (th.firstChild) b.appendChild(th.firstChild);
        th.appendChild(b);
        b.addEventListener('click', function () { sortBy(table, th, i); });
      });
      var cap = table.caption;
      if (cap) {
        var hint = document.createElement('span');
        hint.className = 'sort-hint';
        hint.textContent = ' (triable : boutons des en-têtes de colonnes)';
        cap.appendChild(hint);
      }
    });
  }

  // ---- Compare ----

  var box = null;
  var api = ''; // "/api/"
  var self = ''; // the page's territory, from its h1
  var specs = null; // /api/comparer.json, once loaded
  var state = null; // {name, kind, code, own: index, region: index or null}
  var seq = 0;

  // index groups an API file's series by measure and breakdown:
  // index['REV_MEDIAN|'] = {periods: [...], values: {period: value or null}}.
  function index(file) {
    var idx = {};
    (file.series || []).forEach(function (s) {
      (s.periodes || []).forEach(function (p, i) {
        var dim = s.ventilations ? s.ventilations[i] : (s.ventilation || '');
        var key = s.mesure + '|' + dim;
        var e = idx[key];
        if (!e) e = idx[key] = { periods: [], values: {} };
        if (!(p in e.values)) {
          e.periods.push(p);
          var v = s.valeurs ? s.valeurs[i] : null;
          e.values[p] = typeof v === 'number' ? v : null;
        }
      });
    });
    Object.keys(idx).forEach(function (k) {
      idx[k].periods.sort(function (a, b) { return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0); });
    });
    return idx;
  }

  // valueAt returns the value of a measure and breakdown in a period,
  // null when missing or secret. A breakdown of parts joined by "|" is their
  // sum, each part times its coefficient in k when given; missing when a
  // part is.
  function valueAt(idx, m, dim, period, k) {
    var parts = String(dim || '').split('|');
    var sum = 0;
    for (var i = 0; i < parts.length; i++) {
      var e = idx && idx[m + '|' + parts[i]];
      if (!e || !(period in e.values) || e.values[period] === null) return null;
      sum += e.values[period] * (k && typeof k[i] === 'number' ? k[i] : 1);
    }
    return sum;
  }

  // nearest returns the value of the period nearest to period (years).
  function nearest(idx, m, period) {
    var e = idx && idx[m + '|'];
    if (!e || !e.periods.length) return null;
    if (period in e.values) return e.values[period];
    var y = parseInt(period, 10);
    var best = null;
    e.periods.forEach(function (p) {
      if (best === null || Math.abs(parseInt(p, 10) - y) < Math.abs(parseInt(best, 10) - y)) best = p;
    });
    return e.values[best];
  }

  // latest returns the value of the latest period of a series (null when
  // secret or absent) and its period; of a sum of parts, the latest period
  // of its first part.
  function latest(idx, m, dim, k) {
    var e = idx && idx[m + '|' + String(dim || '').split('|')[0]];
    if (!e || !e.periods.length) return { v: null, p: '' };
    var p = e.periods[e.periods.length - 1];
    return { v: valueAt(idx, m, dim, p, k), p: p };
  }

  // roundShares rounds percentages to one decimal so that they add up to
  // 100 (largest remainders), as the page's own bars (builder/dashboard_themes.go).
  function roundShares(shares) {
    var out = shares.map(function (s) { return Math.floor(s * 10); });
    var left = 1000 - out.reduce(function (a, b) { return a + b; }, 0);
    var taken = shares.map(function () { return false; });
    for (; left > 0; left--) {
      var best = -1;
      for (var i = 0; i < shares.length; i++) {
        if (taken[i]) continue;
        if (best < 0 || shares[i] * 10 - out[i] > shares[best] * 10 - out[best]) best = i;
      }
      if (best < 0) break;
      out[best]++;
      taken[best] = true;
    }
    return out.map(function (v) { return v / 10; });
  }

  // shareValues returns the shares (percent) of the compared territory for
  // the series of a chart of shares, or null when a part is missing.
  function shareValues(idx, cmp, series) {
    var w = cmp.w ? latest(idx, cmp.w.m, cmp.w.d) : { v: null, p: '' };
    if (w.v === null || !(w.v > 0)) return null;
    var counts = [];
    var rest = -1;
    var sum = 0;
    for (var i = 0; i < series.length; i++) {
      var s = cmp.s[series[i].name];
      if (!s) return null;
      if (s.o) {
        rest = i;
        counts.push(0);
        continue;
      }
      var v = valueAt(idx, s.m, s.d, w.p, s.k);
      if (v === null) return null;
      counts.push(v);
      sum += v;
    }
    if (rest >= 0) {
      counts[rest] = Math.max(0, w.v - sum);
      sum = Math.max(sum, w.v);
    }
    if (!(sum > 0)) return null;
    return roundShares(counts.map(function (n) { return n / sum * 100; }));
  }

  function scaled(v, s) {
    if (v === null || v === undefined) return '-';
    v *= s.f || 1;
    if (s.n) v = -v;
    return Math.round(v * 1000) / 1000;
  }

  function asArray(v) {
    if (v == null) return [];
    return Array.isArray(v) ? v : [v];
  }

  // extend adds the compared territory to a chart's option (charts.js hook).
  function extend(el, opt) {
    var fig = el.closest('figure');
    var cmp = state && specs && fig ? specs[fig.id] : null;
    if (!cmp || !cmp.s) return;
    var idx = cmp.r ? state.region : state.own;
    if (!idx) return;
    var series = asArray(opt.series);
    var other = state.name;
    var added = [];
    if (cmp.t === 'c' || cmp.t === 's') {
      // Territories are the categories: one more category, beside the
      // territory (first of a column chart, on top of a bar chart).
      var cat = asArray(opt.xAxis)[0];
      var horizontal = false;
      if (!cat || !Array.isArray(cat.data)) {
        cat = asArray(opt.yAxis)[0];
        horizontal = true;
      }
      if (!cat || !Array.isArray(cat.data)) return;
      var at = horizontal ? Math.max(cat.data.length - 1, 0) : Math.min(1, cat.data.length);
      cat.data.splice(at, 0, other);
      var shares = cmp.t === 's' ? shareValues(idx, cmp, series) : null;
      series.forEach(function (ser, i) {
        var s = cmp.s[ser.name];
        var v = null;
        if (shares) {
          v = shares[i];
        } else if (s && cmp.t === 'c') {
          var l = latest(idx, s.m, s.d, s.k);
          v = l.v;
          if (s.q) {
            var den = nearest(idx, s.q, l.p);
            v = v !== null && den ? v / den : null;
          }
        }
        var data = asArray(ser.data).slice();
        data.splice(at, 0, s ? scaled(v, s) : '-');
        ser.data = data;
      });
      el.setAttribute('data-compared', other);
      return;
    }
    // Periods (t) or breakdown labels (d) are the categories.
    var axis = [asArray(opt.xAxis)[0], asArray(opt.yAxis)[0]].filter(function (a) {
      return a && Array.isArray(a.data);
    })[0];
    var cats = axis ? axis.data : [];
    var byTerritory = !!cmp.s['*'];
    series.forEach(function (base, i) {
      // "*": the series of the page's territory, named after it.
      var s = cmp.s[base.name] || (i === 0 ? cmp.s['*'] : null);
      if (!s) return;
      var data;
      if (!s.l) {
        // A series over the periods (a chart of creations by sector over
        // several years is one of a breakdown where one year is published).
        data = cats.map(function (p) { return scaled(valueAt(idx, s.m, s.d, p, s.k), s); });
      } else {
        var dims = cats.map(function (c) { return s.l[c] || ''; });
        var period = '';
        dims.forEach(function (d) {
          var l = d ? latest(idx, s.m, d, s.k) : { p: '' };
          if (l.p > period) period = l.p;
        });
        // None of a total that is 0: every part is 0 (no campsite, so no
        // campsite of any star rating, which the source leaves out).
        var none = false;
        if (s.z) {
          var z = latest(idx, s.m, s.z);
          if (!period) period = z.p;
          none = valueAt(idx, s.m, s.z, period) === 0;
        }
        // q: a share of the total (q, no breakdown) of the same period.
        var den = s.q ? valueAt(idx, s.q, '', period) : 1;
        data = dims.map(function (d) {
          var v = d ? valueAt(idx, s.m, d, period, s.k) : null;
          if (v === null && none && d) v = 0;
          if (v !== null) v = den ? v / den : null;
          return d ? scaled(v, s) : '-';
        });
      }
      var add = { name: other, type: base.type, data: data };
      if (!byTerritory && (series.length > 1 || cmp.t === 'd')) add.name = (base.name || '') + ' – ' + other;
      if (base.yAxisIndex) add.yAxisIndex = base.yAxisIndex;
      if (base.showSymbol !== undefined) add.showSymbol = base.showSymbol;
      if (base.stack) add.stack = base.stack + '-compare';
      if (base.type === 'line') add.lineStyle = { type: 'dashed' };
      added.push(add);
    });
    if (!added.length) return;
    // Series named after territories keep their names; others say whose.
    if (!byTerritory) {
      series.forEach(function (s) {
        s.name = series.length > 1 || cmp.t === 'd' ? (s.name || '') + ' – ' + self : self;
      });
    }
    opt.series = series.concat(added);
    el.setAttribute('data-compared', other);
  }

  function clearCompared() {
    each(document.querySelectorAll('.chart[data-compared]'), function (el) { el.removeAttribute('data-compared'); });
  }

  function getJSON(url) {
    return fetch(url, { credentials: 'same-origin' }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    });
  }

  function build() {
    var toc = document.querySelector('main nav.toc');
    var form = document.querySelector('form.search[data-index]');
    var h1 = document.querySelector('main h1');
    if (!toc || !form || !h1) return null;
    api = form.getAttribute('data-index').replace(/search\/$/, '') + 'api/';
    self = h1.textContent.trim();
    var el = function (tag, attrs, text) {
      var e = document.createElement(tag);
      Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
      if (text) e.textContent = text;
      return e;
    };
    var sec = el('section', { id: 'comparer', 'class': 'compare', 'aria-labelledby': 'comparer-titre' });
    sec.appendChild(el('h2', { id: 'comparer-titre', 'class': 'sr-only' }, 'Comparer avec un autre territoire'));
    var f = el('form', { 'class': 'compare-form', role: 'search', 'aria-labelledby': 'comparer-titre' });
    f.appendChild(el('label', { 'for': 'cmp-q' }, 'Comparer avec…'));
    f.appendChild(el('input', {
      id: 'cmp-q', type: 'search', role: 'combobox', placeholder: 'Commune, département, région…',
      autocomplete: 'off', spellcheck: 'false', 'aria-autocomplete': 'list', 'aria-controls': 'cmp-results', 'aria-expanded': 'false'
    }));
    var list = el('ul', { id: 'cmp-results', 'class': 'results', role: 'listbox', 'aria-label': 'Territoires' });
    list.hidden = true;
    f.appendChild(list);
    sec.appendChild(f);
    sec.appendChild(el('p', { 'class': 'compare-status', role: 'status', 'aria-live': 'polite' }));
    var clear = el('button', { type: 'button', 'class': 'compare-clear' }, 'Retirer la comparaison');
    clear.hidden = true;
    sec.appendChild(clear);
    toc.parentNode.insertBefore(sec, toc);
    return sec;
  }

  function status(text, link) {
    var p = box.querySelector('.compare-status');
    p.textContent = text;
    if (link) {
      var a = document.createElement('a');
      a.href = link.url;
      a.textContent = link.text;
      p.appendChild(document.createTextNode(' '));
      p.appendChild(a);
    }
    box.querySelector('.compare-clear').hidden = !state;
  }

  // parseHash reads #comparer=commune-75056.
  function parseHash() {
    var m = /^#comparer=([a-z]+(?:-[a-z]+)*)-([0-9A-Za-z]+)$/.exec(window.location.hash);
    return m ? { kind: m[1], code: m[2] } : null;
  }

  function needsRegion() {
    return Array.prototype.some.call(document.querySelectorAll('figure.chart-block'), function (f) {
      return !!(specs && specs[f.id] && specs[f.id].r);
    });
  }

  function redraw() {
    clearCompared();
    if (window.territoiresCharts) window.territoiresCharts.redraw();
  }

  // bundleOf names the file that holds a commune's figures with those of
  // the other communes of its département or collectivité (builder/bundle.go):
  // the first two characters of its code, three from 97 or 98 on; 975, 977,
  // 978 and 98x are collectivités d'outre-mer.
  function bundleOf(code) {
    var d = /^9[78]/.test(code) ? code.slice(0, 3) : code.slice(0, 2);
    return (/^(97[578]|98)/.test(d) ? 'collectivite-outre-mer-' : 'departement-') + d;
  }

  // fromBundle returns a commune's figures from its bundle in the shape of
  // a territory's own file: {territoire, series: [{theme, mesure, …,
  // valeurs, statuts}]}.
  function fromBundle(bundle, code) {
    var c = (bundle.communes || []).filter(function (x) { return x.code === code; })[0];
    if (!c) throw new Error('commune ' + code + ' not in its file');
    var series = [];
    (c.valeurs || []).forEach(function (v, i) {
      if (!v) return;
      var s = {};
      var d = bundle.series[i];
      Object.keys(d).forEach(function (k) { s[k] = d[k]; });
      s.valeurs = v;
      if (c.statuts && c.statuts[i]) s.statuts = c.statuts[i];
      series.push(s);
    });
    var file = { territoire: { code: c.code, type: 'commune', nom: c.nom, page: c.page } };
    if (c.parents) file.territoire.parents = c.parents;
    if (bundle.illustratif) {
      file.illustratif = true;
      file.avertissement = bundle.avertissement;
    }
    file.series = series;
    return file;
  }

  // loadTerritory reads a territory's figures from the static API: a
  // commune's from its département's bundle, the others' from their file.
  function loadTerritory(kind, code) {
    if (kind !== 'commune') return getJSON(api + kind + '/' + code + '.json');
    return getJSON(api + 'commune/' + bundleOf(code) + '.json').then(function (b) { return fromBundle(b, code); });
  }

  function apply() {
    var want = parseHash();
    var mine = ++seq;
    if (!want) {
      if (state) {
        state = null;
        redraw();
        status('');
      }
      return;
    }
    status('Chargement des chiffres…');
    if (!specs) {
      specs = getJSON(api + 'comparer.json').then(function (s) { specs = s; return s; }, function (err) {
        specs = null;
        throw err;
      });
    }
    Promise.resolve(specs).then(function () {
      return loadTerritory(want.kind, want.code);
    }).then(function (file) {
      var t = file.territoire || {};
      var next = { name: t.nom || want.code, kind: want.kind, code: want.code, page: t.page, own: index(file), region: null };
      var region = null;
      if (t.type === 'region' || t.type === 'france') next.region = next.own;
      else (t.parents || []).forEach(function (p) { if (p.type === 'region' && !region) region = p; });
      if (!region || !needsRegion()) return next;
      return getJSON(api + 'region/' + region.code + '.json').then(function (rf) {
        next.region = index(rf);
        return next;
      }, function () { return next; });
    }).then(function (next) {
      if (mine !== seq) return;
      state = next;
      redraw();
      var n = document.querySelectorAll('.chart[data-compared]').length;
      status('Comparaison avec ' + next.name + ' : ' + n + ' graphique' + (n > 1 ? 's' : '') +
        ' montrent ses chiffres en plus (lignes en tirets, barres à la suite).', next.page ? { url: next.page, text: 'Voir la page de ' + next.name } : null);
    }).catch(function (err) {
      if (mine !== seq) return;
      state = null;
      redraw();
      status('Les chiffres de ce territoire ne sont pas publiés sur ce site.');
      warn('no figures for ' + want.kind + ' ' + want.code, err);
    });
  }

  // The combobox: the same keys as the search box.
  function initPicker() {
    var input = box.querySelector('input');
    var list = document.getElementById(input.getAttribute('aria-controls'));
    var results = [];
    var active = -1;
    var seqQ = 0;

    function select(i) {
      var items = list.querySelectorAll('li[role=option]');
      each(items, function (li, j) { li.setAttribute('aria-selected', j === i ? 'true' : 'false'); });
      active = i;
      if (i >= 0 && items[i]) {
        input.setAttribute('aria-activedescendant', items[i].id);
        items[i].scrollIntoView({ block: 'nearest' });
      } else {
        input.removeAttribute('aria-activedescendant');
      }
    }

    function close() {
      list.hidden = true;
      input.setAttribute('aria-expanded', 'false');
    }

    function show(found) {
      results = found;
      list.textContent = '';
      found.forEach(function (e, i) {
        var li = document.createElement('li');
        li.id = list.id + '-' + i;
        li.setAttribute('role', 'option');
        li.textContent = e.name;
        var small = document.createElement('span');
        small.className = 'meta';
        small.textContent = ' ' + e.label;
        li.appendChild(small);
        list.appendChild(li);
      });
      if (!found.length && input.value.trim().length >= 2) {
        var none = document.createElement('li');
        none.textContent = 'Aucun territoire trouvé';
        none.setAttribute('aria-disabled', 'true');
        list.appendChild(none);
      }
      var open = list.childElementCount > 0;
      list.hidden = !open;
      input.setAttribute('aria-expanded', open ? 'true' : 'false');
      select(-1);
    }

    function pick(e) {
      ++seqQ; // the answer of a search still under way must not open the list again
      close();
      input.value = e.name;
      window.location.hash = 'comparer=' + e.kind + '-' + e.code;
    }

    input.addEventListener('input', function () {
      var mine = ++seqQ;
      window.territoiresSearch.find(input.value).then(function (found) {
        if (mine === seqQ) show(found);
      }).catch(function (err) { warn('search index unavailable', err); });
    });
    input.addEventListener('keydown', function (ev) {
      if (ev.key === 'ArrowDown' && results.length) {
        ev.preventDefault();
        select((active + 1) % results.length);
      } else if (ev.key === 'ArrowUp' && results.length) {
        ev.preventDefault();
        select(active <= 0 ? results.length - 1 : active - 1);
      } else if (ev.key === 'Enter') {
        ev.preventDefault();
        if (results.length) pick(results[active >= 0 ? active : 0]);
      } else if (ev.key === 'Escape') {
        show([]);
      }
    });
    list.addEventListener('mousedown', function (ev) { ev.preventDefault(); });
    list.addEventListener('click', function (ev) {
      var li = ev.target.closest('li[role=option]');
      if (li) pick(results[Number(li.id.slice(list.id.length + 1))]);
    });
    input.addEventListener('blur', close);
    box.querySelector('form').addEventListener('submit', function (ev) { ev.preventDefault(); });
    box.querySelector('.compare-clear').addEventListener('click', function () {
      input.value = '';
      // Remove the fragment without a jump; hashchange does not fire.
      if (window.history && history.replaceState) history.replaceState(null, '', window.location.pathname + window.location.search);
      else window.location.hash = '';
      apply();
      input.focus();
    });
  }

  function initCompare() {
    if (document.body.classList.contains('embed') || !window.territoiresSearch || !window.territoiresCharts) return;
    if (!document.querySelector('figure .chart')) return;
    box = build();
    if (!box) return;
    window.territoiresCharts.extend(extend);
    initPicker();
    window.addEventListener('hashchange', apply);
    if (parseHash()) apply();
  }

  try {
    initCompare();
  } catch (e) {
    warn('compare control', e);
  }
  function start() {
    try {
      initSort();
    } catch (e) {
      warn('sortable tables', e);
    }
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
