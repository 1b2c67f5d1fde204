/**
 * The ledger page's HTTP calls (backend/api/ledgers). Shapes in `shared/types.ts`, paths in
 * `shared/endpoints.ts`, both under the contract check. Registrations and checks carry an id the
 * form made once, so a retry is stored once (the server answers 200 with `duplicate`); failures
 * are `ApiError`s whose `field` names the input refused.
 */

import { sendAuthorized } from "../shared/auth";
import { ENDPOINTS } from "../shared/endpoints";
import { apiPath } from "../shared/incidents-api";
import type {
  LedgerCheckCreate,
  LedgerCheckRecorded,
  LedgerEntryClose,
  LedgerEntryCreate,
  LedgerEntryDetail,
  LedgerEntryPage,
  LedgerEntryRecorded,
  LedgerEntryView,
  LedgerGroup,
  LedgerPendingPage,
  LedgerSummary,
  LedgerSummaryLevel,
  LedgerWhich,
  LedgerOfficerPage,
} from "../shared/types";

/** Active entries of the jurisdiction (of one group; null: every group), overdue first: `limit` from `offset`. */
export function getEntries(group: LedgerGroup | null, which: LedgerWhich, offset: number, limit: number): Promise<LedgerEntryPage> {
  const e = ENDPOINTS.ledgers;
  return sendAuthorized<LedgerEntryPage>({ method: e.method, path: apiPath(e.path, {}, { group: group ?? undefined, which, limit, offset }) });
}

/** 待建档: people the block data lists in `group` who are not registered, oldest first: `limit` from `offset`. */
export function getPending(group: LedgerGroup, offset: number, limit: number): Promise<LedgerPendingPage> {
  const e = ENDPOINTS.ledgerPending;
  return sendAuthorized<LedgerPendingPage>({ method: e.method, path: apiPath(e.path, {}, { group, limit, offset }) });
}

/** Who may answer for the person in `group` (责任人): users who keep that group's ledgers over them, nearest first. */
export function getOfficers(personId: string, group: LedgerGroup): Promise<LedgerOfficerPage> {
  const e = ENDPOINTS.ledgerOfficers;
  return sendAuthorized<LedgerOfficerPage>({ method: e.method, path: apiPath(e.path, {}, { person_id: personId, group }) });
}

/** Every unit of `level` in the jurisdiction with each group's counts, and the total. */
export function getSummary(level: LedgerSummaryLevel): Promise<LedgerSummary> {
  const e = ENDPOINTS.ledgerSummary;
  return sendAuthorized<LedgerSummary>({ method: e.method, path: apiPath(e.path, {}, { level }) });
}

/** 建档 (409 `already_registered`, 422 `officer_outside`). */
export function registerEntry(body: LedgerEntryCreate): Promise<LedgerEntryRecorded> {
  const e = ENDPOINTS.ledgerRegister;
  return sendAuthorized<LedgerEntryRecorded>({ method: e.method, path: e.path, body });
}

/** An entry with its checks, newest first (the read is audited). */
export function getEntry(entryId: string): Promise<LedgerEntryDetail> {
  const e = ENDPOINTS.ledgerEntry;
  return sendAuthorized<LedgerEntryDetail>({ method: e.method, path: apiPath(e.path, { entry_id: entryId }) });
}

/** A check; it moves the due date on and resolves the entry's overdue warning (409 `entry_closed`). */
export function recordCheck(entryId: string, body: LedgerCheckCreate): Promise<LedgerCheckRecorded> {
  const e = ENDPOINTS.ledgerCheck;
  return sendAuthorized<LedgerCheckRecorded>({ method: e.method, path: apiPath(e.path, { entry_id: entryId }), body });
}

/** Off the ledger with the reason; its live warning goes with it (409 `entry_closed` when closed already). */
export function closeEntry(entryId: string, body: LedgerEntryClose): Promise<LedgerEntryView> {
  const e = ENDPOINTS.ledgerClose;
  return sendAuthorized<LedgerEntryView>({ method: e.method, path: apiPath(e.path, { entry_id: entryId }), body });
}
