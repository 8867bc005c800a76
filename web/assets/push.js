// Herald web push sign-up (progressive enhancement). The subscribe form works without it; where
// the browser supports push (a service worker and PushManager, in a secure context) this script
// reveals and handles <button data-push-subscribe>:
//
//   <button type="button" data-push-subscribe hidden
//           data-vapid-key="BASE64URL"      the server's VAPID public key (applicationServerKey)
//           data-endpoint="/subscribe/webpush"   where the subscription is POSTed as JSON
//           data-components-name="component_ids"  (optional) name of the component checkboxes
//           data-status="push-status"       (optional) id of the aria-live element for outcomes
//           data-msg-ok="..." data-msg-denied="..." data-msg-error="..." data-msg-working="...">
//
// On click it registers /sw.js with scope "/", subscribes (userVisibleOnly) and POSTs
// {"endpoint", "keys": {"p256dh", "auth"}, "component_ids": [checked boxes in the same form]}.
// Clicks are handled by delegation, since page.js may swap the page's <main> on live updates.
// No dependencies, no inline script, no eval: it runs under the page's script-src 'self'.
(function () {
  'use strict';

  var SELECTOR = 'button[data-push-subscribe]';
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || window.isSecureContext === false) return;

  var DEFAULTS = {
    working: 'Asking your browser for permission…',
    ok: 'Done: this browser will show a notification for each update.',
    denied: 'Notifications are blocked for this site. Allow them in your browser settings, then try again.',
    error: 'Sorry, that did not work.'
  };

  function msg(button, kind) { return button.getAttribute('data-msg-' + kind) || DEFAULTS[kind]; }

  function statusFor(button) {
    var id = button.getAttribute('data-status');
    var el = id ? document.getElementById(id) : null;
    if (!el && button.form) el = button.form.querySelector('[data-push-status]');
    if (!el) {
      el = document.createElement('p');
      el.setAttribute('data-push-status', '');
      button.parentNode.insertBefore(el, button.nextSibling);
    }
    el.setAttribute('role', 'status');
    el.setAttribute('aria-live', 'polite');
    return el;
  }

  function say(el, text) { el.textContent = text; }

  // applicationServerKey as bytes: base64url without padding to a Uint8Array.
  function keyBytes(b64url) {
    var b64 = b64url.replace(/-/g, '+').replace(/_/g, '/');
    while (b64.length % 4) b64 += '=';
    var raw = atob(b64), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function componentIds(button) {
    var form = button.form || button.closest('form');
    if (!form) return [];
    var name = button.getAttribute('data-components-name') || 'component_ids';
    var ids = [], boxes = form.querySelectorAll('input[type=checkbox]:checked');
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].name === name || boxes[i].name === name + '[]') ids.push(boxes[i].value);
    }
    return ids;
  }

  function subscribeWith(reg, options) {
    return reg.pushManager.subscribe(options).catch(function (err) {
      // Subscribed earlier with another server key: replace that subscription, once.
      if (!err || err.name !== 'InvalidStateError') throw err;
      return reg.pushManager.getSubscription().then(function (old) {
        return old ? old.unsubscribe() : null;
      }).then(function () { return reg.pushManager.subscribe(options); });
    });
  }

  function subscribe(button) {
    var status = statusFor(button);
    var key = button.getAttribute('data-vapid-key'), url = button.getAttribute('data-endpoint');
    if (!key || !url) { say(status, msg(button, 'error')); return; }
    if (window.Notification && Notification.permission === 'denied') { say(status, msg(button, 'denied')); return; }
    button.disabled = true;
    say(status, msg(button, 'working'));
    navigator.serviceWorker.register('/sw.js', { scope: '/' })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (reg) { return subscribeWith(reg, { userVisibleOnly: true, applicationServerKey: keyBytes(key) }); })
      .then(function (sub) {
        var json = sub.toJSON();
        return fetch(url, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
          body: JSON.stringify({
            endpoint: json.endpoint,
            keys: { p256dh: json.keys.p256dh, auth: json.keys.auth },
            component_ids: componentIds(button)
          })
        });
      })
      .then(function (r) {
        if (r.ok) { say(status, msg(button, 'ok')); return; }
        // Herald's errors are {"error": {"code", "message", "field"}}: show the message.
        return r.json().catch(function () { return null; }).then(function (body) {
          var text = body && body.error && body.error.message;
          throw new Error(text || 'HTTP ' + r.status);
        });
      })
      .catch(function (err) {
        if (err && err.name === 'NotAllowedError') say(status, msg(button, 'denied'));
        else say(status, msg(button, 'error') + (err && err.message ? ' ' + err.message : ''));
      })
      .then(function () { button.disabled = false; });
  }

  function reveal(root) {
    var buttons = (root || document).querySelectorAll(SELECTOR);
    for (var i = 0; i < buttons.length; i++) buttons[i].hidden = false;
  }

  document.addEventListener('click', function (e) {
    var button = e.target && e.target.closest ? e.target.closest(SELECTOR) : null;
    if (!button || button.disabled) return;
    e.preventDefault();  // never submit the surrounding no-JavaScript form
    subscribe(button);
  });

  function start() {
    reveal(document);
    // Content swapped in by live updates arrives with the button hidden again.
    if (window.MutationObserver && document.body) {
      new MutationObserver(function () { reveal(document); }).observe(document.body, { childList: true, subtree: true });
    }
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
