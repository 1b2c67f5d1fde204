/** Words for the rental page's server values (literal keys, so i18n:check sees them). */

import { tk, type MessageKey } from "../shared/i18n";
import type { RentalHazardWhich, RentalSummaryLevel, RentalWhich } from "../shared/types";
import type { RentalTab } from "./access";

export const TABS: Readonly<Record<RentalTab, MessageKey>> = {
  houses: tk("rentals.tab.houses"),
  hazards: tk("rentals.tab.hazards"),
  summary: tk("rentals.tab.summary"),
};

export const WHICH: Readonly<Record<RentalWhich, MessageKey>> = {
  due: tk("rentals.which.due"),
  overdue: tk("rentals.which.overdue"),
  red: tk("rentals.which.red"),
  hazards: tk("rentals.which.hazards"),
  unassessed: tk("rentals.which.unassessed"),
};

/** What the list says when a filter finds nothing. */
export const WHICH_NONE: Readonly<Record<RentalWhich, MessageKey>> = {
  due: tk("rentals.houses.none.due"),
  overdue: tk("rentals.houses.none.overdue"),
  red: tk("rentals.houses.none.red"),
  hazards: tk("rentals.houses.none.hazards"),
  unassessed: tk("rentals.houses.none.unassessed"),
};

export const HAZARD_WHICH: Readonly<Record<RentalHazardWhich, MessageKey>> = {
  open: tk("rentals.hazards.which.open"),
  overdue: tk("rentals.hazards.which.overdue"),
};

/** `houses.use` (backend/migrations/0006_blockdata.sql). */
export const USES: Readonly<Record<string, MessageKey>> = {
  residence: tk("rentals.use.residence"),
  dormitory: tk("rentals.use.dormitory"),
  shop: tk("rentals.use.shop"),
  office: tk("rentals.use.office"),
  other: tk("rentals.use.other"),
};

export const SUMMARY_LEVELS: Readonly<Record<RentalSummaryLevel, MessageKey>> = {
  street: tk("rentals.summary.level.street"),
  community: tk("rentals.summary.level.community"),
  grid: tk("rentals.summary.level.grid"),
};

export const SUMMARY_CAPTIONS: Readonly<Record<RentalSummaryLevel, MessageKey>> = {
  street: tk("rentals.summary.byStreet"),
  community: tk("rentals.summary.byCommunity"),
  grid: tk("rentals.summary.byGrid"),
};
