// Herald status page enhancements. The page is complete without this script; it only
// (a) shows every <time datetime> in the visitor's own time zone, with the date unless it is
//     today there and the year unless it is this year (the page-zone text stays as the title);
// (b) keeps the page live: on an "update" server-sent event it fetches the page again and swaps
//     the parts marked data-live (the status, incidents, components), never a form or a one-time
//     answer such as a webhook secret, reconnecting with backoff when the stream drops; a page
//     without such parts (sign-up results, preferences) and a static export do not listen;
// (c) makes each row of uptime days one tab stop (arrow keys move between days, or runs of alike
//     days, which the server renders as one element), opens a day on hover, and closes it with
//     Escape or a click elsewhere; a day (or run) is a <details> without it.
// No framework, no external requests.
(function () {
  'use strict';

  var formats = null;
  try {
    var time = { hour: '2-digit', minute: '2-digit', timeZoneName: 'short' };
    formats = {
      today: new Intl.DateTimeFormat(undefined, time),
      year: new Intl.DateTimeFormat(undefined, Object.assign({ month: 'short', day: 'numeric' }, time)),
      other: new Intl.DateTimeFormat(undefined, Object.assign({ year: 'numeric', month: 'short', day: 'numeric' }, time))
    };
  } catch (e) { /* very old browser: keep the server's text */ }

  function formatTime(d) {
    var now = new Date();
    if (d.toDateString() === now.toDateString()) return formats.today.format(d);
    return (d.getFullYear() === now.getFullYear() ? formats.year : formats.other).format(d);
  }

  function localizeTimes(root) {
    if (!formats || !root || !root.querySelectorAll) return;
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
      el.textContent = formatTime(d);
      el.setAttribute('data-localized', '');
    }
  }

  // --- Uptime days -------------------------------------------------------------------------

  function summaries(row) { return Array.prototype.slice.call(row.querySelectorAll('.day > summary')); }

  function closeDays(except) {
    document.querySelectorAll('.day[open]').forEach(function (d) { if (d !== except) d.open = false; });
  }

  // Places an open day's box under its bar, inside the row.
  function place(day) {
    var row = day.closest('.bars'), bar = day.parentNode;
    if (!row || !bar) return;
    // The row may be wider than what shows of it (narrow screens show its last third).
    var rowBox = row.getBoundingClientRect(), barBox = bar.getBoundingClientRect();
    var shown = (row.parentNode || row).getBoundingClientRect();
    var from = Math.max(0, shown.left - rowBox.left), to = Math.min(rowBox.width, shown.right - rowBox.left);
    var width = Math.min(day.offsetWidth || 0, to - from);
    var mid = Math.max(barBox.left, shown.left) + Math.min(barBox.right, shown.right);
    var left = mid / 2 - rowBox.left - width / 2;
    left = Math.max(from, Math.min(left, to - width));
    day.style.setProperty('--pop-left', Math.round(left) + 'px');
  }

  function initBars(root) {
    root.querySelectorAll('.bars').forEach(function (row) {
      var list = summaries(row);
      if (!list.length) return;
      // One tab stop per row: today's bar; arrows move along the row.
      list.forEach(function (s, i) { s.tabIndex = i === list.length - 1 ? 0 : -1; });
    });
  }

  // Shown: not hidden, and not in the part of a row a narrow screen cuts off.
  function visible(s) {
    if (s.closest('.day[open]')) return true;
    if (s.offsetParent === null) return false;
    var wrap = s.closest('.bars-wrap'), box = s.getBoundingClientRect();
    if (!wrap) return true;
    var w = wrap.getBoundingClientRect();
    return box.right > w.left && box.left < w.right;
  }

  document.addEventListener('keydown', function (e) {
    var s = e.target;
    if (e.key === 'Escape') {
      var open = document.querySelector('.day[open]');
      if (open) {
        noHover = open;
        open.open = false;
        var sum = open.querySelector('summary');
        if (sum) sum.focus();
      }
      return;
    }
    if (!s || !s.matches || !s.matches('.day > summary')) return;
    var row = s.closest('.bars');
    var list = summaries(row).filter(visible);
    var i = list.indexOf(s), next = -1;
    if (e.key === 'ArrowLeft') next = i - 1;
    else if (e.key === 'ArrowRight') next = i + 1;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = list.length - 1;
    else return;
    e.preventDefault();
    if (next < 0 || next >= list.length) return;
    var wasOpen = s.parentNode.open;
    s.tabIndex = -1;
    list[next].tabIndex = 0;
    if (wasOpen) { s.parentNode.open = false; list[next].parentNode.open = true; }
    list[next].focus();
  });

  // One day open at a time, placed under its bar.
  document.addEventListener('toggle', function (e) {
    var d = e.target;
    if (!d.classList || !d.classList.contains('day') || !d.open) return;
    closeDays(d);
    place(d);
  }, true);


  // A mouse pointing at a bar opens its day, as a tooltip would; leaving the row closes it.
  var hoverTimer = null;
  // A day just closed by Escape or a click comes back under a resting pointer: it must not
  // open again until the pointer goes elsewhere.
  var noHover = null;
  document.addEventListener('mouseover', function (e) {
    if (!e.target.closest) return;
    var inRow = e.target.closest('.bars');
    if (inRow) clearTimeout(hoverTimer);
    var s = e.target.closest('.day > summary');
    if (s && s.parentNode === noHover) return;
    noHover = null;
    if (!s || s.parentNode.open) return;
    var open = document.querySelector('.day[open]');
    if (open && !open.hasAttribute('data-hover')) return;  // a day opened by click stays
    s.parentNode.setAttribute('data-hover', '');
    s.parentNode.open = true;
  });
  document.addEventListener('mouseout', function (e) {
    if (!e.target.closest || !e.target.closest('.bars')) return;
    if (e.relatedTarget && e.relatedTarget.closest && e.relatedTarget.closest('.bars') === e.target.closest('.bars')) return;
    clearTimeout(hoverTimer);
    hoverTimer = setTimeout(function () {
      document.querySelectorAll('.day[open][data-hover]').forEach(function (d) { d.open = false; });
    }, 250);
  });
  // Clicks: on a day a hover opened, pin it (its summary has moved into the box, so the click
  // lands on the bar); on the bar of an open day, close it; anywhere else, close any open day.
  // Links in the box are left alone.
  document.addEventListener('click', function (e) {
    var t = e.target;
    if (!t.closest || t.closest('a')) return;
    var bar = t.closest('.bar'), day = bar ? bar.querySelector('.day') : null;
    var inBox = t.closest('.day[open]') && !t.closest('summary');
    if (day && day.hasAttribute('data-hover') && !inBox) {
      day.removeAttribute('data-hover');
      e.preventDefault();
      return;
    }
    if (day && day.open && !t.closest('.day')) {
      noHover = day;
      day.open = false;
      return;
    }
    if (!t.closest('.day')) closeDays(null);
  }, true);
  document.addEventListener('toggle', function (e) {
    if (e.target.classList && e.target.classList.contains('day') && !e.target.open) e.target.removeAttribute('data-hover');
  }, true);

  // --- Live updates --------------------------------------------------------------------------

  var body = document.body;
  var base = body ? body.getAttribute('data-base') || '/' : '/';
  var refreshing = false, pending = false;
  var served = {};  // id of a live part -> its HTML as last served (before localizing)

  // Replaces what `cur` holds with what `next` holds (the element itself stays, so an aria-live
  // region announces the change), keeping which <details> were open and where focus was.
  function swap(cur, next) {
    var open = [];
    cur.querySelectorAll('details').forEach(function (d, i) { open[i] = d.open && !d.hasAttribute('data-hover'); });
    var focused = document.activeElement, focusAt = -1;
    if (focused && focused !== cur && cur.contains(focused)) {
      focusAt = Array.prototype.indexOf.call(cur.querySelectorAll('a, summary, button'), focused);
    }
    cur.innerHTML = next.innerHTML;
    cur.querySelectorAll('details').forEach(function (d, i) { if (i in open) d.open = open[i]; });
    localizeTimes(cur);
    initBars(cur);
    if (focusAt >= 0) {
      var target = cur.querySelectorAll('a, summary, button')[focusAt];
      if (target) target.focus({ preventScroll: true });
    }
  }

  function refresh() {
    if (refreshing) { pending = true; return; }
    if (!window.fetch || !window.DOMParser) { return; }
    refreshing = true;
    fetch(location.href, { cache: 'no-store', credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, 'text/html');
        document.querySelectorAll('[data-live][id]').forEach(function (cur) {
          var next = doc.getElementById(cur.id);
          if (next && next.hasAttribute('data-live') && next.innerHTML !== served[cur.id]) {
            served[cur.id] = next.innerHTML;
            swap(cur, next);
          }
        });
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
  function live() {
    return body && !body.hasAttribute('data-static') && document.querySelector('[data-live]') !== null;
  }
  function connect() {
    if (typeof window.EventSource !== 'function' || location.protocol === 'file:' || !live()) return;
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
    if (e.persisted && live()) { connect(); refresh(); }
  });

  function start() {
    document.querySelectorAll('[data-live][id]').forEach(function (el) { served[el.id] = el.innerHTML; });
    localizeTimes(document);
    initBars(document);
    connect();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
