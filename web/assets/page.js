// Herald status page enhancements. The page is complete without this script; it only
// (a) shows every <time datetime> in the visitor's own time zone (the page-zone text stays as the
//     title) and
// (b) keeps the page live: on an "update" server-sent event it fetches the page again and swaps
//     the <main> content, reconnecting with backoff when the stream drops.
// No framework, no external requests.
(function () {
  'use strict';

  var fmt = null;
  try {
    fmt = new Intl.DateTimeFormat(undefined, {
      month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short'
    });
  } catch (e) { /* very old browser: keep the server's text */ }

  function localizeTimes(root) {
    if (!fmt || !root || !root.querySelectorAll) return;
    var times = root.querySelectorAll('time[datetime]');
    for (var i = 0; i < times.length; i++) {
      var el = times[i];
      if (el.hasAttribute('data-localized')) continue;
      var d = new Date(el.getAttribute('datetime'));
      if (isNaN(d.getTime())) continue;
      var text = el.textContent;
      // Dates without a time of day (day headings) keep their text: they name a page-zone day.
      if (!/\d:\d\d/.test(text)) continue;
      el.title = text;
      el.textContent = fmt.format(d);
      el.setAttribute('data-localized', '');
    }
  }

  var base = document.body ? document.body.getAttribute('data-base') || '/' : '/';
  var refreshing = false, pending = false;

  function refresh() {
    if (refreshing) { pending = true; return; }
    if (!window.fetch || !window.DOMParser) { return; }
    refreshing = true;
    fetch(location.href, { cache: 'no-store', credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var next = doc.querySelector('main'), cur = document.querySelector('main');
        if (next && cur) {
          // Keep open/closed groups as the visitor left them.
          var open = {};
          cur.querySelectorAll('details').forEach(function (d, i) { open[i] = d.open; });
          cur.innerHTML = next.innerHTML;
          cur.querySelectorAll('details').forEach(function (d, i) { if (i in open) d.open = open[i]; });
          localizeTimes(cur);
        }
        var nu = doc.getElementById('updated'), cu = document.getElementById('updated');
        if (nu && cu) { cu.innerHTML = nu.innerHTML; localizeTimes(cu); }
        if (doc.title) document.title = doc.title;
      })
      .catch(function () { /* the next event or reconnect tries again */ })
      .then(function () {
        refreshing = false;
        if (pending) { pending = false; refresh(); }
      });
  }

  var delay = 1000;
  var es = null;
  function connect() {
    if (typeof window.EventSource !== 'function' || location.protocol === 'file:') return;
    if (es) return;
    try { es = new EventSource(base + 'events'); } catch (e) { es = null; return; }
    es.addEventListener('open', function () { delay = 1000; });
    es.addEventListener('update', refresh);
    es.addEventListener('error', function () {
      // Let the browser's own retry work while CONNECTING; when it gave up, retry with backoff
      // (capped, with jitter so a recovering server is not hit by everyone at once).
      if (es && es.readyState === 2) {
        es.close();
        es = null;
        var wait = delay + Math.random() * delay;
        delay = Math.min(delay * 2, 60000);
        setTimeout(function () { connect(); refresh(); }, wait);
      }
    });
  }

  // A page kept in the back/forward cache must not hold its stream open: browsers allow only a
  // few connections per server, and parked pages would starve the page being looked at.
  window.addEventListener('pagehide', function () {
    if (es) { es.close(); es = null; }
  });
  window.addEventListener('pageshow', function (e) {
    if (e.persisted) { connect(); refresh(); }
  });

  function start() {
    localizeTimes(document);
    connect();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
