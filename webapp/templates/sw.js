// Service worker: the app shell and an offline page are precached; pages are network-first
// with the cached copy as fallback; fingerprinted static files are cache-first; the API and
// anything marked no-store (the checker's answers) are never cached.
"use strict";

const VERSION = {{ version|tojson }};
const SHELL = {{ shell|tojson }};
const SHELL_CACHE = "shell-" + VERSION;
const PAGE_CACHE = "pages-v1";
const STATIC_CACHE = "static-" + VERSION; // a new version drops the old files
const FINGERPRINTED = /^\/static\/.+\.[0-9a-f]{10}\.[a-z0-9]+$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  const keep = new Set([SHELL_CACHE, PAGE_CACHE, STATIC_CACHE]);
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => !keep.has(k)).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function offlinePage(url) {
  const lang = url.pathname.startsWith("/en/") ? "en" : "nb";
  return caches.match("/" + lang + "/offline");
}

function storable(response) {
  return response.ok && response.type === "basic" &&
    !(response.headers.get("Cache-Control") || "").includes("no-store");
}

async function networkFirst(request, url) {
  try {
    const response = await fetch(request);
    if (storable(response)) {
      const copy = response.clone();
      caches.open(PAGE_CACHE).then((cache) => cache.put(request, copy));
    }
    return response;
  } catch (error) {
    return (await caches.match(request)) || (await offlinePage(url)) || Response.error();
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) {
    return cached;
  }
  const response = await fetch(request);
  if (storable(response)) {
    const copy = response.clone();
    caches.open(STATIC_CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  if (url.pathname.startsWith("/api/")) {
    return;
  }
  if (FINGERPRINTED.test(url.pathname)) {
    event.respondWith(cacheFirst(request));
    return;
  }
  if (request.mode === "navigate" || (request.headers.get("Accept") || "").includes("text/html")) {
    event.respondWith(networkFirst(request, url));
  }
});

self.addEventListener("message", (event) => {
  // A programme page asks for its sessions, its exercises' pages and the diary to be kept, so
  // the programme works offline. Pages already kept are left as they are (a visit online brings
  // them up to date); one page that fails does not stop the others.
  const urls = event.data && Array.isArray(event.data.cache) ? event.data.cache : [];
  const ours = urls.filter((u) => typeof u === "string" && u.startsWith("/") && !u.startsWith("//"));
  if (ours.length) {
    event.waitUntil(
      caches.open(PAGE_CACHE).then((cache) =>
        Promise.all(
          ours.map((u) =>
            cache.match(u).then((kept) => kept || cache.add(u)).catch(() => undefined)
          )
        )
      )
    );
  }
});
