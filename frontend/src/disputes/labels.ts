/** Words for the dispute page's server values (literal keys, so i18n:check sees them). Kinds and risks are in `shared/dispute-terms.ts`. */

import { tk, type MessageKey } from "../shared/i18n";
import type {
  DisputeActionKind,
  DisputeKeyReason,
  DisputeLevel,
  DisputeOutcome,
  DisputeReferral,
  DisputeResolution,
  DisputeRisk,
  DisputeSource,
  DisputeStatus,
  DisputeWhich,
  OrgLevel,
} from "../shared/types";
import type { DisputeTab } from "./access";

export const TABS: Readonly<Record<DisputeTab, MessageKey>> = {
  list: tk("disputes.tab.list"),
  screening: tk("disputes.tab.screening"),
  summary: tk("disputes.tab.summary"),
};

export const WHICH: Readonly<Record<DisputeWhich, MessageKey>> = {
  held: tk("disputes.which.held"),
  live: tk("disputes.which.live"),
  overdue: tk("disputes.which.overdue"),
  high: tk("disputes.which.high"),
  closed: tk("disputes.which.closed"),
};

/** What the list says when a filter finds nothing. */
export const WHICH_NONE: Readonly<Record<DisputeWhich, MessageKey>> = {
  held: tk("disputes.list.none.held"),
  live: tk("disputes.list.none.live"),
  overdue: tk("disputes.list.none.overdue"),
  high: tk("disputes.list.none.high"),
  closed: tk("disputes.list.none.closed"),
};

export const SOURCES: Readonly<Record<DisputeSource, MessageKey>> = {
  screening: tk("disputes.source.screening"),
  hotline: tk("disputes.source.hotline"),
  walk_in: tk("disputes.source.walk_in"),
  grid: tk("disputes.source.grid"),
  referral: tk("disputes.source.referral"),
};

export const STATUSES: Readonly<Record<DisputeStatus, MessageKey>> = {
  open: tk("disputes.status.open"),
  mediating: tk("disputes.status.mediating"),
  resolved: tk("disputes.status.resolved"),
  referred: tk("disputes.status.referred"),
};

/** Closing: settled here (化解) or passed to another channel (移交), in the order the form offers them. */
export const RESOLUTIONS: readonly DisputeResolution[] = ["agreement", "withdrawn"];
export const REFERRALS: readonly DisputeReferral[] = ["court", "arbitration", "petition", "other"];

export const OUTCOMES: Readonly<Record<DisputeOutcome, MessageKey>> = {
  agreement: tk("disputes.outcome.agreement"),
  withdrawn: tk("disputes.outcome.withdrawn"),
  court: tk("disputes.outcome.court"),
  arbitration: tk("disputes.outcome.arbitration"),
  petition: tk("disputes.outcome.petition"),
  other: tk("disputes.outcome.other"),
};

export const ACTIONS: Readonly<Record<DisputeActionKind, MessageKey>> = {
  registered: tk("disputes.action.registered"),
  mediation: tk("disputes.action.mediation"),
  escalated: tk("disputes.action.escalated"),
  assigned: tk("disputes.action.assigned"),
  risk: tk("disputes.action.risk"),
  resolved: tk("disputes.action.resolved"),
  referred: tk("disputes.action.referred"),
};

/** Why a linked party is a key person (重点人员), in words: a badge never says it by colour alone. */
export const KEY_REASONS: Readonly<Record<DisputeKeyReason, MessageKey>> = {
  patient: tk("disputes.parties.reason.patient"),
  community_correction: tk("disputes.parties.reason.community_correction"),
  drug_rehab: tk("disputes.parties.reason.drug_rehab"),
};

/** "街道", "社区", …: a unit's level, for a unit whose name the page does not know. */
export const LEVELS: Readonly<Record<OrgLevel, MessageKey>> = {
  district: tk("disputes.level.district"),
  street: tk("disputes.level.street"),
  community: tk("disputes.level.community"),
  grid: tk("disputes.level.grid"),
};

export const LEVEL_CHOICES: Readonly<Record<DisputeLevel, MessageKey>> = {
  street: tk("disputes.levelChoice.street"),
  community: tk("disputes.levelChoice.community"),
  grid: tk("disputes.levelChoice.grid"),
};

/** Days a centre has to settle a dispute of each risk (`backend/disputes/policy.py`, SETTLE_DAYS): the hand-down form's default. */
export const SETTLE_DAYS: Readonly<Record<DisputeRisk, number>> = { high: 3, medium: 15, low: 30 };
