/**
 * Org-unit boundaries: streets thick, communities medium, grids thin, each with its name.
 * Community names appear from zoom 12 and grid names from zoom 14.5 so the wall stays legible.
 */

import type { LayersList } from "@deck.gl/core";
import { GeoJsonLayer, TextLayer } from "@deck.gl/layers";
import { tk } from "../../i18n";
import type { BoundaryLevel, OrgUnitCollection, OrgUnitFeature } from "../../types";
import { labelPoint } from "../geometry";
import type { LayerContext, MapLayerModule } from "../layer-module";
import { BOUNDARY_COLORS, cssColor, LABEL_COLORS, MAP_FONT_FAMILY } from "../theme";

export type OrgUnitData = Partial<Record<BoundaryLevel, OrgUnitCollection>>;

interface Label {
  position: [number, number];
  name_zh: string;
  name_en: string;
}

const STYLE: Record<BoundaryLevel, { width: number; color: number[]; label: number[]; size: number; minZoom: number }> = {
  street: { width: 3, color: BOUNDARY_COLORS.street, label: LABEL_COLORS.street, size: 18, minZoom: 0 },
  community: { width: 1.6, color: BOUNDARY_COLORS.community, label: LABEL_COLORS.community, size: 14, minZoom: 12 },
  grid: { width: 0.7, color: BOUNDARY_COLORS.grid, label: LABEL_COLORS.grid, size: 11, minZoom: 14.5 },
};

/** Drawn bottom to top: grids under communities under streets. */
const LEVELS: readonly BoundaryLevel[] = ["grid", "community", "street"];

const labelCache = new WeakMap<OrgUnitCollection, Label[]>();

function labelsOf(collection: OrgUnitCollection): Label[] {
  let labels = labelCache.get(collection);
  if (labels === undefined) {
    labels = collection.features.flatMap((f: OrgUnitFeature) => {
      const position = labelPoint(f);
      return position === null ? [] : [{ position, name_zh: f.properties.name_zh, name_en: f.properties.name_en }];
    });
    labelCache.set(collection, labels);
  }
  return labels;
}

function build(data: OrgUnitData | null, ctx: LayerContext): LayersList {
  if (data === null) {
    return [];
  }
  const layers: LayersList = [];
  for (const level of LEVELS) {
    const collection = data[level];
    if (collection === undefined) {
      continue;
    }
    const style = STYLE[level];
    layers.push(
      new GeoJsonLayer({
        id: `org-units-${level}`,
        data: collection as never,
        stroked: true,
        filled: level === "street",
        getFillColor: BOUNDARY_COLORS.streetFill,
        getLineColor: style.color as [number, number, number, number],
        lineWidthUnits: "pixels",
        lineWidthMinPixels: 0.5,
        getLineWidth: style.width * ctx.scale,
        updateTriggers: { getLineWidth: ctx.scale },
        lineJointRounded: true,
        pickable: level !== "street",
      }),
    );
  }
  for (const level of LEVELS) {
    const collection = data[level];
    const style = STYLE[level];
    if (collection === undefined || ctx.zoom < style.minZoom) {
      continue;
    }
    layers.push(
      new TextLayer<Label>({
        id: `org-units-${level}-labels`,
        data: labelsOf(collection),
        getPosition: (d) => d.position,
        getText: (d) => (ctx.locale === "zh-CN" ? d.name_zh : d.name_en),
        getSize: style.size * ctx.scale,
        getColor: style.label as [number, number, number, number],
        fontFamily: MAP_FONT_FAMILY,
        fontWeight: level === "street" ? 700 : 500,
        characterSet: "auto",
        fontSettings: { sdf: true, fontSize: 64, buffer: 8 },
        outlineWidth: 6,
        outlineColor: LABEL_COLORS.halo,
        billboard: true,
        getTextAnchor: "middle",
        getAlignmentBaseline: "center",
        updateTriggers: { getText: ctx.locale, getSize: ctx.scale },
      }),
    );
  }
  return layers;
}

function tooltip(object: unknown, ctx: LayerContext): string | null {
  const feature = object as Partial<OrgUnitFeature>;
  const props = feature.properties;
  if (props === undefined) {
    return null;
  }
  return ctx.locale === "zh-CN" ? props.name_zh : props.name_en;
}

export const orgUnitsLayer: MapLayerModule<OrgUnitData> = {
  id: "org-units",
  title: tk("layer.orgUnits"),
  legend: [
    { label: tk("legend.street"), color: cssColor(BOUNDARY_COLORS.street), shape: "line" },
    { label: tk("legend.community"), color: cssColor(BOUNDARY_COLORS.community), shape: "line" },
    { label: tk("legend.grid"), color: cssColor(BOUNDARY_COLORS.grid), shape: "line" },
  ],
  defaultVisible: true,
  animated: false,
  build,
  tooltip,
};
