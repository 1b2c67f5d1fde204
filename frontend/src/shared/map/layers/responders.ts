/**
 * Responders: one dot per responder, coloured by status; a position older than
 * `STALE_AFTER_S` (domain.ts) is drawn grey and faded, because it can no longer be trusted for dispatch.
 */

import type { LayersList } from "@deck.gl/core";
import { ScatterplotLayer } from "@deck.gl/layers";
import { isStale, RESPONDER_STATUS_LABELS } from "../../domain";
import { formatDuration, t, tk } from "../../i18n";
import type { ResponderPosition } from "../../types";
import type { LayerContext, MapLayerModule } from "../layer-module";
import { cssColor, RESPONDER_COLORS, STALE_COLOR, UNKNOWN_COLOR } from "../theme";


function colorOf(r: ResponderPosition): [number, number, number, number] {
  if (isStale(r)) {
    return [...STALE_COLOR, 150];
  }
  return [...(RESPONDER_COLORS[r.status] ?? UNKNOWN_COLOR), 255];
}

function build(data: readonly ResponderPosition[] | null, ctx: LayerContext): LayersList {
  if (data === null || data.length === 0) {
    return [];
  }
  return [
    new ScatterplotLayer<ResponderPosition>({
      id: "responders-dots",
      data: data as ResponderPosition[],
      getPosition: (d) => [d.lon, d.lat],
      getFillColor: colorOf,
      getLineColor: (d) => (isStale(d) ? [20, 28, 40, 200] : [6, 16, 34, 255]),
      getRadius: (d) => (isStale(d) ? 4 : 6),
      radiusUnits: "pixels",
      radiusScale: ctx.scale,
      stroked: true,
      lineWidthUnits: "pixels",
      getLineWidth: 1.5,
      pickable: true,
    }),
  ];
}

function tooltip(object: unknown): string | null {
  const r = object as ResponderPosition;
  const status = t(RESPONDER_STATUS_LABELS[r.status] ?? "responderStatus.unknown");
  const age = t("tooltip.age", { age: formatDuration(r.age_s) });
  return `${r.id} · ${status}${isStale(r) ? ` · ${t("responderStatus.stale")}` : ""}\n${r.capabilities.join(", ")}\n${age}`;
}

export const respondersLayer: MapLayerModule<readonly ResponderPosition[]> = {
  id: "responders",
  title: tk("layer.responders"),
  legend: [
    { label: tk("responderStatus.available"), color: cssColor(RESPONDER_COLORS.available), shape: "dot" },
    { label: tk("responderStatus.offered"), color: cssColor(RESPONDER_COLORS.offered), shape: "dot" },
    { label: tk("responderStatus.assigned"), color: cssColor(RESPONDER_COLORS.assigned), shape: "dot" },
    { label: tk("responderStatus.en_route"), color: cssColor(RESPONDER_COLORS.en_route), shape: "dot" },
    { label: tk("responderStatus.on_scene"), color: cssColor(RESPONDER_COLORS.on_scene), shape: "dot" },
    { label: tk("responderStatus.stale"), color: cssColor(STALE_COLOR), shape: "dot" },
  ],
  defaultVisible: true,
  animated: false,
  build,
  tooltip,
};
