/**
 * Key places, one toggleable module per kind: key areas, key facilities, safety posts and
 * receiving hospitals. A dot per place with its name (from a zoom that keeps the wall legible);
 * hospitals always show "free/capacity" beds, turn red when none is free, and psychiatric ones
 * carry a violet ring. `in_use` is the server's count of live incidents handed over to the
 * hospital (backend/api/keyplaces/services.py), so free beds are what the command centre has
 * not yet sent there, not the hospital's own census.
 */

import type { LayersList } from "@deck.gl/core";
import { ScatterplotLayer, TextLayer } from "@deck.gl/layers";
import { t, tk, type MessageKey } from "../../i18n";
import type { KeyPlace, KeyPlaceKind } from "../../types";
import type { LayerContext, LegendEntry, MapLayerModule } from "../layer-module";
import { cssColor, LABEL_COLORS, MAP_FONT_FAMILY, PLACE_COLORS } from "../theme";

type Rgb = [number, number, number];

interface KindStyle {
  id: string;
  title: MessageKey;
  name: MessageKey;
  radius: number;
  /** Names show from this zoom (hospitals always). */
  labelZoom: number;
}

const KINDS: Record<KeyPlaceKind, KindStyle> = {
  key_area: { id: "key-areas", title: tk("layer.keyAreas"), name: tk("placeKind.key_area"), radius: 7, labelZoom: 12.5 },
  key_facility: { id: "key-facilities", title: tk("layer.keyFacilities"), name: tk("placeKind.key_facility"), radius: 5, labelZoom: 14 },
  safety_post: { id: "safety-posts", title: tk("layer.safetyPosts"), name: tk("placeKind.safety_post"), radius: 5, labelZoom: 14 },
  hospital: { id: "hospitals", title: tk("layer.hospitals"), name: tk("placeKind.hospital"), radius: 9, labelZoom: 0 },
};

/** Whether a hospital has no bed left (unknown capacity is not "full"). */
export function isFull(place: KeyPlace): boolean {
  return place.free !== null && place.free <= 0;
}

function fillOf(place: KeyPlace): Rgb {
  if (place.kind === "hospital") {
    return isFull(place) ? PLACE_COLORS.hospitalFull : PLACE_COLORS.hospital;
  }
  return PLACE_COLORS[place.kind];
}

/** The map label: the name, and for hospitals the free and total beds. */
export function placeLabel(place: KeyPlace): string {
  if (place.kind !== "hospital") {
    return place.name;
  }
  const beds = place.capacity === null ? "" : ` ${t("label.beds", { free: place.free ?? 0, capacity: place.capacity })}`;
  return `${place.name}${beds}${place.psychiatric ? ` · ${t("label.psychiatric")}` : ""}`;
}

/** The tooltip: name, kind (and category); hospitals with free, capacity and hand-overs. */
export function placeTooltip(place: KeyPlace): string {
  const kind = t(KINDS[place.kind].name) + (place.category === null ? "" : ` · ${place.category}`);
  const lines = [place.name, place.psychiatric ? `${kind} · ${t("tooltip.psychiatric")}` : kind];
  if (place.kind === "hospital") {
    lines.push(
      place.capacity === null
        ? t("tooltip.bedsUnknown")
        : t("tooltip.beds", { free: place.free ?? 0, capacity: place.capacity, in_use: place.in_use ?? 0 }),
    );
  }
  return lines.join("\n");
}

function legendOf(kind: KeyPlaceKind): LegendEntry[] {
  if (kind !== "hospital") {
    return [{ label: KINDS[kind].name, color: cssColor(PLACE_COLORS[kind]), shape: "dot" }];
  }
  return [
    { label: tk("legend.bedsFree"), color: cssColor(PLACE_COLORS.hospital), shape: "dot" },
    { label: tk("legend.bedsFull"), color: cssColor(PLACE_COLORS.hospitalFull), shape: "dot" },
    { label: tk("legend.psychiatric"), color: cssColor(PLACE_COLORS.psychiatric), shape: "ring" },
  ];
}

