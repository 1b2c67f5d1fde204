/**
 * What the signed-in user may do on the rental page, from the permissions the server lists in
 * `/api/me` and the level of their unit: rental:write (grid workers) inspects and reads the
 * inspection notes; rental:read alone (leaders) reads the houses, the rectifications and the
 * figures. The server checks every call again; this only keeps out of sight what would be refused.
 */

import { RENTAL_DEPARTMENTS } from "../shared/rental-terms";
import type { Me, OrgLevel, RentalDepartment, RentalSummaryLevel } from "../shared/types";

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
  /** rental:rectify — a department signs off the rectifications it verified on site (整改销号). */
  rectify: boolean;
  /** The departments whose rectifications the user follows: all, or a department officer's own. */
  departments: readonly RentalDepartment[];
}

// an account's department -> the checklist's department it acts for (backend/rentals/scope.py)
const ACTS_FOR: Readonly<Record<string, RentalDepartment>> = { fire: "fire", public_security: "police", housing: "housing" };

/** The server's rule: a department officer follows its own items; anyone else every department's. */
export function departmentsFollowed(me: Me): readonly RentalDepartment[] {
  const department = me.department ?? null;
  if (department === null || me.roles.some((r) => r !== "department_officer")) {
    return RENTAL_DEPARTMENTS;
  }
  const own = ACTS_FOR[department];
  return own === undefined ? [] : [own];
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
  const departments = departmentsFollowed(me);
  // a department's desk: its rectifications first, and no rule warnings (the server closes them)
  const narrowed = departments.length < RENTAL_DEPARTMENTS.length;
  return {
    write,
    readWarnings: (read && !narrowed) || has("patient:read"),
    takeWarnings: write && has("warning:handle"),
    level,
    summaryLevels: BELOW[level],
    tabs: !read ? [] : narrowed ? ["hazards", "houses", "summary"] : ["houses", "hazards", "summary"],
    rectify: has("rental:rectify"),
    departments,
  };
}
