/**
 * Coverage gaps: grids holding high-risk patients that no available qualified responder (police,
 * by default) reaches within the travel time, drawn as red, diagonally hatched polygons with the
 * number of high-risk patients ("<5" when the server withholds 1–4) and the best ETA. The
 * server computes the gaps (GET /api/coverage/gaps); this module only draws them on the grid
 * boundaries the map already loaded.
 */

import type { LayersList } from "@deck.gl/core";
import { GeoJsonLayer, TextLayer } from "@deck.gl/layers";
import { formatEta, localName, t, tk } from "../../i18n";
import type { CoverageGap, OrgUnitCollection, OrgUnitFeature } from "../../types";
import { labelPoint } from "../geometry";
import type { LayerContext, MapLayerModule } from "../layer-module";
import { cssColor, GAP_COLOR, LABEL_COLORS, MAP_FONT_FAMILY } from "../theme";

export interface CoverageGapData {
  gaps: readonly CoverageGap[];
  /** The grid boundaries (from the map's geography); null until loaded. */
  grids: OrgUnitCollection | null;
}

interface GapShape {
  gap: CoverageGap;
  feature: OrgUnitFeature;
  /** Hatch lines across the polygon's bounding box, clipped by eye (drawn under the outline). */
  label: [number, number];
}

const shapeCache = new WeakMap<CoverageGapData, GapShape[]>();

/** Each gap with its grid's polygon (gaps whose grid has no boundary are drawn as a label only). */
export function gapShapes(data: CoverageGapData): GapShape[] {
  let shapes = shapeCache.get(data);
  if (shapes === undefined) {
    const byPath = new Map((data.grids?.features ?? []).map((f) => [f.properties.path, f]));
    shapes = data.gaps.flatMap((gap) => {
      const feature = byPath.get(gap.path);
      if (feature === undefined || feature.geometry === null) {
        return [];
      }
      return [{ gap, feature, label: labelPoint(feature) ?? [gap.lon, gap.lat] }];
    });
    shapeCache.set(data, shapes);
  }
  return shapes;
}

/** "6" or "<5": the high-risk count as published. */
export function gapCount(gap: CoverageGap): string {
  return gap.high_risk === null ? t("tooltip.suppressed") : String(gap.high_risk);
}

export function gapTooltip(gap: CoverageGap): string {
  const eta = gap.best_eta_s === null ? t("tooltip.gapNobody") : t("tooltip.gapEta", { eta: formatEta(gap.best_eta_s) });
  return `${localName(gap)}\n${t("tooltip.gapPatients", { count: gapCount(gap) })}\n${eta}`;
}

/** Diagonal hatch lines inside a polygon's bounding box (a light pattern for software GL). */
function hatchOf(feature: OrgUnitFeature, step: number): [number, number][][] {
  const geometry = feature.geometry;
  if (geometry === null) {
    return [];
  }
  const rings = geometry.type === "Polygon" ? [geometry.coordinates[0] ?? []] : geometry.coordinates.map((p) => p[0] ?? []);
  const lines: [number, number][][] = [];
  for (const ring of rings) {
    if (ring.length < 3) {
      continue;
    }
    // Intersect each line x - y = c with the ring's edges; pairs of crossings are inside.
    const diffs = ring.map(([x, y]) => x - y);
    const lo = Math.min(...diffs);
    const hi = Math.max(...diffs);
    for (let c = lo + step / 2; c < hi; c += step) {
      const xs: number[] = [];
      for (let i = 0; i < ring.length - 1; i += 1) {
        const a = ring[i];
        const b = ring[i + 1];
        if (a === undefined || b === undefined) {
          continue;
        }
        const da = a[0] - a[1] - c;
        const db = b[0] - b[1] - c;
        if (da < 0 !== db < 0) {
          const f = da / (da - db);
          xs.push(a[0] + (b[0] - a[0]) * f);
        }
      }
      xs.sort((p, q) => p - q);
      for (let k = 0; k + 1 < xs.length; k += 2) {
        const x1 = xs[k] ?? 0;
        const x2 = xs[k + 1] ?? 0;
        lines.push([
          [x1, x1 - c],
          [x2, x2 - c],
        ]);
      }
    }
  }
  return lines;
}

const hatchCache = new WeakMap<CoverageGapData, { path: [number, number][] }[]>();

function hatches(data: CoverageGapData): { path: [number, number][] }[] {
  let lines = hatchCache.get(data);
  if (lines === undefined) {
    lines = gapShapes(data).flatMap((s) => hatchOf(s.feature, 0.0012).map((path) => ({ path })));
    hatchCache.set(data, lines);
  }
  return lines;
}

function build(data: CoverageGapData | null, ctx: LayerContext): LayersList {
  if (data === null || data.gaps.length === 0) {
    return [];
  }
  const shapes = gapShapes(data);
  return [
    new GeoJsonLayer({
      id: "coverage-gaps-fill",
      data: shapes.map((s) => ({ ...s.feature, properties: { ...s.feature.properties, gap: s.gap } })) as never,
      filled: true,
      stroked: true,
      getFillColor: [...GAP_COLOR, 60],
      getLineColor: [...GAP_COLOR, 245],
      lineWidthUnits: "pixels",
      getLineWidth: 2.5 * ctx.scale,
      updateTriggers: { getLineWidth: ctx.scale },
      pickable: true,
    }),
    new GeoJsonLayer({
      id: "coverage-gaps-hatch",
      data: { type: "FeatureCollection", features: hatches(data).map((h) => ({ type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: h.path } })) } as never,
      stroked: true,
      filled: false,
      getLineColor: [...GAP_COLOR, 150],
      lineWidthUnits: "pixels",
      getLineWidth: 1.2 * ctx.scale,
      updateTriggers: { getLineWidth: ctx.scale },
    }),
    new TextLayer<GapShape>({
      id: "coverage-gaps-labels",
      data: shapes,
      getPosition: (d) => d.label,
      getText: (d) => t("label.gap", { count: gapCount(d.gap) }),
      getSize: 13 * ctx.scale,
      getColor: [255, 235, 238, 255],
      fontFamily: MAP_FONT_FAMILY,
      fontWeight: 700,
      characterSet: "auto",
      fontSettings: { sdf: true, fontSize: 64, buffer: 8 },
      outlineWidth: 6,
      outlineColor: LABEL_COLORS.halo,
      getTextAnchor: "middle",
      getAlignmentBaseline: "center",
      updateTriggers: { getText: ctx.locale, getSize: ctx.scale },
    }),
  ];
}

export const coverageGapsLayer: MapLayerModule<CoverageGapData> = {
  id: "coverage-gaps",
  title: tk("layer.coverageGaps"),
  legend: [{ label: tk("legend.coverageGap"), color: cssColor(GAP_COLOR), shape: "hex" }],
  defaultVisible: false,
  animated: false,
  build,
  tooltip: (object) => {
    const gap = (object as { properties?: { gap?: CoverageGap } }).properties?.gap;
    return gap === undefined ? null : gapTooltip(gap);
  },
};
