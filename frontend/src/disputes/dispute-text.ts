/**
 * How the dispute page words a dispute: its risk as a badge (colour and words, never colour
 * alone), its kind, its state ("调解中", "已化解 · 调解成功"), its deadline ("逾期 3 天",
 * "5 天内到期"), "我方承办" when the user's jurisdiction holds it, the chips of its live
 * warnings, and where it happened and who holds it.
 */

import { daysOverdue } from "../shared/dates";
import { KIND_NAMES, RISK_NAMES } from "../shared/dispute-terms";
import { el } from "../shared/dom";
import { labelOf, t } from "../shared/i18n";
import type { DisputeRisk, DisputeView, WarningNote } from "../shared/types";
import { OUTCOMES, SOURCES, STATUSES } from "./labels";
import type { UnitNames } from "./unit-names";

const DAY_MS = 86_400_000;

/** The risk badge: `data-risk` and the risk in words. */
export function riskBadge(risk: DisputeRisk, extraClass = ""): HTMLElement {
  return el("span", { className: `risk-badge${extraClass === "" ? "" : ` ${extraClass}`}`, text: t(RISK_NAMES[risk]), dataset: { risk } });
}

export function kindChip(d: Pick<DisputeView, "kind">): HTMLElement {
  return el("span", { className: "kind-chip", text: labelOf(KIND_NAMES, d.kind), dataset: { kind: d.kind } });
}

export function sourceText(d: Pick<DisputeView, "source">): string {
  return labelOf(SOURCES, d.source);
}

/** "待调处" / "调解中" / "已化解 · 调解成功" / "已移交 · 诉讼". */
export function statusText(d: Pick<DisputeView, "status" | "outcome">): string {
  const status = labelOf(STATUSES, d.status);
  return d.outcome === null ? status : t("disputes.status.closedAs", { status, outcome: labelOf(OUTCOMES, d.outcome) });
}

export function statusChip(d: Pick<DisputeView, "status" | "outcome">): HTMLElement {
  return el("span", { className: "state-chip dispute-state", text: statusText(d), dataset: { status: d.status } });
}

/** "逾期 N 天" / "已逾期" / "N 天内到期" / "1 天内到期" for a deadline on the server's clock. */
export function untilText(dueAt: string, overdue: boolean, now: number): string {
  if (overdue) {
    const late = daysOverdue(dueAt, now) ?? 0;
    return late < 1 ? t("disputes.due.justLate") : t("disputes.due.late", { n: late });
  }
  const left = Math.ceil((Date.parse(dueAt) - now) / DAY_MS);
  return !Number.isFinite(left) || left <= 1 ? t("disputes.due.withinDay") : t("disputes.due.within", { n: left });
}

/** The deadline chip of a live dispute (loud when overdue); null once closed. */
export function dueChip(d: Pick<DisputeView, "due_at" | "overdue" | "status">, now: number): HTMLElement | null {
  if (d.status === "resolved" || d.status === "referred") {
    return null;
  }
  return el("span", { className: `due-chip${d.overdue ? " is-overdue" : ""}`, text: untilText(d.due_at, d.overdue, now), dataset: { state: d.overdue ? "overdue" : "due" } });
}

/** "我方承办": the user's jurisdiction holds it and may act on it. */
export function yoursChip(): HTMLElement {
  return el("span", { className: "yours-chip", i18n: "disputes.yours" });
}

/** One chip per live warning: "高风险预警" / "逾期预警", "预警已接手" once taken in hand. */
export function warningChips(notes: readonly WarningNote[]): HTMLElement[] {
  return notes
    .filter((w) => w.state !== "resolved")
    .map((w) => {
      const key = w.state === "acknowledged" ? "disputes.warning.taken" : w.rule === "dispute_high_risk" ? "disputes.warning.highRisk" : "disputes.warning.overdue";
      return el("span", { className: "warning-chip", i18n: key, dataset: { level: w.level, state: w.state, rule: w.rule } });
    });
}

/** Where it happened: the address when one was given, else the unit. */
export function placeText(d: Pick<DisputeView, "address" | "org_path">, names: UnitNames): string {
  return d.address ?? names.name(d.org_path);
}

/** The centre that holds it. */
export function holderText(d: Pick<DisputeView, "holder_path">, names: UnitNames): string {
  return names.name(d.holder_path);
}

/** Teaches `names` the Chinese names a dispute carries. */
export function learnNames(d: Pick<DisputeView, "org_path" | "org_name" | "holder_path" | "holder_name">, names: UnitNames): void {
  names.learnZh(d.org_path, d.org_name);
  names.learnZh(d.holder_path, d.holder_name);
}
