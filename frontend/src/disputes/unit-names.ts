/**
 * Names of org units by path, in the user's language, for a page whose answers name units by
 * path (a dispute's history, where it may be handed down, the centre above). Learnt from what
 * the page already holds: the user's own unit, the per-unit answers (summary, screenings: both
 * languages), an opened dispute's `units` (every unit it names, both languages, the centre
 * above included) and the listed disputes (`org_name`, `holder_name`: Chinese only); units of
 * the jurisdiction not yet known are fetched once per level through the dispute summary (the
 * same permission as the page). A unit above the jurisdiction no dispute has named yet is
 * named by its level ("上级街道").
 */

import { localName, t } from "../shared/i18n";
import type { DisputeLevel, OrgLevel, OrgUnitRef } from "../shared/types";
import { getSummary } from "./disputes-api";
import { LEVELS } from "./labels";

export interface UnitNames {
  /** The unit's name in the current language (see the module's note for units not known). */
  name(path: string): string;
  /** Learns names from an answer that gives both languages. */
  learn(units: readonly { org_path: string; name_zh: string; name_en: string }[]): void;
  /** Learns a Chinese name the server gave alone (a dispute's place or holder). */
  learnZh(path: string, name: string | null): void;
  /** Fetches the names of `paths` inside the jurisdiction not known yet; resolves when known (or failed). */
  ensure(paths: readonly (string | null)[]): Promise<void>;
}

const DEPTHS: readonly OrgLevel[] = ["district", "street", "community", "grid"];

/** A path's level by its depth (`440310` district, `440310.01` street, …). */
export function levelOfPath(path: string): OrgLevel {
  return DEPTHS[Math.min(path.split(".").length, DEPTHS.length) - 1] ?? "grid";
}

/** The names of units for a user of `unit`. */
export function createUnitNames(unit: OrgUnitRef): UnitNames {
  const both = new Map<string, { name_zh: string; name_en: string }>([[unit.path, unit]]);
  const zhOnly = new Map<string, string>();
  const asked = new Map<DisputeLevel, Promise<void>>();
  const inside = (path: string): boolean => path === unit.path || path.startsWith(`${unit.path}.`);

  const learn = (units: readonly { org_path: string; name_zh: string; name_en: string }[]): void => {
    for (const u of units) {
      both.set(u.org_path, { name_zh: u.name_zh, name_en: u.name_en });
    }
  };

  const fetchLevel = (level: DisputeLevel): Promise<void> => {
    let pending = asked.get(level);
    if (pending === undefined) {
      pending = getSummary(level).then(
        (page) => learn(page.units),
        (err: unknown) => {
          asked.delete(level); // asked again next time
          console.warn(`unit names of level ${level} unavailable`, err);
        },
      );
      asked.set(level, pending);
    }
    return pending;
  };

  return {
    name(path) {
      const known = both.get(path);
      if (known !== undefined) {
        return localName(known);
      }
      const zh = zhOnly.get(path);
      if (zh !== undefined) {
        return zh;
      }
      const level = t(LEVELS[levelOfPath(path)]);
      return unit.path.startsWith(`${path}.`) ? t("disputes.unit.above", { level }) : t("disputes.unit.unknown", { level, path });
    },
    learn,
    learnZh(path, name) {
      if (name !== null && name !== "") {
        zhOnly.set(path, name);
      }
    },
    async ensure(paths) {
      const levels = new Set<DisputeLevel>();
      for (const path of paths) {
        if (path !== null && !both.has(path) && inside(path)) {
          const level = levelOfPath(path);
          if (level !== "district") {
            levels.add(level);
          }
        }
      }
      await Promise.all([...levels].map(fetchLevel));
    },
  };
}
