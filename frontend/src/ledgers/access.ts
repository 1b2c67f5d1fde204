/**
 * What the signed-in user may do on the ledger page, from the permissions the server lists in
 * `/api/me` and the level of their unit: ledger:write (case workers, department officers)
 * registers, checks, closes and sees 待建档; ledger:read alone (leaders) reads the lists masked
 * and the figures; a department officer keeps its department's groups alone. The server
 * checks every call again; this only keeps out of sight what would be refused.
 */

import { GROUP_POLICIES, LEDGER_GROUPS } from "../shared/ledger-terms";
import type { LedgerGroup, LedgerSummaryLevel, Me, OrgLevel } from "../shared/types";

export type LedgerTab = "entries" | "pending" | "summary";

export interface Access {
  /** ledger:write — register, check, close, read the notes, list the people to register. */
  write: boolean;
  /** patient:read — the early warnings may be read (the server's rule for every rule's warnings). */
  readWarnings: boolean;
  /** ledger:write and warning:handle — an overdue warning may be taken in hand here. */
  takeWarnings: boolean;
  level: OrgLevel;
  /** The level the summary lists: the one below the user's unit (a grid lists itself). */
  summaryLevel: LedgerSummaryLevel;
  /** In display order; the first is where the page opens. */
  tabs: LedgerTab[];
  /** The groups whose ledgers the user keeps: every group, or a department officer's department's. */
  groups: readonly LedgerGroup[];
}

/**
 * The server's rule (`backend/ledgers/scope.py`): a department officer keeps its department's
 * groups alone; anyone else who reads ledgers keeps every group.
 */
export function groupsKept(me: Me): readonly LedgerGroup[] {
  const department = me.department ?? null;
  if (department === null || me.roles.some((r) => r !== "department_officer")) {
    return LEDGER_GROUPS;
  }
  return LEDGER_GROUPS.filter((g) => GROUP_POLICIES[g].department === department);
}

const BELOW: Readonly<Record<OrgLevel, LedgerSummaryLevel>> = { district: "street", street: "community", community: "grid", grid: "grid" };

/** The user's access, from `me`. */
export function accessOf(me: Me): Access {
  const has = (p: string): boolean => me.permissions.includes(p);
  const write = has("ledger:write");
  const read = has("ledger:read") || write;
  const tabs: LedgerTab[] = [];
  if (read) {
    tabs.push("entries");
  }
  if (write) {
    tabs.push("pending");
  }
  if (read) {
    tabs.push("summary");
  }
  const level = me.org_unit.level;
  return { write, readWarnings: has("patient:read"), takeWarnings: write && has("warning:handle"), level, summaryLevel: BELOW[level], tabs, groups: groupsKept(me) };
}
