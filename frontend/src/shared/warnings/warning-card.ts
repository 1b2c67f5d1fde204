/**
 * One early warning as a card, the same on every page that lists them (case work, the leader
 * view): level, rule, what the rule found (days late, or calls), the unit, when it was raised,
 * and its state: a "take in hand" button while open, who took it and their note once
 * acknowledged, the resolution once resolved. Cards carry `data-warning-id`, `data-state`,
 * `data-level`, `data-rule`, `data-org-path`, and `data-patient-id` when about a patient,
 * `data-person-id` when about a person (a psychological crisis), `data-entry-id` when about a
 * ledger entry (an overdue check; the card names the group), `data-house-id` when about a rental
 * house (an overdue inspection; the card names its grade) and `data-hazard-id` with the house's
 * `data-house-id` when about a rectification (overdue; the card names the item and department),
 * and `data-dispute-id` when about a dispute (high-risk or overdue; the card names its kind and
 * title, which say what it is about and never who).
 */

import { formatDay, formatDayTime, daysOverdue } from "../dates";
import { el } from "../dom";
import { labelOf, localName, t } from "../i18n";
import { isDisputeKind, isDisputeRisk, KIND_NAMES, RISK_NAMES } from "../dispute-terms";
import { GROUP_NAMES, isLedgerGroup } from "../ledger-terms";
import { BAND_NAMES, SCALE_NAMES } from "../psych-terms";
import { GRADE_NAMES, isRentalDepartment, isRentalGrade, ITEM_NAMES, RENTAL_DEPARTMENT_NAMES } from "../rental-terms";
import { openFormDialog } from "../ui/form-dialog";
import { showToast } from "../ui/toast";
import type { WarningView } from "../types";
import { WARNING_LEVELS, WARNING_RESOLUTIONS, WARNING_RULES } from "./labels";
import { acknowledgeWarning } from "./warnings-api";

export interface WarningCardOptions {
  /** The server's clock, in ms (days late are counted from it). */
  now: number;
  /** The subject's name, on pages that may show it (case work); never on the leader view. */
  name?: string | null;
  /** The unit's name to show instead of the warning's own (`unitOf`). */
  unitName?: string | null;
  /**
   * A function: the card opens the warning's subject. `null`: the card is a button that cannot
   * open this subject (an address has no one record). Absent: the card is not a button.
   */
  onOpen?: (() => void) | null;
  /** Takes an open warning in hand; without it an open warning offers no action. */
  onTake?: () => void;
}

/** The warning's unit in the current language (its path when the unit is unknown). */
export function unitOf(w: WarningView): string {
  return w.org_name === null || w.org_name_en === null ? w.org_path : localName({ name_zh: w.org_name, name_en: w.org_name_en });
}

/** The card of `w` (an `<li>`). */
export function warningCard(w: WarningView, options: WarningCardOptions): HTMLLIElement {
  const unit = options.unitName ?? unitOf(w);
  const summary = [
    el("span", { className: "warning-card__top" }, [
      el("span", { className: "warning-card__level", text: labelOf(WARNING_LEVELS, w.level) }),
      el("strong", { className: "warning-card__rule", text: labelOf(WARNING_RULES, w.rule) }),
      warningFinding(w, options.now),
    ]),
    el("span", { className: "warning-card__where", text: [options.name ?? null, unit].filter((x) => x !== null).join(" · ") }),
    el("span", { className: "warning-card__time", text: t("warning.raisedAt", { time: formatDayTime(w.raised_at) }) }),
  ];
  let head: HTMLElement;
  if (options.onOpen === undefined) {
    head = el("div", { className: "warning-card__open" }, summary);
  } else {
    const open = el("button", { className: "warning-card__open", attrs: { type: "button" } }, summary);
    const onOpen = options.onOpen;
    if (onOpen === null) {
      open.disabled = true;
    } else {
      open.addEventListener("click", onOpen);
    }
    head = open;
  }
  const dataset: Record<string, string> = { warningId: String(w.id), state: w.state, level: w.level, rule: w.rule, orgPath: w.org_path };
  if (w.subject_type === "patient") {
    dataset.patientId = w.subject_id;
  } else if (w.subject_type === "person") {
    dataset.personId = w.subject_id;
  } else if (w.subject_type === "ledger_entry") {
    dataset.entryId = w.subject_id;
  } else if (w.subject_type === "rental_house") {
    dataset.houseId = w.subject_id;
  } else if (w.subject_type === "rental_hazard") {
    dataset.hazardId = w.subject_id;
    if (typeof w.details.house_id === "string") {
      dataset.houseId = w.details.house_id;
    }
  } else if (w.subject_type === "dispute") {
    dataset.disputeId = w.subject_id;
  }
  return el("li", { className: "warning-card", dataset }, [head, ...stateLines(w, options.onTake)]);
}

