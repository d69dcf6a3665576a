/* territoires — search box. Reads the static index split in shards under
 * search/ (see builder/search.go, whose Search ranks exactly as this file
 * does): one small shard per query, cached, so each keystroke is a filter
 * over a few hundred entries. No inline script: works under
 * Content-Security-Policy: default-src 'self'. Without JavaScript the form
 * leads to the list of départements. */
(function () {
  'use strict';

  var form = document.querySelector('form.search[data-index]');
  if (!form) return;
  var input = form.querySelector('input[type=search]');
  // The list of results and the combobox's attributes only mean something
  // with this script: the page leaves them out.
  var list = document.createElement('ul');
  list.id = 'q-results';
  list.className = 'results';
  list.setAttribute('role', 'listbox');
  list.hidden = true;
  form.appendChild(list);
  input.setAttribute('role', 'combobox');
  input.setAttribute('autocomplete', 'off');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', list.id);
  input.setAttribute('aria-expanded', 'false');
  var base = form.getAttribute('data-index');
  var root = base.replace(/search\/$/, '');
  var shards = new Map();
  var meta = null;
  var active = -1;
  var results = [];
  var seq = 0;

  var STOP = new Set(['saint', 'sainte', 'le', 'la', 'les', 'de', 'du', 'des', 'en', 'sur', 'sous',
    'et', 'aux', 'au', 'l', 'd', 'lez']);

  // fold mirrors geo.Fold: lower case, no accents, ligatures spelt out,
  // other characters as spaces.
  function fold(s) {
    return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '')
      .replace(/[œŒ]/g, 'oe').replace(/[æÆ]/g, 'ae')
      .toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  }

  function words(q) {
    var w = fold(q).split(' ').filter(Boolean);
    return w.map(function (x) { return x === 'st' ? 'saint' : x === 'ste' ? 'sainte' : x; });
  }

  function isCode(w) { return w.length === 1 && w[0].length >= 2 && /^[0-9]/.test(w[0]); }

  function shardName(w) {
    if (w.length === 0) return '';
    if (isCode(w)) return 'n' + w[0].slice(0, 2);
    var best = '';
    w.forEach(function (x) {
      if (x.length < 2) return;
      if (best === '' || (STOP.has(best) && !STOP.has(x)) || (STOP.has(best) === STOP.has(x) && x.length > best.length)) best = x;
    });
    if (best === '') return '';
    return best.length === 2 ? 't' + best : 'w' + best.slice(0, 3);
  }

  function load(name) {
    if (!shards.has(name)) {
      shards.set(name, fetch(base + name + '.json').then(function (r) {
        if (r.status === 404) return [];
        if (!r.ok) throw new Error(r.status);
        return r.json();
      }).then(function (entries) {
        entries.forEach(function (e) { e.folded = fold(e[0]).split(' '); });
        return entries;
      }).catch(function (err) { shards.delete(name); throw err; }));
    }
    return shards.get(name);
  }

  function matchWords(q, name) {
    var used = name.map(function () { return false; });
    return q.every(function (x) {
      for (var i = 0; i < name.length; i++) {
        if (!used[i] && name[i].indexOf(x) === 0) { used[i] = true; return true; }
      }
      return false;
    });
  }

  function rank(w, entries) {
    var code = isCode(w);
    var out = entries.filter(function (e) {
      if (code) return e[2].toLowerCase().indexOf(w[0]) === 0 || (' ' + (e[5] || '')).indexOf(' ' + w[0]) >= 0;
      return matchWords(w, e.folded);
    });
    function score(e) {
      if (code) return e[2].toLowerCase() === w[0] ? 2 : 0;
      var s = e.folded.length === w.length ? 2 : 0;
      if (e[1] === 5 || e[1] === 6) s++;
      return s;
    }
    return out.sort(function (a, b) {
      return (score(b) - score(a)) || (b[4] - a[4]) || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0);
    });
  }

  function url(e) {
    var kind = meta.kinds[e[1]].split('|')[0];
    return kind === 'france' ? root : root + kind + '/' + e[2] + '/';
  }

  function describe(e) {
    var label = meta.kinds[e[1]].split('|')[1];
    var dep = e[3] && meta.deps[e[3]] && e[1] !== 2 && e[1] !== 3 ? meta.deps[e[3]] + ' (' + e[3] + ')' : '';
    return [label + ' ' + e[2], dep].filter(Boolean).join(' · ');
  }

  function select(i) {
    var items = list.querySelectorAll('li');
    items.forEach(function (li, j) { li.setAttribute('aria-selected', j === i ? 'true' : 'false'); });
    active = i;
    if (i >= 0 && items[i]) {
      input.setAttribute('aria-activedescendant', items[i].id);
      items[i].scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  function show(found) {
    results = found.slice(0, 10);
    list.textContent = '';
    results.forEach(function (e, i) {
      var li = document.createElement('li');
      li.id = 'q-r' + i;
      li.setAttribute('role', 'option');
      var a = document.createElement('a');
      a.href = url(e);
      a.tabIndex = -1;
      a.textContent = e[0];
      var small = document.createElement('span');
      small.className = 'meta';
      small.textContent = ' ' + describe(e);
      a.appendChild(small);
      li.appendChild(a);
      list.appendChild(li);
    });
    if (results.length === 0 && input.value.trim().length >= 2) {
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

  function metaLoaded() {
    if (!meta) {
      meta = fetch(base + 'meta.json').then(function (r) { return r.json(); });
    }
    return meta;
  }

  function update() {
    var q = input.value;
    var w = words(q);
    var name = shardName(w);
    var mine = ++seq;
    if (!name) { show([]); return; }
    Promise.all([metaLoaded(), load(name)]).then(function (r) {
      meta = r[0];
      if (mine === seq) show(rank(w, r[1]));
    }).catch(function (err) {
      if (window.console) console.warn('territoires: search index unavailable', err);
    });
  }

  // find gives the ten best territories for a query, for the other
  // controls that pick a territory (assets/compare.js: "Comparer avec…").
  function find(q) {
    var w = words(q);
    var name = shardName(w);
    if (!name) return Promise.resolve([]);
    return Promise.all([metaLoaded(), load(name)]).then(function (r) {
      meta = r[0];
      return rank(w, r[1]).slice(0, 10).map(function (e) {
        return { name: e[0], kind: meta.kinds[e[1]].split('|')[0], code: e[2], label: describe(e), url: url(e) };
      });
    });
  }
  window.territoiresSearch = { find: find };

  input.addEventListener('input', update);
  input.addEventListener('keydown', function (ev) {
    if (ev.key === 'ArrowDown' && results.length) {
      ev.preventDefault();
      select((active + 1) % results.length);
    } else if (ev.key === 'ArrowUp' && results.length) {
      ev.preventDefault();
      select(active <= 0 ? results.length - 1 : active - 1);
    } else if (ev.key === 'Enter' && results.length) {
      ev.preventDefault();
      window.location.href = url(results[active >= 0 ? active : 0]);
    } else if (ev.key === 'Escape') {
      show([]);
    }
  });
  list.addEventListener('mousedown', function (ev) { ev.preventDefault(); });
  list.addEventListener('click', function (ev) {
    var li = ev.target.closest('li[role=option]');
    if (li) window.location.href = url(results[Number(li.id.slice(3))]);
  });
  input.addEventListener('blur', function () { list.hidden = true; input.setAttribute('aria-expanded', 'false'); });
  input.addEventListener('focus', function () { if (list.childElementCount) { list.hidden = false; input.setAttribute('aria-expanded', 'true'); } });
})();
