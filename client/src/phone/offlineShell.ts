/**
 * Makes this page reloadable offline: registers the service worker and puts
 * the page and the assets it loaded in the cache right away (the worker only
 * sees requests from the next load on).
 */
export async function keepPageForOffline(): Promise<void> {
  if (!("serviceWorker" in navigator) || !("caches" in window)) return;
  try {
    await navigator.serviceWorker.register("/sw.js");
    const assets = performance
      .getEntriesByType("resource")
      .map((entry) => new URL(entry.name))
      .filter((url) => url.origin === location.origin && url.pathname.startsWith("/assets/"))
      .map((url) => url.pathname);
    const cache = await caches.open("atelier-phone-v1");
    await cache.addAll([location.pathname, ...new Set(assets)]);
  } catch {
    // Offline reload is a comfort, not a requirement: the outbox works without it.
  }
}
