// The console dashboard, live: listens to /admin/events (Server-Sent Events; the server says
// "change" when what the dashboard shows may have changed), refetches this page and swaps in its
// #dashboard element, then reads the new one-line summary out through the aria-live region when
// it differs. Progressive enhancement only: without this script the page is a plain page.
(function () {
  'use strict';
  var root = document.getElementById('dashboard');
  var live = document.getElementById('dashboard-live');
  if (!root || !live || !window.EventSource || !window.fetch || !window.DOMParser) return;

  var fetching = false;
  var again = false;
  var timer = null;

  function swap(html) {
    var doc = new DOMParser().parseFromString(html, 'text/html');
    var fresh = doc.getElementById('dashboard');
    if (!fresh) return;
    var focused = document.activeElement && document.activeElement.closest('#dashboard') ? document.activeElement : null;
    var focusKey = focused ? (focused.getAttribute('aria-label') || focused.getAttribute('href') || focused.id) : null;
    var before = root.getAttribute('data-summary');
    root.innerHTML = fresh.innerHTML;
    root.setAttribute('data-summary', fresh.getAttribute('data-summary') || '');
    if (focusKey) {
      // Keep the keyboard where it was when the same control is still there.
      var same = Array.prototype.find.call(root.querySelectorAll('a, button'), function (el) {
        return (el.getAttribute('aria-label') || el.getAttribute('href') || el.id) === focusKey;
      });
      if (same) same.focus();
    }
    var after = root.getAttribute('data-summary');
    if (after && after !== before) live.textContent = 'Dashboard updated. ' + after;
  }

  function refetch() {
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    fetch(location.href, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
      .then(function (r) {
        // Signed out meanwhile: the answer is the sign-in page; stop rather than show it here.
        if (!r.ok || r.redirected) throw new Error('not signed in');
        return r.text();
      })
      .then(swap)
      .catch(function () { live.textContent = 'Live updates stopped; reload the page.'; stream.close(); })
      .then(function () {
        fetching = false;
        if (again) {
          again = false;
          schedule();
        }
      });
  }

  // Several changes within half a second are one refetch.
  function schedule() {
    if (timer) return;
    timer = setTimeout(function () {
      timer = null;
      refetch();
    }, 500);
  }

  var stream = new EventSource('/admin/events');
  var opened = false;
  stream.addEventListener('change', schedule);
  // After a reconnect (a server restart) changes may have been missed: refetch once.
  stream.addEventListener('open', function () {
    root.setAttribute('data-live', 'connected');  // for tests and styles; the page works without it
    if (opened) schedule();
    opened = true;
  });
})();
