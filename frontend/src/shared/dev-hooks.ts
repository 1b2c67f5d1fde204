/**
 * Development only (`npm run dev`): exposes the feed functions on `window.pingan` so the
 * layers and panels can be exercised from the browser console before the realtime client exists.
 * Never included in production builds (guarded by `import.meta.env.DEV` at the import site).
 */

import * as connection from "./connection";
import * as live from "./live";

export function installDevHooks(): void {
  Object.assign(window, { pingan: { ...live, ...connection } });
  console.info("pingan dev hooks: window.pingan.setLiveIncidents([...]), setConnectionState('live'), …");
}
