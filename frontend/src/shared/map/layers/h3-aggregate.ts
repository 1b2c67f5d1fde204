/**
 * H3 hexagon aggregate: one hexagon per cell, coloured by its count on a log ramp relative to
 * the busiest cell. It shows where people or events concentrate without exposing any person.
 */

import type { LayersList } from "@deck.gl/core";
import { H3HexagonLayer } from "@deck.gl/geo-layers";
import { t, tk, type MessageKey } from "../../i18n";
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

/** One cell of a counted layer; `count` null = withheld by the server (1–4 on sensitive layers). */
export interface CellCount {
  cell: string;
  count: number | null;
}

const maxCache = new WeakMap<readonly CellCount[], number>();

function maxCount(data: readonly CellCount[]): number {
  let max = maxCache.get(data);
  if (max === undefined) {
    max = data.reduce((m, d) => Math.max(m, d.count ?? 0), 0);
    maxCache.set(data, max);
  }
  return max;
}

/** Withheld cells: the quietest colour, fainter, so they read as "a few" without a number. */
const SUPPRESSED_COLOR: [number, number, number, number] = [...(HEX_RAMP[0] ?? [0, 0, 0]), 70] as [number, number, number, number];

export interface HexLayerOptions {
  id: string;
  title: MessageKey;
  defaultVisible: boolean;
  /** Tooltip with `{count}`. */
  tooltip: MessageKey;
  /** Whether the layer may hold withheld (null) counts, for the legend. */
  suppresses?: boolean;
}

/** A hexagon layer module over `CellCount`s (key-person density, events heat, responders …). */
export function hexCountLayer(options: HexLayerOptions): MapLayerModule<readonly CellCount[]> {
  const build = (data: readonly CellCount[] | null, ctx: LayerContext): LayersList => {
    if (data === null || data.length === 0) {
      return [];
    }
    const max = maxCount(data);
    return [
      new H3HexagonLayer<CellCount>({
        id: `${options.id}-cells`,
        data: data as CellCount[],
        getHexagon: (d) => d.cell,
        getFillColor: (d) => (d.count === null ? SUPPRESSED_COLOR : hexColor(d.count, max)),
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
  };
  return {
    id: options.id,
    title: options.title,
    legend: [
      { label: tk("legend.hexLow"), color: cssColor(HEX_RAMP[0] ?? [0, 0, 0]), shape: "hex" },
      { label: tk("legend.hexHigh"), color: cssColor(HEX_RAMP[HEX_RAMP.length - 1] ?? [0, 0, 0]), shape: "hex" },
      ...(options.suppresses === true ? [{ label: tk("legend.suppressed"), color: "rgb(23 63 130 / 0.4)", shape: "hex" as const }] : []),
    ],
    defaultVisible: options.defaultVisible,
    animated: false,
    build,
    tooltip: (object) => {
      const count = (object as CellCount).count;
      return t(options.tooltip, { count: count === null ? t("tooltip.suppressed") : count });
    },
  };
}

export const h3AggregateLayer: MapLayerModule<readonly HexCount[]> = hexCountLayer({
  id: "h3-aggregate",
  title: tk("layer.h3"),
  defaultVisible: true,
  tooltip: tk("tooltip.hex"),
});

/** Key persons (patients under management) per cell: counts only, at a coarse resolution. */
export const keyPersonsLayer = hexCountLayer({
  id: "key-persons",
  title: tk("layer.keyPersons"),
  defaultVisible: false,
  tooltip: tk("tooltip.keyPersons"),
  suppresses: true,
});

/** Governance events per cell within the chosen time window. */
export const eventsHeatLayer = hexCountLayer({
  id: "events-heat",
  title: tk("layer.eventsHeat"),
  defaultVisible: false,
  tooltip: tk("tooltip.events"),
});
