// Herald service worker (served at /sw.js with scope "/"): shows the status notifications that
// Herald sends through the browser's push service, and opens the incident when one is clicked.
// The payload is the JSON that WebPushChannel encrypts: {"title", "body", "url", "tag"}; a newer
// message with the same tag (the same incident) replaces the older notification.
'use strict';

self.addEventListener('install', function () { self.skipWaiting(); });
self.addEventListener('activate', function (event) { event.waitUntil(self.clients.claim()); });

// Only http(s) links, resolved against this origin; anything else opens the status page.
function safeUrl(url) {
  try {
    var u = new URL(url || '/', self.location.origin);
    if (u.protocol === 'https:' || u.protocol === 'http:') return u.href;
  } catch (e) { /* fall through */ }
  return new URL('/', self.location.origin).href;
}

self.addEventListener('push', function (event) {
  var data = {};
  if (event.data) {
    try { data = event.data.json() || {}; } catch (e) { data = { body: event.data.text() }; }
  }
  var options = {
    body: typeof data.body === 'string' ? data.body : '',
    icon: '/assets/favicon.svg',
    data: { url: safeUrl(data.url) }
  };
  if (data.tag) {
    options.tag = String(data.tag);
    options.renotify = true;  // an update to the same incident should still alert
  }
  event.waitUntil(self.registration.showNotification(data.title ? String(data.title) : 'Status update', options));
});

self.addEventListener('notificationclick', function (event) {
  event.notification.close();
  var target = safeUrl(event.notification.data && event.notification.data.url);
  event.waitUntil(self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(function (list) {
    for (var i = 0; i < list.length; i++) {
      if (list[i].url === target && 'focus' in list[i]) return list[i].focus();
    }
    if (self.clients.openWindow) return self.clients.openWindow(target);
  }));
});