/** The take-in-hand button, who took it and how, and how it was resolved. */
function stateLines(w: WarningView, onTake: (() => void) | undefined): HTMLElement[] {
  const lines: HTMLElement[] = [];
  if (w.state === "open" && onTake !== undefined) {
    const take = el("button", { className: "btn btn--small btn--primary warning-card__take", i18n: "warning.take", attrs: { type: "button" } });
    take.addEventListener("click", onTake);
    lines.push(take);
  }
  if (w.state === "open" && w.acknowledged_by_name !== null) {
    // taken in hand once, nothing came of it, and the server opened it again
    lines.push(el("p", { className: "warning-card__lapsed", text: t("warning.lapsed", { name: w.acknowledged_by_name, note: w.ack_note ?? "" }) }));
  } else if (w.acknowledged_by_name !== null || w.state === "acknowledged") {
    lines.push(el("p", { className: "warning-card__handled", text: t("warning.handledBy", { name: w.acknowledged_by_name ?? "—", note: w.ack_note ?? "" }) }));
  }
  if (w.state === "resolved") {
    const resolution = w.resolution === null ? "—" : labelOf(WARNING_RESOLUTIONS, w.resolution);
    lines.push(el("p", { className: "warning-card__resolved", text: t("warning.resolvedAt", { resolution, time: formatDayTime(w.resolved_at) }) }));
  }
  return lines;
}

/**
 * What the rule found, in a few words: how late the visit, check, inspection or rectification is
 * (and the ledger's group, the rental house's grade, the rectification's item and department),
 * which dispute it is (kind and title), how many calls came, or what the assessment found.
 */
export function warningFinding(w: WarningView, now: number): HTMLElement | null {
  if (w.rule === "dispute_high_risk" || w.rule === "dispute_overdue") {
    return disputeFinding(w, now);
  }
  if (w.rule === "rental_inspection_overdue" || w.rule === "rental_hazard_overdue") {
    return rentalFinding(w, now);
  }
  if (w.rule === "ledger_check_overdue") {
    const group = isLedgerGroup(w.details.group) ? t(GROUP_NAMES[w.details.group]) : null;
    const late = typeof w.details.due_at === "string" ? daysOverdue(w.details.due_at, now) : null;
    const found = [group, late === null || late <= 0 ? null : t("warning.late", { n: late })].filter((x): x is string => x !== null);
    return found.length === 0 ? null : el("span", { className: "warning-card__finding", text: found.join(" · "), dataset: isLedgerGroup(w.details.group) ? { group: w.details.group } : {} });
  }
  if (w.rule === "follow_up_overdue" && typeof w.details.due_at === "string") {
    const late = daysOverdue(w.details.due_at, now);
    return late === null || late <= 0 ? null : el("span", { className: "warning-card__finding", text: t("warning.late", { n: late }) });
  }
  if (w.rule === "repeat_calls" && typeof w.details.calls === "number") {
    const last = typeof w.details.last_at === "string" ? formatDay(w.details.last_at) : "—";
    return el("span", { className: "warning-card__finding", text: t("warning.calls", { n: w.details.calls, date: last }) });
  }
  if (w.rule === "psych_crisis" && typeof w.details.scale === "string") {
    const found = [labelOf(SCALE_NAMES, w.details.scale), typeof w.details.band === "string" ? labelOf(BAND_NAMES, w.details.band) : null, w.details.self_harm === true ? t("warning.selfHarm") : null];
    return el("span", { className: "warning-card__finding", text: found.filter((x) => x !== null).join(" · "), dataset: { selfHarm: String(w.details.self_harm === true) } });
  }
  return null;
}

