/**
 * Registers the responder app's service worker (`public/responder/sw.js`, scope `/responder/`).
 * It keeps the app shell available offline and shows Web Push offers; `push.ts` subscribes it.
 */

let registration: Promise<ServiceWorkerRegistration | null> = Promise.resolve(null);

export function registerServiceWorker(): void {
  if (!("serviceWorker" in navigator)) {
    return;
  }
  registration = navigator.serviceWorker.register("/responder/sw.js", { scope: "/responder/" }).catch((err: unknown) => {
    console.warn("service worker registration failed", err);
    return null;
  });
}

/** The registration (null when unsupported or failed), e.g. for `pushManager.subscribe`. */
export function getServiceWorkerRegistration(): Promise<ServiceWorkerRegistration | null> {
  return registration;
}
