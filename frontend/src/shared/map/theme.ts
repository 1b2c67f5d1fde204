/** Colours and sizes shared by the map layers; kept in one place so the legend matches. */

import type { Color } from "@deck.gl/core";
import type { IncidentPriority, ResponderStatus } from "../types";

export const MAP_BACKGROUND = "#07142b";

/** CJK-capable system fonts, for deck.gl text (there is no glyph server offline). */
export const MAP_FONT_FAMILY =
  '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Noto Sans", sans-serif';

export const BOUNDARY_COLORS = {
  street: [94, 234, 255, 230],
  community: [56, 189, 248, 150],
  grid: [96, 165, 250, 80],
  streetFill: [34, 211, 238, 14],
} satisfies Record<string, Color>;

export const LABEL_COLORS = {
  street: [224, 250, 255, 255],
  community: [165, 216, 255, 230],
  grid: [148, 178, 220, 200],
  halo: [4, 12, 28, 235],
} satisfies Record<string, Color>;

export const PRIORITY_COLORS: Record<IncidentPriority, [number, number, number]> = {
  1: [255, 59, 92],
  2: [255, 138, 61],
  3: [255, 210, 63],
  4: [76, 201, 240],
  5: [140, 155, 255],
};

export const RESPONDER_COLORS: Record<ResponderStatus, [number, number, number]> = {
  available: [46, 229, 157],
  offered: [255, 193, 7],
  assigned: [250, 204, 21],
  en_route: [56, 189, 248],
  on_scene: [167, 139, 250],
  busy: [251, 146, 60],
  off_duty: [100, 116, 139],
};

/** Key places by kind; hospitals turn red when no bed is free, psychiatric ones get a violet ring. */
export const PLACE_COLORS = {
  key_area: [244, 114, 182],
  key_facility: [251, 191, 36],
  safety_post: [129, 140, 248],
  hospital: [241, 245, 249],
  hospitalFull: [239, 68, 68],
  hospitalCross: [220, 38, 38],
  psychiatric: [192, 132, 252],
} satisfies Record<string, [number, number, number]>;

/** Coverage gaps: an alarm red that reads as "nobody can get there in time". */
export const GAP_COLOR: [number, number, number] = [255, 45, 85];

export const STALE_COLOR: [number, number, number] = [90, 100, 117];
export const UNKNOWN_COLOR: [number, number, number] = [200, 200, 200];

/** Low → high ramp for H3 aggregates (deep blue, cyan, amber, red). */
export const HEX_RAMP: readonly [number, number, number][] = [
  [23, 63, 130],
  [14, 165, 233],
  [45, 212, 191],
  [250, 204, 21],
  [249, 115, 22],
  [239, 68, 68],
];

/** CSS `rgb()` for legend swatches. */
export function cssColor(color: readonly number[]): string {
  return `rgb(${color[0] ?? 0} ${color[1] ?? 0} ${color[2] ?? 0})`;
}
