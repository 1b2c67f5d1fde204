/** The drilled-down unit's outline, bright and thick, so the map says what the panels show. */

import type { LayersList } from "@deck.gl/core";
import { GeoJsonLayer } from "@deck.gl/layers";
import { tk } from "../../i18n";
import type { OrgUnitFeature } from "../../types";
import type { LayerContext, MapLayerModule } from "../layer-module";
import { cssColor } from "../theme";

const OUTLINE: [number, number, number, number] = [253, 224, 71, 255];

function build(data: OrgUnitFeature | null, ctx: LayerContext): LayersList {
  if (data === null) {
    return [];
  }
  return [
    new GeoJsonLayer({
      id: "focus-outline",
      data: { type: "FeatureCollection", features: [data] } as never,
      stroked: true,
      filled: true,
      getFillColor: [253, 224, 71, 18],
      getLineColor: OUTLINE,
      lineWidthUnits: "pixels",
      getLineWidth: 3.5 * ctx.scale,
      updateTriggers: { getLineWidth: ctx.scale },
    }),
  ];
}

export const focusLayer: MapLayerModule<OrgUnitFeature> = {
  id: "focus",
  title: tk("focus.hint"),
  legend: [{ label: tk("focus.hint"), color: cssColor(OUTLINE), shape: "line" }],
  inLegend: false,
  defaultVisible: true,
  animated: false,
  build,
};
