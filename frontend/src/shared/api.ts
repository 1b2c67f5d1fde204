/**
 * Typed calls to the backend's HTTP API. Views call these, never `fetch`.
 *
 * Live data (incidents, responder positions, H3 aggregates, KPIs, ticker) is pushed, not pulled:
 * the realtime client feeds it through `live.ts`.
 */

import { sendAuthorized } from "./auth";
import { ENDPOINTS } from "./endpoints";
import { sendJson } from "./http";
import type { BoundaryLevel, ClientConfig, CoverageGaps, GeoBounds, KeyPlaceKind, KeyPlaces, Me, OrgUnitCollection } from "./types";

/** Public settings for the page before sign-in (map style, default language, app name). */
export function getClientConfig(): Promise<ClientConfig> {
  return sendJson<ClientConfig>({ method: ENDPOINTS.clientConfig.method, path: ENDPOINTS.clientConfig.path });
}

/** The signed-in user, their jurisdiction and the menus they may see. */
export function getMe(): Promise<Me> {
  return sendAuthorized<Me>({ method: ENDPOINTS.me.method, path: ENDPOINTS.me.path });
}

/** Boundary polygons of one level inside the user's jurisdiction. */
export function getOrgUnits(level: BoundaryLevel): Promise<OrgUnitCollection> {
  const path = `${ENDPOINTS.geoUnits.path}?level=${encodeURIComponent(level)}`;
  return sendAuthorized<OrgUnitCollection>({ method: ENDPOINTS.geoUnits.method, path, timeoutMs: 30_000 });
}

/** Bounding box and centre of the user's jurisdiction, to frame the map. */
export function getGeoBounds(): Promise<GeoBounds> {
  return sendAuthorized<GeoBounds>({ method: ENDPOINTS.geoBounds.method, path: ENDPOINTS.geoBounds.path });
}

/** Key places of the user's jurisdiction (hospitals with capacity, beds in use and free), of one kind or all. */
export function getKeyPlaces(kind?: KeyPlaceKind): Promise<KeyPlaces> {
  const path = kind === undefined ? ENDPOINTS.keyPlaces.path : `${ENDPOINTS.keyPlaces.path}?kind=${encodeURIComponent(kind)}`;
  return sendAuthorized<KeyPlaces>({ method: ENDPOINTS.keyPlaces.method, path, timeoutMs: 30_000 });
}

/** Grids with high-risk patients and no available qualified responder within `minutes`. */
export function getCoverageGaps(minutes: number): Promise<CoverageGaps> {
  const path = `${ENDPOINTS.coverageGaps.path}?minutes=${encodeURIComponent(String(minutes))}`;
  return sendAuthorized<CoverageGaps>({ method: ENDPOINTS.coverageGaps.method, path, timeoutMs: 30_000 });
}