/** The module drawing the places of one kind (data: that kind's places, already in focus). */
export function keyPlaceLayer(kind: KeyPlaceKind): MapLayerModule<readonly KeyPlace[]> {
  const style = KINDS[kind];
  const build = (data: readonly KeyPlace[] | null, ctx: LayerContext): LayersList => {
    if (data === null || data.length === 0) {
      return [];
    }
    const places = data as KeyPlace[];
    const layers: LayersList = [];
    if (kind === "hospital") {
      layers.push(
        new ScatterplotLayer<KeyPlace>({
          id: `${style.id}-psychiatric`,
          data: places.filter((p) => p.psychiatric),
          getPosition: (d) => [d.lon, d.lat],
          getRadius: style.radius + 4,
          radiusUnits: "pixels",
          radiusScale: ctx.scale,
          filled: false,
          stroked: true,
          getLineColor: [...PLACE_COLORS.psychiatric, 255],
          lineWidthUnits: "pixels",
          getLineWidth: 2.5 * ctx.scale,
          updateTriggers: { getLineWidth: ctx.scale },
        }),
      );
    }
    layers.push(
      new ScatterplotLayer<KeyPlace>({
        id: `${style.id}-dots`,
        data: places,
        getPosition: (d) => [d.lon, d.lat],
        getFillColor: (d) => [...fillOf(d), 235],
        getLineColor: [6, 16, 34, 255],
        getRadius: style.radius,
        radiusUnits: "pixels",
        radiusScale: ctx.scale,
        stroked: true,
        lineWidthUnits: "pixels",
        getLineWidth: 1.5,
        pickable: true,
      }),
    );
    if (kind === "hospital") {
      layers.push(
        new TextLayer<KeyPlace>({
          id: `${style.id}-cross`,
          data: places,
          getPosition: (d) => [d.lon, d.lat],
          getText: () => "+",
          getSize: 15 * ctx.scale,
          getColor: (d) => (isFull(d) ? [255, 255, 255, 255] : [...PLACE_COLORS.hospitalCross, 255]),
          fontFamily: MAP_FONT_FAMILY,
          fontWeight: 900,
          getTextAnchor: "middle",
          getAlignmentBaseline: "center",
          updateTriggers: { getSize: ctx.scale },
        }),
      );
    }
    if (ctx.zoom >= style.labelZoom) {
      layers.push(
        new TextLayer<KeyPlace>({
          id: `${style.id}-labels`,
          data: places,
          getPosition: (d) => [d.lon, d.lat],
          getText: placeLabel,
          getSize: (kind === "hospital" ? 13 : 11) * ctx.scale,
          getColor: [...(kind === "hospital" ? ([255, 255, 255] as Rgb) : PLACE_COLORS[kind]), 240],
          getPixelOffset: [0, (style.radius + 6) * ctx.scale],
          fontFamily: MAP_FONT_FAMILY,
          fontWeight: kind === "hospital" ? 700 : 500,
          characterSet: "auto",
          fontSettings: { sdf: true, fontSize: 64, buffer: 8 },
          outlineWidth: 6,
          outlineColor: LABEL_COLORS.halo,
          getTextAnchor: "middle",
          getAlignmentBaseline: "top",
          updateTriggers: { getText: ctx.locale, getSize: ctx.scale, getPixelOffset: ctx.scale },
        }),
      );
    }
    return layers;
  };
  return {
    id: style.id,
    title: style.title,
    legend: legendOf(kind),
    defaultVisible: false,
    animated: false,
    build,
    tooltip: (object) => placeTooltip(object as KeyPlace),
  };
}

export const KEY_PLACE_KINDS: readonly KeyPlaceKind[] = ["key_area", "key_facility", "safety_post", "hospital"];
