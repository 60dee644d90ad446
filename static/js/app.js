// Progressive enhancement for every page. Everything works without this file.
"use strict";

document.documentElement.classList.add("js-enabled");

if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
      // No offline copy then; the site still works online.
    });
    // A programme page names the pages to keep for offline use (its weekly sessions).
    const offline = document.querySelector("[data-offline-pages]");
    if (offline) {
      navigator.serviceWorker.ready.then((registration) => {
        registration.active.postMessage({ cache: offline.dataset.offlinePages.split(" ") });
      });
    }
  });
}

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
