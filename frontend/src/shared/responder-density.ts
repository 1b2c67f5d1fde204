/**
 * Responders on duty per H3 cell (res 8, ~0.7 km²), counted from the positions the page already
 * holds: the hexagon layer and the dots can never disagree, and it costs the server nothing.
 * Stale positions and responders off duty do not count — the layer shows force on the ground now.
 */

import { latLngToCell } from "h3-js";
import { isStale } from "./domain";
import type { HexCount, ResponderPosition } from "./types";

export const DENSITY_RES = 8;

export function responderDensity(responders: readonly ResponderPosition[], res: number = DENSITY_RES): HexCount[] {
  const counts = new Map<string, number>();
  for (const r of responders) {
    if (r.status === "off_duty" || isStale(r)) {
      continue;
    }
    const cell = latLngToCell(r.lat, r.lon, res);
    counts.set(cell, (counts.get(cell) ?? 0) + 1);
  }
  return [...counts].map(([cell, count]) => ({ cell, count }));
}
