/**
 * H3 hexagon aggregate: one hexagon per cell, coloured by its count on a log ramp relative to
 * the busiest cell. It shows where people or events concentrate without exposing any person.
 */

import type { LayersList } from "@deck.gl/core";
import { H3HexagonLayer } from "@deck.gl/geo-layers";
import { t, tk } from "../../i18n";
import type { HexCount } from "../../types";
import type { LayerContext, MapLayerModule } from "../layer-module";
import { cssColor, HEX_RAMP } from "../theme";

/**
 * Colour for `count` where the busiest cell has `max`: log scale (one hotspot does not wash out
 * the rest), and quiet cells more transparent so boundaries and dots stay readable above them.
 */
export function hexColor(count: number, max: number): [number, number, number, number] {
  const top = HEX_RAMP.length - 1;
  const x = max <= 1 ? 1 : Math.log1p(Math.max(0, count)) / Math.log1p(max);
  const pos = Math.min(top, Math.max(0, x * top));
  const i = Math.min(top - 1, Math.floor(pos));
  const f = pos - i;
  const a = HEX_RAMP[i] ?? [0, 0, 0];
  const b = HEX_RAMP[i + 1] ?? a;
  return [
    Math.round(a[0] + (b[0] - a[0]) * f),
    Math.round(a[1] + (b[1] - a[1]) * f),
    Math.round(a[2] + (b[2] - a[2]) * f),
    Math.round(45 + 105 * x),
  ];
}

const maxCache = new WeakMap<readonly HexCount[], number>();

function maxCount(data: readonly HexCount[]): number {
  let max = maxCache.get(data);
  if (max === undefined) {
    max = data.reduce((m, d) => Math.max(m, d.count), 0);
    maxCache.set(data, max);
  }
  return max;
}

function build(data: readonly HexCount[] | null, ctx: LayerContext): LayersList {
  if (data === null || data.length === 0) {
    return [];
  }
  const max = maxCount(data);
  return [
    new H3HexagonLayer<HexCount>({
      id: "h3-aggregate-cells",
      data: data as HexCount[],
      getHexagon: (d) => d.cell,
      getFillColor: (d) => hexColor(d.count, max),
      getLineColor: [125, 211, 252, 40],
      lineWidthUnits: "pixels",
      getLineWidth: 0.6 * ctx.scale,
      extruded: false,
      stroked: true,
      filled: true,
      highPrecision: "auto",
      coverage: 0.92,
      pickable: true,
      updateTriggers: { getFillColor: max, getLineWidth: ctx.scale },
    }),
  ];
}

export const h3AggregateLayer: MapLayerModule<readonly HexCount[]> = {
  id: "h3-aggregate",
  title: tk("layer.h3"),
  legend: [
    { label: tk("legend.hexLow"), color: cssColor(HEX_RAMP[0] ?? [0, 0, 0]), shape: "hex" },
    { label: tk("legend.hexHigh"), color: cssColor(HEX_RAMP[HEX_RAMP.length - 1] ?? [0, 0, 0]), shape: "hex" },
  ],
  defaultVisible: true,
  animated: false,
  build,
  tooltip: (object) => t("tooltip.hex", { count: (object as HexCount).count }),
};
