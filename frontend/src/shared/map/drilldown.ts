/**
 * Drilling the map down by clicking: the whole jurisdiction → the street clicked → the
 * community clicked inside it. Pure: the caller applies the answer (focus store, camera).
 */

import type { OrgFocus } from "../live";
import type { OrgUnitFeature } from "../types";
import { containsPoint } from "./geometry";
import type { OrgUnitData } from "./layers/org-units";

function focusOf(feature: OrgUnitFeature, level: OrgFocus["level"]): OrgFocus {
  const p = feature.properties;
  return { path: p.path, level, name_zh: p.name_zh, name_en: p.name_en, contains: (lon, lat) => containsPoint(feature, lon, lat) };
}

/**
 * Where a click at `[lon, lat]` drills to from `focus`: the street under it (from the whole
 * jurisdiction), the community under it inside the focused street, or null when there is
 * nothing deeper there (a click outside the focused unit, or inside a focused community).
 */
export function drillTarget(units: OrgUnitData, focus: OrgFocus | null, lon: number, lat: number): OrgFocus | null {
  if (focus?.level === "community") {
    return null;
  }
  const level = focus === null ? "street" : "community";
  const candidates = units[level]?.features ?? [];
  const hit = candidates.find(
    (f) =>
      (focus === null || f.properties.path.startsWith(`${focus.path}.`)) && containsPoint(f, lon, lat),
  );
  return hit === undefined ? null : focusOf(hit, level);
}

/** The focus one level up: the street of a focused community, or null (everything). */
export function parentFocus(units: OrgUnitData, focus: OrgFocus | null): OrgFocus | null {
  if (focus?.level !== "community") {
    return null;
  }
  const street = units.street?.features.find((f) => focus.path.startsWith(`${f.properties.path}.`));
  return street === undefined ? null : focusOf(street, "street");
}

/** The boundary feature of a focus, if loaded. */
export function featureOf(units: OrgUnitData, focus: OrgFocus): OrgUnitFeature | undefined {
  return units[focus.level]?.features.find((f) => f.properties.path === focus.path);
}
