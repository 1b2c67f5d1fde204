/**
 * Incidents: a solid core per incident and a ring that pulses outwards, faster for higher
 * priority (P1 about once a second, P4 and P5 not at all). Escalated incidents get a white core edge.
 */

import type { LayersList } from "@deck.gl/core";
import { ScatterplotLayer } from "@deck.gl/layers";
import { incidentTitle, PRIORITY_LABELS } from "../../domain";
import { t, tk } from "../../i18n";
import type { IncidentPriority, LiveIncident } from "../../types";
import type { LayerContext, MapLayerModule } from "../layer-module";
import { cssColor, PRIORITY_COLORS } from "../theme";

/** Pulse period in ms per priority; null = no pulse. */
const PULSE_MS: Record<IncidentPriority, number | null> = { 1: 1000, 2: 1600, 3: 2600, 4: null, 5: null };
const CORE_RADIUS: Record<IncidentPriority, number> = { 1: 10, 2: 9, 3: 8, 4: 7, 5: 6 };
const PULSE_SPREAD = 22;

/** 0→1 position in the pulse cycle; a per-incident offset keeps neighbours out of step. */
export function pulsePhase(incident: LiveIncident, timeMs: number): number {
  const period = PULSE_MS[incident.priority];
  if (period === null) {
    return 0;
  }
  let offset = 0;
  for (let i = 0; i < incident.id.length; i += 1) {
    offset = (offset * 31 + incident.id.charCodeAt(i)) % period;
  }
  return ((timeMs + offset) % period) / period;
}

function build(data: readonly LiveIncident[] | null, ctx: LayerContext): LayersList {
  if (data === null || data.length === 0) {
    return [];
  }
  const list = data as LiveIncident[];
  const pulsing = list.filter((d) => PULSE_MS[d.priority] !== null);
  return [
    new ScatterplotLayer<LiveIncident>({
      id: "incidents-halo",
      data: list,
      getPosition: (d) => [d.lon, d.lat],
      getRadius: (d) => CORE_RADIUS[d.priority] * 2.2,
      getFillColor: (d) => [...PRIORITY_COLORS[d.priority], 70],
      radiusUnits: "pixels",
      radiusScale: ctx.scale,
    }),
    new ScatterplotLayer<LiveIncident>({
      id: "incidents-pulse",
      data: pulsing,
      getPosition: (d) => [d.lon, d.lat],
      getRadius: (d) => CORE_RADIUS[d.priority] + pulsePhase(d, ctx.timeMs) * PULSE_SPREAD,
      getLineColor: (d) => [...PRIORITY_COLORS[d.priority], Math.round(230 * (1 - pulsePhase(d, ctx.timeMs)))],
      radiusUnits: "pixels",
      radiusScale: ctx.scale,
      filled: false,
      stroked: true,
      lineWidthUnits: "pixels",
      getLineWidth: 2.5 * ctx.scale,
      updateTriggers: { getRadius: ctx.timeMs, getLineColor: ctx.timeMs, getLineWidth: ctx.scale },
    }),
    new ScatterplotLayer<LiveIncident>({
      id: "incidents-core",
      data: list,
      getPosition: (d) => [d.lon, d.lat],
      getRadius: (d) => CORE_RADIUS[d.priority],
      getFillColor: (d) => [...PRIORITY_COLORS[d.priority], 255],
      getLineColor: (d) => (d.escalated ? [255, 255, 255, 255] : [10, 16, 32, 255]),
      getLineWidth: (d) => (d.escalated ? 3 : 1.5),
      radiusUnits: "pixels",
      radiusScale: ctx.scale,
      stroked: true,
      lineWidthUnits: "pixels",
      lineWidthScale: ctx.scale,
      pickable: true,
    }),
  ];
}

function tooltip(object: unknown): string | null {
  const d = object as LiveIncident;
  const escalated = d.escalated ? ` · ${t("incidentRow.escalated")}` : "";
  return `${t(PRIORITY_LABELS[d.priority])} · ${incidentTitle(d)}${escalated}\n${d.address}`;
}

export const incidentsLayer: MapLayerModule<readonly LiveIncident[]> = {
  id: "incidents",
  title: tk("layer.incidents"),
  legend: [
    { label: tk("priority.1"), color: cssColor(PRIORITY_COLORS[1]), shape: "ring" },
    { label: tk("priority.2"), color: cssColor(PRIORITY_COLORS[2]), shape: "ring" },
    { label: tk("priority.3"), color: cssColor(PRIORITY_COLORS[3]), shape: "ring" },
    { label: tk("priority.4"), color: cssColor(PRIORITY_COLORS[4]), shape: "dot" },
    { label: tk("priority.5"), color: cssColor(PRIORITY_COLORS[5]), shape: "dot" },
  ],
  defaultVisible: true,
  animated: true,
  build,
  tooltip,
};
