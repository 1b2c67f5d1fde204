/**
 * What the signed-in user may do on the psych page, from the permissions the server lists in
 * `/api/me` and the level of their unit: which tabs show, whether they record (counsellors),
 * issue instructions to the units below (street and district centres and leaders), or only read.
 * The server checks every call again; this only keeps out of sight what would be refused.
 */

import type { Me, OrgLevel, PsychUnitLevel } from "../shared/types";

export type PsychTab = "attention" | "activities" | "instructions" | "reports" | "figures";

export interface Access {
  /** psych:record — assessments, sessions, activities, feedback, reports up. */
  record: boolean;
  /** psych:stats — unit figures, instructions and reports of the jurisdiction. */
  stats: boolean;
  level: OrgLevel;
  /** The level of the unit's direct sub-units; null for a community (it has none). */
  subLevel: PsychUnitLevel | null;
  /** The level the figures table lists: the one below, or the unit itself for a community. */
  figuresLevel: PsychUnitLevel;
  /** psych:direct and sub-units to direct. */
  canIssue: boolean;
  /** In display order; the first is where the page opens. */
  tabs: PsychTab[];
}

const BELOW: Readonly<Partial<Record<OrgLevel, PsychUnitLevel>>> = { district: "street", street: "community" };

/** The user's access, from `me`. */
export function accessOf(me: Me): Access {
  const has = (p: string): boolean => me.permissions.includes(p);
  const record = has("psych:record");
  const stats = has("psych:stats");
  const level = me.org_unit.level;
  const subLevel = BELOW[level] ?? null;
  const tabs: PsychTab[] = [];
  if (record) {
    tabs.push("attention", "activities");
  }
  if (stats) {
    tabs.push("instructions", "reports", "figures");
  }
  return { record, stats, level, subLevel, figuresLevel: subLevel ?? "community", canIssue: has("psych:direct") && subLevel !== null, tabs };
}
