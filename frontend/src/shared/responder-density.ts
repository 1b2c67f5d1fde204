/**
 * Responders on duty per H3 cell (res 8, ~0.7 km²), counted from the positions the page already
 * holds: the hexagon layer and the dots can never disagree, and it costs the server nothing.
 * Stale positions and responders off duty do not count — the layer shows force on the ground now.
 */

import { latLngToCell } from "h3-js";
import { isStale } from "./domain";
import type { HexCount, ResponderPosition } from "./types";

export const DENSITY_RES = 8;

/** The last cell computed per responder: a wall holds thousands, and between two batches most
 * have not left their cell, so only a moved responder pays for `latLngToCell` again. */
interface Placed {
  lat: number;
  lon: number;
  res: number;
  cell: string;
}

const placed = new Map<string, Placed>();

function cellOf(r: ResponderPosition, res: number): string {
  const last = placed.get(r.id);
  if (last !== undefined && last.lat === r.lat && last.lon === r.lon && last.res === res) {
    return last.cell;
  }
  const cell = latLngToCell(r.lat, r.lon, res);
  placed.set(r.id, { lat: r.lat, lon: r.lon, res, cell });
  return cell;
}

export function responderDensity(responders: readonly ResponderPosition[], res: number = DENSITY_RES): HexCount[] {
  const counts = new Map<string, number>();
  const seen = new Set<string>();
  for (const r of responders) {
    seen.add(r.id);
    if (r.status === "off_duty" || isStale(r)) {
      continue;
    }
    const cell = cellOf(r, res);
    counts.set(cell, (counts.get(cell) ?? 0) + 1);
  }
  if (placed.size > 2 * seen.size + 1000) {
    // Responders who left the list (signed off, filtered out by a drill-down) are forgotten
    // once they outnumber the present ones, so the cache never outgrows the fleet.
    for (const id of placed.keys()) {
      if (!seen.has(id)) {
        placed.delete(id);
      }
    }
  }
  return [...counts].map(([cell, count]) => ({ cell, count }));
}
