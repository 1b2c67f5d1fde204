/**
 * The one map every view embeds: MapLibre GL for the basemap, deck.gl (overlaid, via
 * `@deck.gl/maplibre`) for our layers, framed on the user's jurisdiction and fed by `live.ts`.
 *
 * Basemap: the configured `map_style_url` when there is one, else the offline background style.
 * Boundaries and bounds come from the API once; incidents, responders and H3 counts follow the
 * live store. Failures show as a status chip on the map, never as a blank page.
 */

import { MapLibreOverlay } from "@deck.gl/maplibre";
import { Map as MapLibreMap, setWorkerUrl } from "maplibre-gl";
import workerUrl from "maplibre-gl/dist/maplibre-gl-worker.mjs?worker&url";
import "maplibre-gl/dist/maplibre-gl.css";
import { getGeoBounds, getOrgUnits } from "../api";
import { el } from "../dom";
import { t, type MessageKey, onLocaleChange } from "../i18n";
import { getLiveState, onLiveChange, setFocus, type LiveState, type OrgFocus } from "../live";
import type { Session } from "../session";
import type { BoundaryLevel, OrgUnitCollection, OrgUnitFeature } from "../types";
import { addBlockLayers, type BlockLayerHandles } from "./block-layers";
import { drillTarget, featureOf, parentFocus } from "./drilldown";
import { addCoverageLayer, addKeyPlaceLayers } from "./place-layers";
import { featureBounds } from "./geometry";
import { frameBox, OVERLAYS_CHANGED, reframe } from "./frame";
import { mountFocusChip } from "./focus-chip";
import type { MapLayerModule } from "./layer-module";
import { type LayerHandle, LayerStack } from "./layer-stack";
import { focusLayer } from "./layers/focus";
import { h3AggregateLayer } from "./layers/h3-aggregate";
import { incidentsLayer } from "./layers/incidents";
import { type OrgUnitData, orgUnitsLayer } from "./layers/org-units";
import { respondersLayer } from "./layers/responders";
import { mountLinkBanner } from "../ui/link-banner";
import { offlineStyle } from "./offline-style";
import { MAP_BACKGROUND } from "./theme";

setWorkerUrl(workerUrl);

/** Pingshan district, used until `/api/geo/bounds` answers. */
const DEFAULT_CENTER: [number, number] = [114.35, 22.7];
const DEFAULT_ZOOM = 11.3;
const BOUNDARY_LEVELS: readonly BoundaryLevel[] = ["street", "community", "grid"];

export interface MapView {
  map: MapLibreMap;
  stack: LayerStack;
  orgUnits: LayerHandle<OrgUnitData>;
  /** Handles of `options.underlays`, in the same order. */
  underlays: LayerHandle<unknown>[];
  /** The block-data layers, when `options.blockLayers` asked for them. */
  blockLayers: BlockLayerHandles | null;
  /** Moves the camera to an incident or place (the leader's drill-down into one incident). */
  flyTo(lon: number, lat: number, zoom?: number): void;
}

export interface MapViewOptions {
  /** Wall displays are looked at, not operated: no zoom buttons, no scroll capture. */
  interactive?: boolean;
  /** Clicking a street or community drills the map and the panels (live store focus) down. */
  drillDown?: boolean;
  /** Key-person density and events heat layers (off until switched on in the legend). */
  blockLayers?: boolean;
  /** Key places (four kinds, hospitals with free beds) and coverage gaps, off until switched on. */
  placeLayers?: boolean;
  /** Extra aggregate layers drawn under the boundaries (e.g. the leader's SLA heat). */
  underlays?: readonly MapLayerModule<never>[];
}

/** Builds the map inside `container`; returns null (and says why on screen) without WebGL. */
export function createMapView(container: HTMLElement, session: Session, options: MapViewOptions = {}): MapView | null {
  container.classList.add("map-view");
  const canvasHost = el("div", { className: "map-view__canvas" });
  const chip = el("div", { className: "map-status", attrs: { role: "status" } });
  container.append(canvasHost, chip);
  mountLinkBanner(container);
  const status = statusChip(chip);

  let map: MapLibreMap;
  try {
    map = new MapLibreMap({
      container: canvasHost,
      style: session.config.map_style_url ?? offlineStyle(MAP_BACKGROUND),
      center: DEFAULT_CENTER,
      zoom: DEFAULT_ZOOM,
      attributionControl: session.config.map_style_url === null ? false : { compact: true },
      interactive: options.interactive ?? true,
      dragRotate: false,
      pitchWithRotate: false,
      maxPitch: 0,
    });
  } catch (err) {
    console.error("map could not start", err);
    status.show("map.unavailable", "error");
    return null;
  }
  map.on("error", (event) => {
    console.warn("map error", event.error);
    if (session.config.map_style_url !== null) {
      status.show("map.basemapError", "warning");
    }
  });

  const overlay = new MapLibreOverlay({ interleaved: false, layers: [] });
  map.addControl(overlay);
  const stack = new LayerStack(overlay, { zoom: map.getZoom(), scale: uiScale() });
  // Drawing order, bottom to top: density and heat, coverage gaps, boundaries and names, key
  // places, responders, incidents.
  const hexes = stack.add(h3AggregateLayer);
  const blockLayers = options.blockLayers === true ? addBlockLayers(stack, container, () => status.show("map.layersError", "warning")) : null;
  const underlays = (options.underlays ?? []).map((module) => stack.add(module as MapLayerModule<unknown>));
  let gridsLoaded: (grids: OrgUnitCollection | null) => void = () => undefined;
  if (options.placeLayers === true) {
    const grids = new Promise<OrgUnitCollection | null>((resolve) => (gridsLoaded = resolve));
    addCoverageLayer(stack, container, grids, () => status.show("map.layersError", "warning"));
  }
  const orgUnits = stack.add(orgUnitsLayer);
  const focusOutline = stack.add(focusLayer);
  if (options.placeLayers === true) {
    addKeyPlaceLayers(stack, container, () => status.show("map.layersError", "warning"));
  }
  const responders = stack.add(respondersLayer);
  const incidents = stack.add(incidentsLayer);

  map.on("zoom", () => stack.setZoom(map.getZoom()));
  container.addEventListener(OVERLAYS_CHANGED, () => reframe(map, container));
  window.addEventListener("resize", () => stack.setScale(uiScale()));

  // Counts on the container let tests (and people in devtools) see what the canvas draws.
  const feed = (live: LiveState): void => {
    hexes.setData(live.hexCounts);
    responders.setData(live.responders);
    incidents.setData(live.incidents);
    setCount(container, "responders", live.responders);
    setCount(container, "incidents", live.incidents);
    setCount(container, "hexes", live.hexCounts);
  };
  feed(getLiveState());
  onLiveChange(feed);

  const geography = loadGeography(map, orgUnits, status, container);
  void geography.then(({ units }) => gridsLoaded(units.grid ?? null));
  if (options.drillDown === true) {
    void geography.then(({ units, bbox }) => enableDrillDown(map, container, units, bbox, (f) => focusOutline.setData(f)));
  }
  return {
    map,
    stack,
    orgUnits,
    underlays,
    blockLayers,
    flyTo(lon, lat, zoom = 14.5) {
      map.easeTo({ center: [lon, lat], zoom: Math.max(map.getZoom(), zoom), duration: 600 });
    },
  };
}

