/** Small planar geometry helpers for label placement (degrees are fine at district scale). */

import type { OrgUnitFeature, Position } from "../types";

/** Area-weighted centroid of the largest outer ring of a polygon or multipolygon. */
export function labelPoint(feature: OrgUnitFeature): [number, number] | null {
  const geometry = feature.geometry;
  if (geometry === null) {
    return null;
  }
  const rings =
    geometry.type === "Polygon" ? [geometry.coordinates[0]] : geometry.coordinates.map((polygon) => polygon[0]);
  let best: { area: number; point: [number, number] } | null = null;
  for (const ring of rings) {
    if (ring === undefined || ring.length < 3) {
      continue;
    }
    const result = ringCentroid(ring);
    if (result !== null && (best === null || result.area > best.area)) {
      best = result;
    }
  }
  return best?.point ?? null;
}

function ringCentroid(ring: readonly Position[]): { area: number; point: [number, number] } | null {
  let twiceArea = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < ring.length; i += 1) {
    const a = ring[i];
    const b = ring[(i + 1) % ring.length];
    if (a === undefined || b === undefined) {
      continue;
    }
    const cross = a[0] * b[1] - b[0] * a[1];
    twiceArea += cross;
    cx += (a[0] + b[0]) * cross;
    cy += (a[1] + b[1]) * cross;
  }
  if (twiceArea === 0) {
    const first = ring[0];
    return first === undefined ? null : { area: 0, point: [first[0], first[1]] };
  }
  return { area: Math.abs(twiceArea / 2), point: [cx / (3 * twiceArea), cy / (3 * twiceArea)] };
}

/** Whether `[lon, lat]` lies inside the feature (even-odd rule over every ring, holes included). */
export function containsPoint(feature: OrgUnitFeature, lon: number, lat: number): boolean {
  const geometry = feature.geometry;
  if (geometry === null) {
    return false;
  }
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  let inside = false;
  for (const polygon of polygons) {
    for (const ring of polygon) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
        const a = ring[i];
        const b = ring[j];
        if (a !== undefined && b !== undefined && a[1] > lat !== b[1] > lat && lon < ((b[0] - a[0]) * (lat - a[1])) / (b[1] - a[1]) + a[0]) {
          inside = !inside;
        }
      }
    }
  }
  return inside;
}

/** `[west, south, east, north]` of the feature, or null without geometry. */
export function featureBounds(feature: OrgUnitFeature): [number, number, number, number] | null {
  const geometry = feature.geometry;
  if (geometry === null) {
    return null;
  }
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  let box: [number, number, number, number] | null = null;
  for (const polygon of polygons) {
    for (const [lon, lat] of polygon[0] ?? []) {
      box = box === null ? [lon, lat, lon, lat] : [Math.min(box[0], lon), Math.min(box[1], lat), Math.max(box[2], lon), Math.max(box[3], lat)];
    }
  }
  return box;
}
