/**
 * Words for the rental checklist's items, the departments that act on them and the grades
 * (`backend/rentals/checklist.py`), shared by the rental page and the early-warning cards that
 * name an overdue inspection's grade or an overdue rectification's item on every page (literal
 * keys, so i18n:check sees them; texts in `i18n/rentals.*.json`). The checklist itself (weights,
 * decisive items, days) comes from `GET /api/rentals/checklist`, never from here.
 */

import { tk, type MessageKey } from "./i18n";
import type { RentalDepartment, RentalGrade, RentalItemCode } from "./types";

export const RENTAL_GRADES: readonly RentalGrade[] = ["red", "yellow", "green"];
export const RENTAL_DEPARTMENTS: readonly RentalDepartment[] = ["fire", "police", "housing"];

export const GRADE_NAMES: Readonly<Record<RentalGrade, MessageKey>> = {
  green: tk("rentals.grade.green"),
  yellow: tk("rentals.grade.yellow"),
  red: tk("rentals.grade.red"),
};

export const RENTAL_DEPARTMENT_NAMES: Readonly<Record<RentalDepartment, MessageKey>> = {
  fire: tk("rentals.department.fire"),
  police: tk("rentals.department.police"),
  housing: tk("rentals.department.housing"),
};

export const ITEM_NAMES: Readonly<Record<RentalItemCode, MessageKey>> = {
  ebike_indoor_charging: tk("rentals.item.ebike_indoor_charging"),
  blocked_exit: tk("rentals.item.blocked_exit"),
  three_in_one: tk("rentals.item.three_in_one"),
  structural_danger: tk("rentals.item.structural_danger"),
  illegal_activity: tk("rentals.item.illegal_activity"),
  unsafe_wiring: tk("rentals.item.unsafe_wiring"),
  no_extinguisher: tk("rentals.item.no_extinguisher"),
  no_smoke_alarm: tk("rentals.item.no_smoke_alarm"),
  lease_unfiled: tk("rentals.item.lease_unfiled"),
  overcrowded: tk("rentals.item.overcrowded"),
  unregistered_tenants: tk("rentals.item.unregistered_tenants"),
  key_person_resident: tk("rentals.item.key_person_resident"),
};

export function isRentalGrade(value: unknown): value is RentalGrade {
  return typeof value === "string" && (RENTAL_GRADES as readonly string[]).includes(value);
}

export function isRentalDepartment(value: unknown): value is RentalDepartment {
  return typeof value === "string" && (RENTAL_DEPARTMENTS as readonly string[]).includes(value);
}
