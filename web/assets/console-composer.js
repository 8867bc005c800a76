// The incident composer's live preview (progressive enhancement: without this script the
// Preview button posts the form and the page comes back with the preview below it). While the
// responder types, the form (with its CSRF field) is posted to the screen's preview address with
// fragment=1, at most every 600 ms, and the answer (the public card and each channel's message,
// or what keeps the preview from being made) replaces #live-preview, an aria-live="polite"
// region. The preview writes nothing.
(function () {
  'use strict';
  var form = document.getElementById('composer');
  var out = document.getElementById('live-preview');
  if (!form || !out || !form.dataset.preview || !window.fetch) return;
  var timer = null;
  var sent = 0;
  function refresh() {
    var body = new URLSearchParams(new FormData(form));
    body.set('fragment', '1');
    var mine = ++sent;
    fetch(form.dataset.preview, {
      method: 'POST',
      body: body,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' }
    }).then(function (r) {
      return r.ok ? r.text() : null;
    }).then(function (html) {
      // Only the answer to the newest request counts (an older one may arrive last).
      if (html !== null && mine === sent) out.innerHTML = html;
    }).catch(function () { /* offline: the Preview button still works */ });
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 600);
  }
  form.addEventListener('input', later);
  form.addEventListener('change', later);
})();
