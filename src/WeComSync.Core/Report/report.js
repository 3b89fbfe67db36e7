// Export-WeComSyncReport: the changes table (search, filters, sorting, pages) drawn from the data embedded in the page.
// Any script error is recorded on <body data-errors> so a headless browser test can see it.
(function () {
  'use strict';
  var errors = 0;
  window.addEventListener('error', function () { errors++; document.body.setAttribute('data-errors', String(errors)); });

  var data = JSON.parse(document.getElementById('report-data').textContent);
  var rows = data.rows, runs = data.runs || [];
  // Row layout (see SyncReportHtml.WriteRow): 0 seq, 1 run, 2 step, 3 operation, 4 kind, 5 key, 6 name, 7 fields,
  // 8 outcome, 9 code, 10 error, 11 reason, 12 duration ms.
  var state = { q: '', op: '', kind: '', outcome: '', run: '', sort: -1, desc: false, page: 0, size: 100 };
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  var haystack = new Array(rows.length);
  var matching = [];
  var $ = function (id) { return document.getElementById(id); };

  function esc(s) {
    return s == null ? '' : String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function hay(i) {
    var t = haystack[i];
    if (t === undefined) {
      var r = rows[i], parts = [r[2], r[3], r[4], r[5], r[6], r[8], r[9], r[10], r[11]];
      if (r[7]) for (var k = 0; k < r[7].length; k++) parts.push(r[7][k][0], r[7][k][1], r[7][k][2]);
      if (r[1] >= 0) parts.push(runs[r[1]]);
      t = haystack[i] = parts.filter(function (p) { return p != null; }).join('\n').toLowerCase();
    }
    return t;
  }

  function fillSelect(id, index, values) {
    var select = $(id);
    if (!select) return;
    var seen = {};
    var list = values || [];
    if (!values) {
      for (var i = 0; i < rows.length; i++) { var v = rows[i][index]; if (v == null && index === 8) v = 'Planned'; if (v != null && !seen[v]) { seen[v] = 1; list.push(v); } }
      list.sort();
    }
    if (list.length < 2 && !state[id]) { select.parentNode.removeChild(select); return; }
    for (var j = 0; j < list.length; j++) {
      var o = document.createElement('option');
      o.value = values ? String(j) : list[j];
      o.textContent = list[j];
      select.appendChild(o);
    }
    select.value = state[id];
    select.addEventListener('change', function () { state[id] = select.value; state.page = 0; update(); });
  }

  function readHash() {
    var h = location.hash.replace(/^#/, '');
    if (!h) return;
    h.split('&').forEach(function (pair) {
      var eq = pair.indexOf('='), k = eq < 0 ? pair : pair.substring(0, eq), v = eq < 0 ? '' : decodeURIComponent(pair.substring(eq + 1).replace(/\+/g, ' '));
      if (k in state && k !== 'sort' && k !== 'desc' && k !== 'page' && k !== 'size') state[k] = v;
    });
  }

  function writeHash() {
    var parts = [];
    ['q', 'op', 'kind', 'outcome', 'run'].forEach(function (k) { if (state[k]) parts.push(k + '=' + encodeURIComponent(state[k])); });
    try { history.replaceState(null, '', parts.length ? '#' + parts.join('&') : location.pathname + location.search); } catch (e) { /* file: URLs in some browsers */ }
  }

  function filter() {
    var q = state.q.trim().toLowerCase(), run = state.run === '' ? -2 : Number(state.run);
    matching = [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      if (state.op && r[3] !== state.op) continue;
      if (state.kind && r[4] !== state.kind) continue;
      if (state.outcome && (r[8] || 'Planned') !== state.outcome) continue;
      if (run !== -2 && r[1] !== run) continue;
      if (q && hay(i).indexOf(q) < 0) continue;
      matching.push(i);
    }
    if (state.sort >= 0) {
      var c = state.sort, sign = state.desc ? -1 : 1, numeric = c === 0 || c === 1 || c === 12;
      matching.sort(function (a, b) {
        var x = rows[a][c], y = rows[b][c], d;
        if (x == null || y == null) d = (x == null) - (y == null);
        else d = numeric ? x - y : collator.compare(String(x), String(y));
        return d !== 0 ? sign * d : a - b;
      });
    }
  }

  function value(v, cls) {
    return v === '' ? '<span class="' + cls + ' muted">(empty)</span>' : '<span class="' + cls + '">' + path(v) + '</span>';
  }

  // A department path wraps at its separators, never inside a name: CJK text may otherwise break after any character,
  // and a narrow column then shows a path a character per line. A name too long to keep whole wraps as usual.
  function path(s) {
    if (s == null) return '';
    var text = String(s);
    if (text.indexOf('/') < 0) return esc(text);
    return text.split('/').map(function (seg, i, all) {
      var piece = esc(seg) + (i < all.length - 1 ? '/' : '');
      return seg.length <= 16 ? '<span class="seg">' + piece + '</span>' : piece;
    }).join('<wbr>');
  }

  function fields(list) {
    if (!list) return '';
    var html = '';
    for (var k = 0; k < list.length; k++) {
      var f = list[k];
      // A create has no old value: it shows what it sets. "" is known to be empty, shown as such, never as a blank.
      html += '<span class="f"><b>' + esc(f[0]) + '</b>: ' +
        (f[1] != null ? value(f[1], 'old') + ' \u2192 ' : '') +
        (f[2] != null ? value(f[2], 'new') : '<span class="muted">(none)</span>') + '</span>';
    }
    return html;
  }

  function render() {
    var total = matching.length, pages = Math.max(1, Math.ceil(total / state.size));
    if (state.page >= pages) state.page = pages - 1;
    var start = state.page * state.size, end = Math.min(total, start + state.size), html = [];
    for (var n = start; n < end; n++) {
      var r = rows[matching[n]];
      html.push('<tr data-key="' + esc(r[5]) + '">' +
        '<td class="num">' + r[0] + '</td>' +
        (runs.length > 1 ? '<td>' + esc(runs[r[1]]) + '</td>' : '') +
        (data.kind === 'runs' ? '<td>' + esc(r[2]) + '</td>' : '') +
        '<td class="op"><span class="badge ' + esc(r[3]) + '">' + esc(r[3]) + '</span>' + (r[4] ? '<span class="kind">' + esc(String(r[4]).toLowerCase()) + '</span>' : '') + '</td>' +
        '<td class="key">' + path(r[5]) + '</td>' +
        '<td class="name">' + path(r[6]) + '</td>' +
        '<td class="fields">' + fields(r[7]) + (r[11] ? '<span class="why">' + esc(r[11]) + '</span>' : '') + '</td>' +
        (data.hasOutcomes ? '<td class="' + esc(r[8]) + '">' + esc(r[8]) + '</td>' : '') +
        '<td>' + esc(r[9]) + '</td>' +
        '<td class="error">' + esc(r[10]) + '</td></tr>');
    }
    $('rows').tBodies[0].innerHTML = html.join('');
    var count = $('count');
    count.setAttribute('data-matching', String(total));
    count.setAttribute('data-total', String(rows.length));
    count.textContent = total === 0 ? 'No row matches (' + rows.length.toLocaleString() + ' in all).'
      : 'Showing ' + (start + 1).toLocaleString() + '\u2013' + end.toLocaleString() + ' of ' + total.toLocaleString() +
        (total === rows.length ? ' rows.' : ' matching rows (' + rows.length.toLocaleString() + ' in all).');
    $('page').textContent = 'Page ' + (state.page + 1) + ' of ' + pages;
    $('prev').disabled = state.page === 0;
    $('next').disabled = state.page >= pages - 1;
  }

  function update() { filter(); render(); writeHash(); }

  readHash();
  var q = $('q');
  q.value = state.q;
  var timer = 0;
  q.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () { state.q = q.value; state.page = 0; update(); }, rows.length > 20000 ? 250 : 80);
  });
  fillSelect('op', 3); fillSelect('kind', 4);
  if (data.hasOutcomes) fillSelect('outcome', 8); else { var o = $('outcome'); o.parentNode.removeChild(o); }
  if (runs.length > 1) fillSelect('run', 1, runs.slice()); else { var s = $('run'); s.parentNode.removeChild(s); }
  $('size').addEventListener('change', function () { state.size = Number($('size').value); state.page = 0; render(); });
  $('prev').addEventListener('click', function () { state.page--; render(); });
  $('next').addEventListener('click', function () { state.page++; render(); });
  var headers = $('rows').tHead.rows[0].cells;
  for (var h = 0; h < headers.length; h++) {
    (function (th) {
      if (!th.hasAttribute('data-sort')) return;
      th.addEventListener('click', function () {
        var c = Number(th.getAttribute('data-sort'));
        state.desc = state.sort === c ? !state.desc : false;
        state.sort = c;
        for (var k = 0; k < headers.length; k++) headers[k].classList.remove('asc', 'desc');
        th.classList.add(state.desc ? 'desc' : 'asc');
        update();
      });
    })(headers[h]);
  }
  update();
  document.body.setAttribute('data-ready', '1');
})();
