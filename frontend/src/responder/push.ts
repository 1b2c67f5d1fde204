/**
 * Web Push for offers that arrive while the app is in the background or closed: at each page
 * load with a session, subscribe the service worker with the server's VAPID key and register
 * the subscription (tied to this login session on the server; logging out deletes it there).
 */

import { getVapidKey, postPushSubscription } from "./api";
import { getServiceWorkerRegistration } from "./sw-register";

export type PushState = "unsupported" | "denied" | "subscribed" | "failed";

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const b64 = base64url.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(base64url.length / 4) * 4, "=");
  const raw = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i += 1) {
    out[i] = raw.charCodeAt(i);
  }
  return out;
}

/** Subscribes this device and tells the server; resolves to what happened (never rejects). */
export async function subscribeToPush(): Promise<PushState> {
  if (!("PushManager" in window) || !("serviceWorker" in navigator)) {
    return "unsupported";
  }
  const registration = await getServiceWorkerRegistration();
  if (registration === null) {
    return "unsupported";
  }
  try {
    await navigator.serviceWorker.ready;
    const { public_key: key } = await getVapidKey();
    let subscription = await registration.pushManager.getSubscription();
    const wanted = keyBytes(key);
    const current = subscription?.options.applicationServerKey;
    // A subscription made for another server key (keys rotated) cannot be reused.
    if (subscription !== null && current !== null && current !== undefined && !sameKey(new Uint8Array(current), wanted)) {
      await subscription.unsubscribe();
      subscription = null;
    }
    subscription ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: wanted });
    await postPushSubscription(subscription.toJSON());
    return "subscribed";
  } catch (err) {
    console.warn("push subscription failed", err);
    return "Notification" in window && Notification.permission === "denied" ? "denied" : "failed";
  }
}

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
