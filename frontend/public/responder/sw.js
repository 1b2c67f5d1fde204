/**
 * Service worker of the responder app (scope /responder/).
 *
 * - Keeps the app shell usable with a weak or absent network: pages network-first with the
 *   cached copy as fallback; hashed build assets (/assets/*) cache-first, they never change.
 * - Never touches /api/ or /ws: live data and actions must reach the server or fail visibly.
 * - Shows Web Push alerts. The server sends a JSON payload
 *   {title, body, tag?, url?, require_interaction?}, already in the responder's language; the
 *   fallback title below is bilingual because the worker has no access to the i18n table.
 *
 * Bump VERSION when this file's caching rules change; old caches are dropped on activate.
 */

const VERSION = "v1";
const SHELL_CACHE = `pingan-responder-shell-${VERSION}`;
const ASSET_CACHE = `pingan-responder-assets-${VERSION}`;
const SHELL = ["/responder/", "/responder/manifest.webmanifest", "/icons/icon-192.png", "/icons/icon.svg"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const shell = await caches.open(SHELL_CACHE);
      await shell.addAll(SHELL);
      // Pre-cache the hashed scripts and styles the page references, so the first offline
      // start works even if the page was only opened once.
      const html = await (await shell.match("/responder/")).text();
      const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
      if (assets.length > 0) {
        await (await caches.open(ASSET_CACHE)).addAll(assets);
      }
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const keep = new Set([SHELL_CACHE, ASSET_CACHE]);
      for (const key of await caches.keys()) {
        if (key.startsWith("pingan-responder-") && !keep.has(key)) {
          await caches.delete(key);
        }
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/ws")) return;

  if (url.pathname.startsWith("/assets/")) {
    event.respondWith(cacheFirst(request, ASSET_CACHE));
  } else if (request.mode === "navigate" || url.pathname.startsWith("/responder/") || url.pathname.startsWith("/icons/")) {
    event.respondWith(networkFirst(request, SHELL_CACHE));
  }
});

async function cacheFirst(request, cacheName) {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

async function networkFirst(request, cacheName) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok) cache.put(request, response.clone());
    return response;
  } catch (err) {
    const hit = (await cache.match(request)) ?? (request.mode === "navigate" ? await cache.match("/responder/") : undefined);
    if (hit) return hit;
    throw err;
  }
}

self.addEventListener("push", (event) => {
  let payload = {};
  try {
    payload = event.data ? event.data.json() : {};
  } catch {
    payload = { body: event.data ? event.data.text() : "" };
  }
  const title = payload.title || "平安处置 · 新警情 / New alert";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: payload.body || "",
      tag: payload.tag || "pingan-alert",
      renotify: true,
      requireInteraction: payload.require_interaction !== false,
      vibrate: [400, 150, 400, 150, 800],
      icon: "/icons/icon-192.png",
      badge: "/icons/icon-192.png",
      data: { url: payload.url || "/responder/" },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url || "/responder/", self.location.origin).href;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const open = windows.find((w) => w.url.startsWith(`${self.location.origin}/responder/`));
      if (open) {
        await open.focus();
        if ("navigate" in open && open.url !== target) await open.navigate(target);
        return;
      }
      await self.clients.openWindow(target);
    })(),
  );
});
