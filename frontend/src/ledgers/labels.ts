/** Words for the ledger page's server values (literal keys, so i18n:check sees them). */

import { tk, type MessageKey } from "../shared/i18n";
import type { LedgerCheckKind, LedgerFinding, LedgerSummaryLevel, LedgerWhich } from "../shared/types";
import type { LedgerTab } from "./access";

export const TABS: Readonly<Record<LedgerTab, MessageKey>> = {
  entries: tk("ledgers.tab.entries"),
  pending: tk("ledgers.tab.pending"),
  summary: tk("ledgers.tab.summary"),
};

export const WHICH: Readonly<Record<LedgerWhich, MessageKey>> = {
  all: tk("ledgers.which.all"),
  overdue: tk("ledgers.which.overdue"),
  needs_help: tk("ledgers.which.needs_help"),
  mine: tk("ledgers.which.mine"),
};

export const CHECK_KINDS: Readonly<Record<LedgerCheckKind, MessageKey>> = {
  home_visit: tk("ledgers.kind.home_visit"),
  phone: tk("ledgers.kind.phone"),
  report_in: tk("ledgers.kind.report_in"),
  office: tk("ledgers.kind.office"),
};

export const FINDINGS: Readonly<Record<LedgerFinding, MessageKey>> = {
  normal: tk("ledgers.finding.normal"),
  needs_help: tk("ledgers.finding.needs_help"),
  violation: tk("ledgers.finding.violation"),
};

/** Reasons offered as one-tap starts of the close form's text (the text stays editable). */
export const CLOSE_REASONS: readonly MessageKey[] = [
  tk("ledgers.close.reason.moved"),
  tk("ledgers.close.reason.ineligible"),
  tk("ledgers.close.reason.served"),
  tk("ledgers.close.reason.died"),
];

export const SUMMARY_CAPTIONS: Readonly<Record<LedgerSummaryLevel, MessageKey>> = {
  street: tk("ledgers.summary.byStreet"),
  community: tk("ledgers.summary.byCommunity"),
  grid: tk("ledgers.summary.byGrid"),
};
