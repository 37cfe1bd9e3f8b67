// Shipfloor handheld service worker: keeps the app shell for offline starts.
// Writes made offline are queued by the page (api.js, IndexedDB), never here: a worker
// cannot show the floor worker that a queued write was refused.
const VERSION = {{ version|tojson }};
const CACHE = `shipfloor-shell-${VERSION}`;
const SHELL = {{ shell|tojson }};
const SCOPE = new URL(self.registration.scope).pathname;  // "/hh/"

self.addEventListener("install", (event) => {
  // cache: "reload" so a new version is not filled from a stale HTTP cache.
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((k) => k.startsWith("shipfloor-shell-") && k !== CACHE).map((k) => caches.delete(k)),
      ))
      .then(() => self.clients.claim()),
  );
});

function isShellRequest(request) {
  const url = new URL(request.url);
  // Pages under our scope also fetch /api/...: those must always reach the server.
  return request.method === "GET"
    && url.origin === self.location.origin
    && url.pathname.startsWith(SCOPE)
    && !url.pathname.startsWith("/api/")
    && !url.pathname.endsWith("/sw.js");
}

async function refresh(cache, request) {
  const response = await fetch(request, { cache: "no-cache" });
  if (response.ok && response.type === "basic") await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (!isShellRequest(request)) return;  // not ours: the browser goes to the network as usual
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    // Pages may carry a query string; the shell page is the same whatever it says.
    const cached = await cache.match(request, { ignoreSearch: request.mode === "navigate" });
    if (cached) {
      // Answer at once from the cache, refresh it for next time (flaky warehouse Wi-Fi).
      event.waitUntil(refresh(cache, request).catch(() => undefined));
      return cached;
    }
    return refresh(cache, request);
  })());
});
