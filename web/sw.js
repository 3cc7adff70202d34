// web/sw.js: the desk's service worker, for one thing only: desktop notifications of a ringing
// call with Answer and Decline buttons (browsers give notification actions only to notifications
// a service worker shows). It caches nothing and handles no fetch, so the desk loads exactly as
// without it.
//
// The page (switchboard_api.js) asks for a notification with a message {type: 'call.notify',
// title, body, tag, call, contact}; this worker shows it, remembering which tab asked. A click
// focuses that tab and posts it {type: 'call.action', action: 'answer' | 'decline' | 'focus',
// call, contact}; the page turns it into the answer or hangup intent.
'use strict';

self.addEventListener('install', function () { self.skipWaiting(); });
self.addEventListener('activate', function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener('message', function (event) {
  var m = event.data || {};
  if (m.type !== 'call.notify') return;
  var client = event.source && event.source.id;
  event.waitUntil(self.registration.showNotification(String(m.title || 'Incoming call'), {
    body: String(m.body || ''),
    tag: String(m.tag || 'switchboard-call'),
    requireInteraction: true,
    renotify: true,
    actions: [{ action: 'answer', title: 'Answer' }, { action: 'decline', title: 'Decline' }],
    data: { client: client, call: m.call, contact: m.contact || null },
  }));
});

// The tab that asked (or, if it has gone, every desk tab: each checks the call is its own).
function deskTabs(clientId) {
  return self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(function (all) {
    var mine = all.filter(function (c) { return c.id === clientId; });
    return mine.length ? mine : all;
  });
}

// What a click on the notification (or one of its buttons) does. Also reachable as
// self.sbNotificationAction for tests, which cannot click a system notification.
function notificationAction(action, data) {
  data = data || {};
  var message = { type: 'call.action', action: action === 'answer' || action === 'decline' ? action : 'focus',
    call: data.call, contact: data.contact || null };
  return deskTabs(data.client).then(function (tabs) {
    return Promise.all(tabs.map(function (tab, i) {
      tab.postMessage(message);
      // Focusing is allowed while handling the click; only the first tab comes forward.
      return i === 0 && tab.focus ? tab.focus().catch(function () { /* not allowed now */ }) : null;
    }));
  }).then(function () { return message; });
}
self.sbNotificationAction = notificationAction;

self.addEventListener('notificationclick', function (event) {
  var note = event.notification;
  note.close();
  event.waitUntil(notificationAction(event.action, note.data));
});
