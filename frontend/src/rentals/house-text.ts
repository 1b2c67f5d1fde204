/**
 * How the rental page words a house: its grade as a badge (colour and words, never colour
 * alone), how the next inspection stands ("逾期 3 天", "30 天内到期", "待评定"), its open
 * rectifications, its place in the building, the chip of a live overdue warning, and a
 * rectification as a line (on the house and on the departments' list).
 */

import { daysOverdue, formatDay } from "../shared/dates";
import { el } from "../shared/dom";
import { labelOf, t } from "../shared/i18n";
import { GRADE_NAMES, ITEM_NAMES, RENTAL_DEPARTMENT_NAMES } from "../shared/rental-terms";
import type { RentalGrade, RentalHazardView, RentalView } from "../shared/types";
import { USES } from "./labels";

const DAY_MS = 86_400_000;

/** The grade badge: `data-grade` (green, yellow, red, or "none") and the grade in words. */
export function gradeBadge(grade: RentalGrade | null, extraClass = ""): HTMLElement {
  return el("span", {
    className: `grade-badge${extraClass === "" ? "" : ` ${extraClass}`}`,
    text: grade === null ? t("rentals.grade.none") : t(GRADE_NAMES[grade]),
    dataset: { grade: grade ?? "none" },
  });
}

/**
 * The next inspection in words, from the server's `overdue` and the due date on the server's
 * clock: "逾期 N 天" (under a day "已逾期"), "N 天内到期", or "待评定" when never inspected.
 */
export function dueText(house: Pick<RentalView, "due_at" | "overdue" | "assessed">, now: number): string {
  if (!house.assessed || house.due_at === null) {
    return t("rentals.due.unassessed");
  }
  return untilText(house.due_at, house.overdue, now);
}

/** "逾期 N 天" / "已逾期" / "N 天内到期" / "1 天内到期" for a deadline. */
export function untilText(dueAt: string, overdue: boolean, now: number): string {
  if (overdue) {
    const late = daysOverdue(dueAt, now) ?? 0;
    return late < 1 ? t("rentals.due.justLate") : t("rentals.due.late", { n: late });
  }
  const left = Math.ceil((Date.parse(dueAt) - now) / DAY_MS);
  return !Number.isFinite(left) || left <= 1 ? t("rentals.due.withinDay") : t("rentals.due.within", { n: left });
}

/** The due chip of a house (loud when overdue, muted when never inspected). */
export function dueChip(house: Pick<RentalView, "due_at" | "overdue" | "assessed">, now: number): HTMLElement {
  const state = !house.assessed ? "unassessed" : house.overdue ? "overdue" : "due";
  return el("span", { className: `due-chip${house.overdue ? " is-overdue" : ""}`, text: dueText(house, now), dataset: { state } });
}

/** "整改 2 项（逾期 1）", or null when none is open. */
export function hazardChip(house: Pick<RentalView, "open_hazards" | "overdue_hazards">): HTMLElement | null {
  if (house.open_hazards === 0) {
    return null;
  }
  const text = house.overdue_hazards > 0 ? t("rentals.hazardCountLate", { n: house.open_hazards, late: house.overdue_hazards }) : t("rentals.hazardCount", { n: house.open_hazards });
  return el("span", { className: `hazard-chip${house.overdue_hazards > 0 ? " is-overdue" : ""}`, text, dataset: { open: String(house.open_hazards) } });
}

/** "逾期预警" / "严重预警" / "预警已接手": the house's live overdue-inspection warning. */
export function warningChip(level: string, state: string): HTMLElement {
  const key = state === "acknowledged" ? "rentals.warning.taken" : level === "serious" ? "rentals.warning.serious" : "rentals.warning.open";
  return el("span", { className: "warning-chip", i18n: key, dataset: { level, state } });
}

/** "45 ㎡" or "—". */
export function areaText(area: number | null): string {
  return area === null ? "—" : t("rentals.area", { n: Math.round(area * 10) / 10 });
}

/** "3 层" or "—". */
export function floorText(floor: number | null): string {
  return floor === null ? "—" : t("rentals.floor", { n: floor });
}

/** "住宅", "员工宿舍", …: the house's use. */
export function useText(use: string): string {
  return labelOf(USES, use);
}

/** A rectification as a line: item (decisive marked), department, found, deadline or cleared. */
export function hazardItem(z: RentalHazardView, now: number, withAddress: boolean): HTMLElement {
  const cleared = z.cleared_at !== null;
  const signedOff = z.signed_off_name ?? null;
  const clearedText = signedOff === null ? t("rentals.hazards.cleared", { date: formatDay(z.cleared_at) }) : t("rentals.hazards.signedOff", { date: formatDay(z.cleared_at), name: signedOff });
  const state = cleared ? el("span", { className: "state-chip", text: clearedText, dataset: { state: "cleared", signedOff: String(signedOff !== null) } }) : el("span", { className: `due-chip${z.overdue ? " is-overdue" : ""}`, text: untilText(z.due_at, z.overdue, now) });
  return el(
    "li",
    {
      className: `hazard-item${cleared ? " hazard-item--cleared" : ""}${z.overdue ? " hazard-item--overdue" : ""}`,
      dataset: { hazardId: z.id, houseId: z.house_id, item: z.item, department: z.department, state: cleared ? "cleared" : "open", overdue: String(z.overdue) },
    },
    [
      el("div", { className: "hazard-item__top" }, [
        el("strong", { className: "hazard-item__name", text: labelOf(ITEM_NAMES, z.item) }),
        z.decisive ? el("span", { className: "decisive-chip", i18n: "rentals.item.decisive" }) : null,
        el("span", { className: "department-chip", text: labelOf(RENTAL_DEPARTMENT_NAMES, z.department), dataset: { department: z.department } }),
        state,
      ]),
      withAddress ? el("span", { className: "hazard-item__address", text: z.address }) : null,
      el("span", { className: "ledger-row__facts", text: t("rentals.hazards.dates", { found: formatDay(z.found_at), due: formatDay(z.due_at) }) }),
    ],
  );
}
