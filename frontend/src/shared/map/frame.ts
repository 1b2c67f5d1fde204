/**
 * Framing the jurisdiction clear of what floats over the map: the legend, the drill-down chip,
 * the zoom buttons. A fixed padding let the wall's legend cover a quarter of the district.
 */

import type { Map as MapLibreMap, PaddingOptions } from "maplibre-gl";

export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

type Side = "left" | "top" | "right" | "bottom";

/** What floats over a map; each must stay clear of the framed area. */
const OVERLAYS = ".legend, .focus-chip, .sla-metric, .events-window, .maplibregl-ctrl-group";

/** At most this share of the map's width (height) goes to padding; past it the overlay wins. */
const MAX_SHARE = 0.6;

/**
 * Padding that keeps every overlay (in the map's own pixels, ``width`` × ``height``) off the
 * framed area. Each overlay is cleared on the side that costs the smallest share of the map:
 * a tall legend at the left edge takes width, a wide strip at the top takes height.
 */
export function clearOf(width: number, height: number, overlays: readonly Box[], base: number): PaddingOptions {
  const pad: Record<Side, number> = { left: base, top: base, right: base, bottom: base };
  for (const o of overlays) {
    if (o.right <= o.left || o.bottom <= o.top) {
      continue; // hidden
    }
    const sides: [Side, number, number][] = [];
    if (o.left < width / 2) sides.push(["left", o.right, o.right / width]);
    if (o.right > width / 2) sides.push(["right", width - o.left, (width - o.left) / width]);
    if (o.top < height / 2) sides.push(["top", o.bottom, o.bottom / height]);
    if (o.bottom > height / 2) sides.push(["bottom", height - o.top, (height - o.top) / height]);
    sides.sort((a, b) => a[2] - b[2]);
    const cheapest = sides[0];
    if (cheapest !== undefined) {
      const [side, needed] = cheapest;
      pad[side] = Math.max(pad[side], needed + base / 2);
    }
  }
  const fit = (a: Side, b: Side, size: number): void => {
    const total = pad[a] + pad[b];
    if (total > size * MAX_SHARE) {
      const k = (size * MAX_SHARE) / total;
      pad[a] *= k;
      pad[b] *= k;
    }
  };
  fit("left", "right", width);
  fit("top", "bottom", height);
  return pad;
}

/** The overlays inside ``container``, in the pixels of ``canvas`` (the map's own element). */
export function overlayBoxes(container: HTMLElement, canvas: HTMLElement): Box[] {
  const origin = canvas.getBoundingClientRect();
  return [...container.querySelectorAll<HTMLElement>(OVERLAYS)].map((node) => {
    const r = node.getBoundingClientRect();
    return { left: r.left - origin.left, top: r.top - origin.top, right: r.right - origin.left, bottom: r.bottom - origin.top };
  });
}

/** The last box framed in a container, and the camera it left: see ``reframe``. */
interface Framed {
  bbox: readonly [number, number, number, number];
  base: number;
  center: [number, number];
  zoom: number;
}

const framed = new WeakMap<HTMLElement, Framed>();

/** Overlays in a map's container announce a change of size with this (bubbling) event. */
export const OVERLAYS_CHANGED = "overlays-changed";

/**
 * Fits ``bbox`` (west, south, east, north) clear of the overlays. Once the camera rests, the
 * container carries ``data-frame="left,top,right,bottom"``: where the box landed, in its pixels.
 */
export function frameBox(
  map: MapLibreMap,
  container: HTMLElement,
  bbox: readonly [number, number, number, number],
  base: number,
  duration: number,
): void {
  const canvas = map.getContainer();
  const padding = clearOf(canvas.clientWidth, canvas.clientHeight, overlayBoxes(container, canvas), base);
  const [west, south, east, north] = bbox;
  map.once("moveend", () => {
    const sw = map.project([west, south]);
    const ne = map.project([east, north]);
    container.dataset.frame = [sw.x, ne.y, ne.x, sw.y].map((v) => Math.round(v)).join(",");
    const c = map.getCenter();
    framed.set(container, { bbox, base, center: [c.lng, c.lat], zoom: map.getZoom() });
  });
  map.fitBounds([[west, south], [east, north]], { padding, duration });
}

/**
 * Frames the last box again, clear of the overlays as they are now (the legend folded or grew),
 * but only while the camera is where that framing left it: a map someone has panned or zoomed
 * is theirs, and must not jump because a panel changed size.
 */
export function reframe(map: MapLibreMap, container: HTMLElement, duration = 300): void {
  const last = framed.get(container);
  if (last === undefined || map.isMoving()) {
    return;
  }
  const c = map.getCenter();
  const still = Math.abs(map.getZoom() - last.zoom) < 1e-6 && Math.abs(c.lng - last.center[0]) < 1e-9 && Math.abs(c.lat - last.center[1]) < 1e-9;
  if (still) {
    frameBox(map, container, last.bbox, last.base, duration);
  }
}
