/** Words for the server's warning values (literal keys, so i18n:check sees them). */

import { tk, type MessageKey } from "../i18n";
import type { WarningLevel, WarningResolution, WarningRule } from "../types";

export const WARNING_LEVELS: Readonly<Record<WarningLevel, MessageKey>> = {
  warning: tk("warning.level.warning"),
  serious: tk("warning.level.serious"),
};

export const WARNING_RULES: Readonly<Record<WarningRule, MessageKey>> = {
  follow_up_overdue: tk("warning.rule.follow_up_overdue"),
  repeat_calls: tk("warning.rule.repeat_calls"),
  psych_crisis: tk("warning.rule.psych_crisis"),
  ledger_check_overdue: tk("warning.rule.ledger_check_overdue"),
  rental_inspection_overdue: tk("warning.rule.rental_inspection_overdue"),
  rental_hazard_overdue: tk("warning.rule.rental_hazard_overdue"),
  dispute_high_risk: tk("warning.rule.dispute_high_risk"),
  dispute_overdue: tk("warning.rule.dispute_overdue"),
};

export const WARNING_RESOLUTIONS: Readonly<Record<WarningResolution, MessageKey>> = {
  follow_up_recorded: tk("warning.resolution.follow_up_recorded"),
  no_longer_due: tk("warning.resolution.no_longer_due"),
  quiet_again: tk("warning.resolution.quiet_again"),
  crisis_intervention: tk("warning.resolution.crisis_intervention"),
  ledger_checked: tk("warning.resolution.ledger_checked"),
  ledger_closed: tk("warning.resolution.ledger_closed"),
  rental_inspected: tk("warning.resolution.rental_inspected"),
  rental_rectified: tk("warning.resolution.rental_rectified"),
  resolved: tk("warning.resolution.resolved"),
  referred: tk("warning.resolution.referred"),
  risk_lowered: tk("warning.resolution.risk_lowered"),
  escalated: tk("warning.resolution.escalated"),
  assigned: tk("warning.resolution.assigned"),
};
