/**
 * The early warnings' HTTP calls (docs/followups.md, "Reading and handling warnings"): the
 * warnings of the caller's jurisdiction with their live totals, the live ones counted per unit,
 * and taking one in hand. Shapes in `shared/types.ts`, paths in `shared/endpoints.ts` (both
 * under the contract check). Reading needs `patient:read`: a user without it gets a 403.
 */

import { sendAuthorized } from "../auth";
import { ENDPOINTS } from "../endpoints";
import { apiPath } from "../incidents-api";
import type { UnitWarningPage, WarningPage, WarningRule, WarningUnitLevel, WarningView } from "../types";

/** `live` is open and acknowledged together. */
export type WarningListState = "live" | "open" | "acknowledged" | "resolved";

/** The live totals of the jurisdiction, as every `WarningPage` carries them. */
export type WarningTotals = Pick<WarningPage, "open" | "acknowledged" | "serious">;

/**
 * Warnings in `state` (live: serious first, then newest; others newest first), at most `limit`
 * (1–500); only those of `rule` when given (the totals still count every rule's live warnings).
 */
export function getWarnings(state: WarningListState, limit: number, rule?: WarningRule): Promise<WarningPage> {
  const e = ENDPOINTS.warnings;
  return sendAuthorized<WarningPage>({ method: e.method, path: apiPath(e.path, {}, { state, limit, rule }) });
}

/** Only the live totals (one item is fetched and dropped: the totals count the whole jurisdiction). */
export async function getWarningTotals(): Promise<WarningTotals> {
  const page = await getWarnings("live", 1);
  return { open: page.open, acknowledged: page.acknowledged, serious: page.serious };
}

/** Every unit of `level` in the jurisdiction with its live warnings (zero included), serious first. */
export function getWarningUnits(level: WarningUnitLevel): Promise<UnitWarningPage> {
  const e = ENDPOINTS.warningUnits;
  return sendAuthorized<UnitWarningPage>({ method: e.method, path: apiPath(e.path, {}, { level }) });
}

/** Takes an open warning in hand with a note (409 `warning_not_open` when someone was faster). */
export function acknowledgeWarning(id: number, note: string): Promise<WarningView> {
  const e = ENDPOINTS.warningAcknowledge;
  return sendAuthorized<WarningView>({ method: e.method, path: apiPath(e.path, { warning_id: String(id) }), body: { note } });
}
