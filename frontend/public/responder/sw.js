/**
 * Service worker of the responder app (scope /responder/).
 *
 * - Keeps the app shell usable with a weak or absent network: pages network-first with the
 *   cached copy as fallback; hashed build assets (/assets/*) cache-first, they never change.
 * - Never touches /api/ or /ws: live data and actions must reach the server or fail visibly.
 * - Shows Web Push alerts: an offer (`assignment.offered`, the offer's fields) opens the app at
 *   that offer when tapped; other pushes carry {title, body, tag?, url?}. Texts the worker
 *   writes itself are bilingual because it has no access to the i18n table.
 *
 * Bump VERSION when this file's caching rules change; old caches are dropped on activate.
 */

const VERSION = "v2";
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

// Kind names for the notification text; the worker cannot reach the i18n table, so both languages.
const KIND_NAMES = {
  crisis_at_home: "患者在家发病 Crisis at home",
  danger_to_others: "危害他人风险 Danger to others",
  self_harm: "自伤风险 Self-harm risk",
  emergency_transfer: "紧急送医 Emergency transfer",
  missing_patient: "患者走失 Missing patient",
  medication_reaction: "药物不良反应 Medication reaction",
};

/**
 * What to show for a push. An offer (`type: "assignment.offered"`, sent by backend/push/sender.py)
 * carries the offer's fields; a tap opens the app at that offer (`/responder/?offer=<id>`).
 * Other pushes may carry their own {title, body, tag, url}.
 */
function notificationFor(payload) {
  if (payload.type === "assignment.offered" && payload.assignment_id) {
    const km = typeof payload.distance_m === "number" ? `${(payload.distance_m / 1000).toFixed(1)} km` : "";
    const min = typeof payload.eta_s === "number" ? `~${Math.max(1, Math.round(payload.eta_s / 60))} min` : "";
    const kind = KIND_NAMES[payload.kind] || payload.kind || "";
    return {
      title: `${payload.title || "新警情 / New incident"} · ${kind}`,
      body: [payload.address, [km, min].filter(Boolean).join(" · ")].filter(Boolean).join("\n"),
      tag: `offer-${payload.assignment_id}`,
      url: `/responder/?offer=${encodeURIComponent(payload.assignment_id)}`,
      requireInteraction: true,
    };
  }
  return {
    title: payload.title || "平安处置 · 新警情 / New alert",
    body: payload.body || payload.reason || "",
    tag: payload.tag || "pingan-alert",
    url: payload.url || "/responder/",
    requireInteraction: payload.require_interaction !== false,
  };
}

self.addEventListener("push", (event) => {
  let payload = {};
  try {
    payload = event.data ? event.data.json() : {};
  } catch {
    payload = { body: event.data ? event.data.text() : "" };
  }
  const n = notificationFor(payload);
  event.waitUntil(
    self.registration.showNotification(n.title, {
      body: n.body,
      tag: n.tag,
      renotify: true,
      requireInteraction: n.requireInteraction,
      vibrate: [400, 150, 400, 150, 800],
      icon: "/icons/icon-192.png",
      badge: "/icons/icon-192.png",
      data: { url: n.url, assignment_id: payload.assignment_id || null },
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
