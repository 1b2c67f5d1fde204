/**
 * What the signed-in user may do on the dispute page, from the permissions the server lists in
 * `/api/me` and the level of their unit: dispute:write (case workers, grid workers, the leaders
 * who head their level's centre) registers disputes, acts on those its jurisdiction holds,
 * reports the unit's weekly screening and reads details and notes; dispute:read alone reads.
 * The server checks every call again; this only keeps out of sight what would be refused.
 */

import type { DisputeLevel, Me, OrgLevel } from "../shared/types";

export type DisputeTab = "list" | "screening" | "summary";

export interface Access {
  /** dispute:write — register, the steps on disputes held here, the screening report, details and notes. */
  write: boolean;
  /** dispute:write and person:lookup — link parties found by the ID number or phone in hand (a grid worker may look up, not browse). */
  linkParties: boolean;
  /** May read the dispute rules' warnings (dispute:read opens them, as does patient:read); a 403 hides the panels. */
  readWarnings: boolean;
  /** dispute:write and warning:handle — a warning may be taken in hand here. */
  takeWarnings: boolean;
  level: OrgLevel;
  /** The user's unit: what "held here", "your unit's report" and the place left empty mean. */
  unitPath: string;
  /** The levels the summary and the screenings list, the first shown first: those below the user's unit (a grid lists itself). */
  levels: DisputeLevel[];
  /** The user's own level when the screenings can list the unit itself (the district cannot be listed). */
  ownLevel: DisputeLevel | null;
  /** In display order; the first is where the page opens. */
  tabs: DisputeTab[];
}

const BELOW: Readonly<Record<OrgLevel, DisputeLevel[]>> = {
  district: ["street", "community", "grid"],
  street: ["community", "grid"],
  community: ["grid"],
  grid: ["grid"],
};

/** The user's access, from `me`. */
export function accessOf(me: Me): Access {
  const has = (p: string): boolean => me.permissions.includes(p);
  const write = has("dispute:write");
  const read = has("dispute:read") || write;
  const level = me.org_unit.level;
  return {
    write,
    linkParties: write && has("person:lookup"),
    readWarnings: read || has("patient:read"),
    takeWarnings: write && has("warning:handle"),
    level,
    unitPath: me.org_unit.path,
    levels: BELOW[level],
    ownLevel: level === "district" ? null : level,
    tabs: read ? ["list", "screening", "summary"] : [],
  };
}
