/**
 * What one map layer module provides. Each module (`layers/*.ts`) turns its data plus the view
 * context into deck.gl layers with a pure `build`; `LayerStack` owns visibility, data and redraw.
 */

import type { LayersList } from "@deck.gl/core";
import type { Locale, MessageKey } from "../i18n";

export interface LayerContext {
  /** Current map zoom (labels appear and disappear with it). */
  zoom: number;
  /** Animation clock in ms; frozen when the user prefers reduced motion. */
  timeMs: number;
  locale: Locale;
  /** CSS scale of the page (1 at 16 px root font); pixel sizes are multiplied by it. */
  scale: number;
}

export interface LegendEntry {
  label: MessageKey;
  /** CSS colour of the swatch. */
  color: string;
  /** How the swatch is drawn. */
  shape: "dot" | "line" | "hex" | "ring";
}

export interface MapLayerModule<D> {
  /** Unique id; deck.gl layer ids are prefixed with it. */
  id: string;
  title: MessageKey;
  legend: readonly LegendEntry[];
  defaultVisible: boolean;
  /** True when `build` depends on `ctx.timeMs` (the stack then animates while it has data). */
  animated: boolean;
  /** The deck.gl layers for `data` (null = not loaded yet: draw nothing). Must be pure. */
  build(data: D | null, ctx: LayerContext): LayersList;
  /** False for helper layers the legend does not list (they cannot be switched off). */
  inLegend?: boolean;
  /** A one-line tooltip for a picked object, or null for none. */
  tooltip?(object: unknown, ctx: LayerContext): string | null;
}