/** "邻里纠纷 · 楼上漏水致楼下受损 · 5 方" or, overdue, "… · 高风险 · 逾期 2 天". */
function disputeFinding(w: WarningView, now: number): HTMLElement | null {
  const d = w.details;
  const late = w.rule === "dispute_overdue" && typeof d.due_at === "string" ? daysOverdue(d.due_at, now) : null;
  const found = [
    isDisputeKind(d.kind) ? t(KIND_NAMES[d.kind]) : null,
    typeof d.title === "string" ? d.title : null,
    w.rule === "dispute_high_risk" && typeof d.parties === "number" ? t("warning.parties", { n: d.parties }) : null,
    w.rule === "dispute_overdue" && isDisputeRisk(d.risk) ? t(RISK_NAMES[d.risk]) : null,
    late === null || late <= 0 ? null : t("warning.late", { n: late }),
  ].filter((x): x is string => x !== null);
  const dataset: Record<string, string> = {};
  if (isDisputeKind(d.kind)) {
    dataset.kind = d.kind;
  }
  if (isDisputeRisk(d.risk)) {
    dataset.risk = d.risk;
  }
  return found.length === 0 ? null : el("span", { className: "warning-card__finding", text: found.join(" · "), dataset });
}

/** "红色（重点管控） · 逾期 3 天" or "电动自行车室内停放充电 · 消防 · 逾期 3 天". */
function rentalFinding(w: WarningView, now: number): HTMLElement | null {
  const d = w.details;
  const late = typeof d.due_at === "string" ? daysOverdue(d.due_at, now) : null;
  const what =
    w.rule === "rental_inspection_overdue"
      ? [isRentalGrade(d.grade) ? t(GRADE_NAMES[d.grade]) : null]
      : [typeof d.item === "string" ? labelOf(ITEM_NAMES, d.item) : null, isRentalDepartment(d.department) ? t(RENTAL_DEPARTMENT_NAMES[d.department]) : null];
  const found = [...what, late === null || late <= 0 ? null : t("warning.late", { n: late })].filter((x): x is string => x !== null);
  const dataset: Record<string, string> = {};
  if (isRentalGrade(d.grade)) {
    dataset.grade = d.grade;
  }
  if (typeof d.item === "string") {
    dataset.item = d.item;
  }
  if (isRentalDepartment(d.department)) {
    dataset.department = d.department;
  }
  return found.length === 0 ? null : el("span", { className: "warning-card__finding", text: found.join(" · "), dataset });
}

/**
 * Asks for a note and takes `w` in hand (`POST /api/warnings/{id}/acknowledge`); a refusal stays
 * in the dialog at its field. Resolves true when taken (a toast says so), false when cancelled.
 * Re-read the warnings either way: after a 409 someone else has it, and the card should say who.
 */
export async function takeWarningInHand(w: WarningView, about: readonly (string | null)[]): Promise<boolean> {
  const done = await openFormDialog({
    title: t("warning.ack.title"),
    subtitle: [...about, labelOf(WARNING_LEVELS, w.level)].filter((x): x is string => x !== null && x !== "").join(" · "),
    fields: [{ name: "note", label: "warning.ack.note", kind: "textarea", placeholder: "warning.ack.placeholder" }],
    submit: "warning.ack.submit",
    async onSubmit(values) {
      await acknowledgeWarning(w.id, values.note ?? "");
    },
  });
  if (done) {
    showToast(t("warning.ack.done"));
  }
  return done;
}
