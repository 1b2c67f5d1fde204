/** Words for the server's follow-up values (literal keys, so i18n:check sees them), and the risk-grade chip. */

import { el } from "../shared/dom";
import { t, tk, type MessageKey } from "../shared/i18n";
import type { CareRole, Medication, VisitCondition, VisitKind } from "../shared/types";

export const VISIT_KINDS: Readonly<Record<VisitKind, MessageKey>> = {
  home_visit: tk("casework.kind.home_visit"),
  phone: tk("casework.kind.phone"),
  clinic: tk("casework.kind.clinic"),
  outreach: tk("casework.kind.outreach"),
};

export const CONDITIONS: Readonly<Record<VisitCondition, MessageKey>> = {
  stable: tk("casework.condition.stable"),
  basically_stable: tk("casework.condition.basically_stable"),
  unstable: tk("casework.condition.unstable"),
};

export const MEDICATIONS: Readonly<Record<Medication, MessageKey>> = {
  regular: tk("casework.medication.regular"),
  irregular: tk("casework.medication.irregular"),
  none: tk("casework.medication.none"),
};

export const CARE_ROLES: Readonly<Record<CareRole, MessageKey>> = {
  family: tk("casework.role.family"),
  community_doctor: tk("casework.role.community_doctor"),
  psychiatrist: tk("casework.role.psychiatrist"),
  police: tk("casework.role.police"),
  community_staff: tk("casework.role.community_staff"),
  social_worker: tk("casework.role.social_worker"),
  civil_affairs: tk("casework.role.civil_affairs"),
  disability_federation: tk("casework.role.disability_federation"),
  grid_worker: tk("casework.role.grid_worker"),
};

/** Risk grades (危险性评估) 0–5. */
export const RISK_GRADES: readonly number[] = [0, 1, 2, 3, 4, 5];

/** "4 级" / "Grade 4". */
export function gradeText(grade: number): string {
  return t("casework.grade", { grade });
}

/** A risk-grade chip: the colour comes from `data-grade` (casework.css), the text says it. */
export function gradeChip(grade: number): HTMLElement {
  return el("span", { className: "grade-chip", text: gradeText(grade), dataset: { grade: String(grade) } });
}
