/**
 * What the signed-in user may do on the rental page, from the permissions the server lists in
 * `/api/me` and the level of their unit: rental:write (grid workers) inspects and reads the
 * inspection notes; rental:read alone (leaders) reads the houses, the rectifications and the
 * figures. The server checks every call again; this only keeps out of sight what would be refused.
 */

import type { Me, OrgLevel, RentalSummaryLevel } from "../shared/types";

export type RentalTab = "houses" | "hazards" | "summary";

export interface Access {
  /** rental:write — the inspection form, and the inspection notes. */
  write: boolean;
  /**
   * May read the rental rules' warnings: rental:read opens them (the server's rule,
   * `backend/early_warning/visibility.py`, as does patient:read); a refusal (403) hides the panels.
   */
  readWarnings: boolean;
  /** rental:write and warning:handle — an overdue warning may be taken in hand here. */
  takeWarnings: boolean;
  level: OrgLevel;
  /** The levels the summary offers, the first shown first: those below the user's unit (a grid lists itself). */
  summaryLevels: RentalSummaryLevel[];
  /** In display order; the first is where the page opens. */
  tabs: RentalTab[];
}

const BELOW: Readonly<Record<OrgLevel, RentalSummaryLevel[]>> = {
  district: ["street", "community", "grid"],
  street: ["community", "grid"],
  community: ["grid"],
  grid: ["grid"],
};

/** The user's access, from `me`. */
export function accessOf(me: Me): Access {
  const has = (p: string): boolean => me.permissions.includes(p);
  const write = has("rental:write");
  const read = has("rental:read") || write;
  const level = me.org_unit.level;
  return {
    write,
    readWarnings: read || has("patient:read"),
    takeWarnings: write && has("warning:handle"),
    level,
    summaryLevels: BELOW[level],
    tabs: read ? ["houses", "hazards", "summary"] : [],
  };
}
