/**
 * SLA heat: one hexagon per H3 cell, coloured by the p90 time to accept or to arrive of the
 * incidents opened there (green within the target, amber up to twice it, red beyond).
 */

import type { LayersList } from "@deck.gl/core";
import { H3HexagonLayer } from "@deck.gl/geo-layers";
import { formatDuration, t, tk } from "../shared/i18n";
import type { LayerContext, MapLayerModule } from "../shared/map/layer-module";
import { cssColor } from "../shared/map/theme";
import type { SlaCell } from "./leader-api";

export type SlaMetric = "accept" | "arrive";

export interface SlaData {
  cells: readonly SlaCell[];
  metric: SlaMetric;
}

/** Targets for the p90 (seconds): beyond them a cell turns amber, beyond twice red. */
export const SLA_TARGET_S: Record<SlaMetric, number> = { accept: 180, arrive: 1200 };

const GOOD: [number, number, number] = [46, 229, 157];
const WARN: [number, number, number] = [250, 204, 21];
const BAD: [number, number, number] = [239, 68, 68];

function mix(a: readonly number[], b: readonly number[], f: number): [number, number, number] {
  return [0, 1, 2].map((i) => Math.round((a[i] ?? 0) + ((b[i] ?? 0) - (a[i] ?? 0)) * f)) as [number, number, number];
}

/** The colour of a p90 against its target (null: no sample, drawn faint grey). */
export function slaColor(p90: number | null, target: number): [number, number, number, number] {
  if (p90 === null) {
    return [120, 130, 150, 60];
  }
  const ratio = p90 / target;
  const rgb = ratio <= 1 ? mix(GOOD, WARN, Math.max(0, ratio - 0.5) * 2) : mix(WARN, BAD, Math.min(1, ratio - 1));
  return [...rgb, 170];
}

function pick(cell: SlaCell, metric: SlaMetric): number | null {
  return (metric === "accept" ? cell.to_accept : cell.to_arrive).p90_s;
}

function build(data: SlaData | null, ctx: LayerContext): LayersList {
  if (data === null || data.cells.length === 0) {
    return [];
  }
  const target = SLA_TARGET_S[data.metric];
  return [
    new H3HexagonLayer<SlaCell>({
      id: "sla-heat-cells",
      data: data.cells as SlaCell[],
      getHexagon: (d) => d.cell,
      getFillColor: (d) => slaColor(pick(d, data.metric), target),
      getLineColor: [255, 255, 255, 50],
      lineWidthUnits: "pixels",
      getLineWidth: 0.8 * ctx.scale,
      stroked: true,
      filled: true,
      coverage: 0.94,
      pickable: true,
      updateTriggers: { getFillColor: [data.metric, target], getLineWidth: ctx.scale },
    }),
  ];
}

export const slaHeatLayer: MapLayerModule<SlaData> = {
  id: "sla-heat",
  title: tk("leader.sla.layer"),
  legend: [
    { label: tk("leader.sla.good"), color: cssColor(GOOD), shape: "hex" },
    { label: tk("leader.sla.warn"), color: cssColor(WARN), shape: "hex" },
    { label: tk("leader.sla.bad"), color: cssColor(BAD), shape: "hex" },
  ],
  defaultVisible: true,
  animated: false,
  build,
  tooltip: (object) => {
    const c = object as SlaCell;
    return t("leader.sla.tooltip", {
      n: c.incidents,
      accept: formatDuration(c.to_accept.p90_s),
      arrive: formatDuration(c.to_arrive.p90_s),
    });
  },
};
