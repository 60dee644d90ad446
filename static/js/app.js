// Progressive enhancement for every page. Everything works without this file.
"use strict";

document.documentElement.classList.add("js-enabled");

if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
      // No offline copy then; the site still works online.
    });
    // A programme page names the pages to keep for offline use: its weekly sessions, the pages
    // of its exercises and the pain diary.
    const offline = document.querySelector("[data-offline-pages]");
    if (offline) {
      navigator.serviceWorker.ready.then((registration) => {
        registration.active.postMessage({ cache: offline.dataset.offlinePages.split(" ") });
      });
    }
  });
}

// The offline page: list the pages of this language that are kept on this phone, with their
// headings, read from the service worker's caches.
async function listOfflinePages(root) {
  const prefix = `/${root.dataset.lang}/`;
  const found = new Map();
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const url = new URL(request.url);
      const path = url.pathname;
      if (url.origin !== window.location.origin || !path.startsWith(prefix) || found.has(path)) {
        continue;
      }
      if (path === root.dataset.offlinePath) {
        continue;
      }
      const response = await cache.match(request);
      if (!response || !(response.headers.get("Content-Type") || "").includes("text/html")) {
        continue;
      }
      // An inert document: nothing in it runs or loads.
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      const heading = doc.querySelector("h1");
      const title = (heading ? heading.textContent : doc.title).replace(/\s+/g, " ").trim();
      if (title) {
        found.set(path, { path, title, programme: Boolean(doc.querySelector("[data-offline-pages], [data-player]")) });
      }
    }
  }
  // Programmes and their sessions first, in the order of their addresses; then the rest.
  const pages = Array.from(found.values()).sort((a, b) => {
    if (a.programme !== b.programme) {
      return a.programme ? -1 : 1;
    }
    return a.programme
      ? a.path.localeCompare(b.path, undefined, { numeric: true })
      : a.title.localeCompare(b.title, root.dataset.lang);
  });
  const list = root.querySelector("[data-offline-links]");
  pages.forEach((page) => {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = page.path;
    link.textContent = page.title;
    item.append(link);
    list.append(item);
  });
  root.querySelector("[data-offline-empty]").hidden = pages.length > 0;
  list.hidden = pages.length === 0;
  root.querySelector("[data-offline-checking]").hidden = true;
}

document.addEventListener("DOMContentLoaded", () => {
  const root = document.querySelector("[data-offline-list]");
  if (!root) {
    return;
  }
  if (!("caches" in window)) {
    root.querySelector("[data-offline-checking]").hidden = true;
    root.querySelector("[data-offline-empty]").hidden = false;
    return;
  }
  listOfflinePages(root).catch(() => {
    root.querySelector("[data-offline-checking]").hidden = true;
    root.querySelector("[data-offline-empty]").hidden = false;
  });
});

// After «Was this page helpful?» is sent, the thanks replace the form: move the focus there,
// so that it is not lost with the form and a screen reader reads the thanks.
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target && event.detail.target.id === "feedback") {
    const section = document.getElementById("feedback");
    if (section && section.hasAttribute("tabindex")) {
      section.focus();
    }
  }
});

// Privacy page: delete the pages the service worker keeps on this phone.
document.addEventListener("submit", async (event) => {
  const form = event.target.closest("[data-clear-offline-copy]");
  if (!form) {
    return;
  }
  event.preventDefault();
  const status = form.querySelector("[data-clear-offline-status]");
  if ("caches" in window) {
    const keys = await caches.keys();
    await Promise.all(keys.map((key) => caches.delete(key)));
  }
  if ("serviceWorker" in navigator) {
    const registrations = await navigator.serviceWorker.getRegistrations();
    await Promise.all(registrations.map((registration) => registration.unregister()));
  }
  if (status) {
    status.textContent = status.dataset.doneText;
  }
});

// Print buttons (data-print); a closed summary is opened first so that it is printed too.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
window.addEventListener("beforeprint", () => {
  document.querySelectorAll("details.app-summary-details").forEach((details) => {
    details.open = true;
  });
});