type Bbox = [number, number, number, number];

/** Click to drill down, the chip to come back up; the camera frames whatever is in focus. */
function enableDrillDown(
  map: MapLibreMap,
  container: HTMLElement,
  units: OrgUnitData,
  home: Bbox | null,
  outline: (feature: OrgUnitFeature | null) => void,
): void {
  const frame = (box: Bbox | null): void => {
    if (box !== null) {
      frameBox(map, container, box, 40 * uiScale(), 500);
    }
  };
  const apply = (focus: OrgFocus | null): void => {
    setFocus(focus);
    const feature = focus === null ? undefined : featureOf(units, focus);
    outline(feature ?? null);
    frame(feature === undefined ? home : featureBounds(feature));
    container.dataset.focus = focus?.path ?? "";
  };
  map.on("click", (event) => {
    const target = drillTarget(units, getLiveState().focus, event.lngLat.lng, event.lngLat.lat);
    if (target !== null) {
      apply(target);
    }
  });
  mountFocusChip(container, {
    up: () => apply(parentFocus(units, getLiveState().focus)),
    whole: () => apply(null),
  });
}

function setCount(container: HTMLElement, name: "responders" | "incidents" | "hexes", list: readonly unknown[] | null): void {
  if (list === null) {
    delete container.dataset[name];
  } else {
    container.dataset[name] = String(list.length);
  }
}

/**
 * Frames the jurisdiction and loads its boundaries. When done, the container carries
 * `data-units-loaded="<number of polygons>"` (or `data-units-error` when a level failed).
 */
async function loadGeography(
  map: MapLibreMap,
  handle: LayerHandle<OrgUnitData>,
  status: StatusChip,
  container: HTMLElement,
): Promise<{ units: OrgUnitData; bbox: Bbox | null }> {
  status.show("map.loadingBoundaries", "info");
  let bbox: Bbox | null = null;
  const bounds = getGeoBounds().then((b) => {
    const [west, south, east, north] = b.bbox;
    bbox = [west, south, east, north];
    frameBox(map, container, bbox, 32 * uiScale(), 0);
  });
  const data: OrgUnitData = {};
  const levels = BOUNDARY_LEVELS.map(async (level) => {
    const collection: OrgUnitCollection = await getOrgUnits(level);
    data[level] = collection;
    handle.setData({ ...data });
  });
  const results = await Promise.allSettled([bounds, ...levels]);
  const failed = results.filter((r) => r.status === "rejected");
  if (failed.length > 0) {
    console.warn("geography failed to load", failed);
    status.show("map.boundariesError", "warning");
    container.dataset.unitsError = String(failed.length);
  } else {
    status.hide();
    const polygons = Object.values(data).reduce((n, c) => n + c.features.filter((f) => f.geometry !== null).length, 0);
    container.dataset.unitsLoaded = String(polygons);
  }
  return { units: data, bbox };
}

interface StatusChip {
  show(message: MessageKey, tone: "info" | "warning" | "error"): void;
  hide(): void;
}

function statusChip(chip: HTMLElement): StatusChip {
  let current: MessageKey | null = null;
  const render = (): void => {
    chip.hidden = current === null;
    chip.textContent = current === null ? "" : t(current);
  };
  onLocaleChange(render);
  render();
  return {
    show(message, tone) {
      current = message;
      chip.dataset.tone = tone;
      render();
    },
    hide() {
      current = null;
      render();
    },
  };
}

/** 1 at a 16 px root font; the wall's root font grows with the screen, so map sizes follow. */
export function uiScale(): number {
  const px = Number.parseFloat(getComputedStyle(document.documentElement).fontSize);
  return Number.isFinite(px) && px > 0 ? px / 16 : 1;
}
