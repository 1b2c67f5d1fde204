/**
 * The groups the ledgers keep (特殊人群困难群体), the department that keeps each and how often
 * each is checked: a mirror of `backend/ledgers/groups.py` (no route lists them), shared by the
 * ledger page and the early-warning cards that name the group of an overdue check on every page
 * (literal keys, so i18n:check sees them; texts in `i18n/ledgers.*.json`).
 */

import { tk, type MessageKey } from "./i18n";
import type { LedgerDepartment, LedgerGroup } from "./types";

export interface GroupPolicy {
  department: LedgerDepartment;
  /** A check is due this many days after the last (the first, this many after registering). */
  checkDays: number;
  /** An overdue check is serious at once (supervision the law requires). */
  strict: boolean;
}

/** In the server's order (`Group` in groups.py). */
export const LEDGER_GROUPS: readonly LedgerGroup[] = [
  "low_income",
  "disabled",
  "elderly_alone",
  "left_behind_child",
  "veteran",
  "released_prisoner",
  "community_correction",
  "drug_rehab",
];

export const GROUP_POLICIES: Readonly<Record<LedgerGroup, GroupPolicy>> = {
  low_income: { department: "civil_affairs", checkDays: 90, strict: false },
  disabled: { department: "disability_federation", checkDays: 90, strict: false },
  elderly_alone: { department: "civil_affairs", checkDays: 30, strict: false },
  left_behind_child: { department: "civil_affairs", checkDays: 30, strict: false },
  veteran: { department: "veterans_affairs", checkDays: 180, strict: false },
  released_prisoner: { department: "justice", checkDays: 30, strict: false },
  community_correction: { department: "justice", checkDays: 7, strict: true },
  drug_rehab: { department: "public_security", checkDays: 30, strict: true },
};

/** Any overdue check is serious once this many days late (`SERIOUS_AFTER_DAYS`). */
export const SERIOUS_AFTER_DAYS = 14;

export const GROUP_NAMES: Readonly<Record<LedgerGroup, MessageKey>> = {
  low_income: tk("ledgers.group.low_income"),
  disabled: tk("ledgers.group.disabled"),
  elderly_alone: tk("ledgers.group.elderly_alone"),
  left_behind_child: tk("ledgers.group.left_behind_child"),
  veteran: tk("ledgers.group.veteran"),
  released_prisoner: tk("ledgers.group.released_prisoner"),
  community_correction: tk("ledgers.group.community_correction"),
  drug_rehab: tk("ledgers.group.drug_rehab"),
};

export const DEPARTMENT_NAMES: Readonly<Record<LedgerDepartment, MessageKey>> = {
  civil_affairs: tk("ledgers.department.civil_affairs"),
  disability_federation: tk("ledgers.department.disability_federation"),
  veterans_affairs: tk("ledgers.department.veterans_affairs"),
  justice: tk("ledgers.department.justice"),
  public_security: tk("ledgers.department.public_security"),
};

/** Whether `value` (a warning's free-form `details.group`) is one of the groups. */
export function isLedgerGroup(value: unknown): value is LedgerGroup {
  return typeof value === "string" && (LEDGER_GROUPS as readonly string[]).includes(value);
}
