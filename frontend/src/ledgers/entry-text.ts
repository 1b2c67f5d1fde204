/**
 * How the ledger page words an entry: the person as the server sent them (masked for leaders),
 * how the next check stands ("逾期 3 天", "30 天内到期"), a group with its department and
 * interval, and the chip of a live overdue warning.
 */

import { daysOverdue } from "../shared/dates";
import { el } from "../shared/dom";
import { t } from "../shared/i18n";
import { DEPARTMENT_NAMES, GROUP_NAMES, GROUP_POLICIES } from "../shared/ledger-terms";
import type { LedgerEntryView, LedgerGroup } from "../shared/types";

/** The name, or "(name hidden)". */
export function personName(p: { name: string | null }): string {
  return p.name ?? t("ledgers.nameHidden");
}

/** "1948 年生" or null. */
export function bornText(year: number | null): string | null {
  return year === null ? null : t("ledgers.born", { year });
}

const DAY_MS = 86_400_000;

/**
 * The next check in words, from the server's `overdue` and the due date on the server's clock:
 * "逾期 N 天" (whole days late, as the warning cards count them; under a day "已逾期"), else
 * "N 天内到期" (days left, rounded up: a check due in 29.9 days is due within 30).
 */
export function dueText(entry: Pick<LedgerEntryView, "due_at" | "overdue">, now: number): string {
  if (entry.overdue) {
    const late = daysOverdue(entry.due_at, now) ?? 0;
    if (late < 1) {
      return t("ledgers.due.justLate");
    }
    return late === 1 ? t("ledgers.due.lateDay") : t("ledgers.due.late", { n: late });
  }
  const left = Math.ceil((Date.parse(entry.due_at) - now) / DAY_MS);
  return !Number.isFinite(left) || left <= 1 ? t("ledgers.due.withinDay") : t("ledgers.due.within", { n: left });
}

/** "民政部门 · 每 30 天核查" (with "逾期即为严重" for the groups under legal supervision). */
export function policyText(group: LedgerGroup): string {
  const p = GROUP_POLICIES[group];
  const parts = [t(DEPARTMENT_NAMES[p.department]), t("ledgers.policy.every", { days: p.checkDays })];
  if (p.strict) {
    parts.push(t("ledgers.policy.strict"));
  }
  return parts.join(" · ");
}

/** "独居老人（民政部门 · 每 30 天核查）": a group as the chooser lists it. */
export function groupOption(group: LedgerGroup): string {
  return t("ledgers.groupOption", { group: t(GROUP_NAMES[group]), policy: policyText(group) });
}

/** "逾期预警" / "严重预警" / "预警已接手": the entry's live overdue warning. */
export function warningChip(level: string, state: string): HTMLElement {
  const key = state === "acknowledged" ? "ledgers.warning.taken" : level === "serious" ? "ledgers.warning.serious" : "ledgers.warning.open";
  return el("span", { className: "warning-chip", i18n: key, dataset: { level, state } });
}
