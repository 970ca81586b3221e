{% load static %}// ShopDesk's floor service worker: the floor pages (a job's floor page, a traveler's scan page,
// the scan page) and their static files open from this device's cache when the network is
// down, so a reload on bad Wi-Fi still shows the page and its queue of pending actions
// (floor.js keeps that queue in localStorage and sends it when the network is back).
// Network first: when the network answers, that answer is shown and kept. Nothing else on the
// site is touched, and no POST is ever answered from here.
"use strict";

var CACHE = "shopdesk-floor-v1";
var SHELL = [
  "{% static 'shopdesk/shopdesk.css' %}",
  "{% static 'shopdesk/floor.js' %}",
  "{% static 'shopdesk/scanner.js' %}",
  "{% static 'django_htmx/htmx-2.min.js' %}",
  "{% static 'django_htmx/htmx-2.js' %}",
];
var LOGOUT_PATH = "{% url 'logout' %}";
var FLOOR_PAGES = [
  /^\/jobs\/[^/]+\/floor\/$/,
  /^\/t\/[A-Za-z0-9_-]{8,40}\/$/,
  /^\/jobs\/scan\/$/,
];
var OFFLINE_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
  '<meta name="viewport" content="width=device-width, initial-scale=1">' +
  "<title>Offline · ShopDesk</title></head><body style=\"font: 18px system-ui; padding: 1rem\">" +
  "<h1>No connection</h1><p>This page was not opened on this device before, so it cannot be " +
  "shown offline. Actions already queued on this device are kept and sent when the network " +
  "is back.</p></body></html>";

function isFloorPage(url) {
  if (url.search) return false;
  return FLOOR_PAGES.some(function (pattern) {
    return pattern.test(url.pathname);
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches
      .open(CACHE)
      .then(function (cache) {
        // One missing file must not stop the worker from installing.
        return Promise.all(
          SHELL.map(function (path) {
            return cache.add(path).catch(function () {});
          })
        );
      })
      .then(function () {
        return self.skipWaiting();
      })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (keys) {
        return Promise.all(
          keys
            .filter(function (key) {
              return key.indexOf("shopdesk-floor-") === 0 && key !== CACHE;
            })
            .map(function (key) {
              return caches.delete(key);
            })
        );
      })
      .then(function () {
        return self.clients.claim();
      })
  );
});

// Signed out (or the session ended): the pages of that person leave this device.
function forgetPages() {
  return caches.open(CACHE).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(
        requests
          .filter(function (request) {
            return isFloorPage(new URL(request.url));
          })
          .map(function (request) {
            return cache.delete(request);
          })
      );
    });
  });
}

function networkFirst(event, isPage) {
  var request = event.request;
  var key = request.url;
  return fetch(request).then(
    function (response) {
      if (isPage && (response.redirected || response.type === "opaqueredirect")) {
        event.waitUntil(forgetPages()); // the sign-in page: this session is over
      } else if (response.ok && response.type === "basic") {
        var copy = response.clone();
        event.waitUntil(
          caches.open(CACHE).then(function (cache) {
            return cache.put(key, copy);
          })
        );
      }
      return response;
    },
    function () {
      return caches
        .open(CACHE)
        .then(function (cache) {
          return cache.match(key, { ignoreVary: true });
        })
        .then(function (hit) {
          // floor.js refreshing the page after a send wants today's state or nothing.
          if (isPage && request.mode !== "navigate") return Response.error();
          if (hit) return hit;
          if (!isPage) return Response.error();
          return new Response(OFFLINE_PAGE, {
            status: 503,
            headers: { "Content-Type": "text/html; charset=utf-8" },
          });
        });
    }
  );
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === LOGOUT_PATH) {
    event.waitUntil(forgetPages());
    return;
  }
  if (request.method !== "GET") return;
  if (isFloorPage(url)) {
    event.respondWith(networkFirst(event, true));
  } else if (SHELL.indexOf(url.pathname) !== -1) {
    event.respondWith(networkFirst(event, false));
  }
});
