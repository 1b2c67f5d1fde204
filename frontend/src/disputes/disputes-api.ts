/**
 * The dispute page's HTTP calls (backend/api/disputes). Shapes in `shared/types.ts`, paths in
 * `shared/endpoints.ts`, both under the contract check. A registration and every step carry an
 * id the form made once, so a retry is stored once (the server answers 200 with `duplicate`);
 * failures are `ApiError`s whose `field` names the input refused.
 */

import { sendAuthorized } from "../shared/auth";
import { ENDPOINTS } from "../shared/endpoints";
import { apiPath } from "../shared/incidents-api";
import type {
  DisputeAssignCreate,
  DisputeCloseCreate,
  DisputeCreate,
  DisputeDetail,
  DisputeEscalateCreate,
  DisputeKind,
  DisputeLevel,
  DisputeMediationCreate,
  DisputePage,
  DisputePartyCreate,
  DisputePartyRecorded,
  DisputeRecorded,
  DisputeRiskCreate,
  DisputeScreeningCreate,
  DisputeScreeningPage,
  DisputeScreeningView,
  DisputeSummary,
  DisputeWhich,
} from "../shared/types";

/** Disputes of the jurisdiction by filter (and kind), with its live totals: `limit` from `offset`. */
export function getDisputes(which: DisputeWhich, kind: DisputeKind | null, offset: number, limit: number): Promise<DisputePage> {
  const e = ENDPOINTS.disputes;
  return sendAuthorized<DisputePage>({ method: e.method, path: apiPath(e.path, {}, { which, kind: kind ?? undefined, limit, offset }) });
}

/** A dispute with its history and where it may go next (the read is audited). */
export function getDispute(disputeId: string): Promise<DisputeDetail> {
  const e = ENDPOINTS.dispute;
  return sendAuthorized<DisputeDetail>({ method: e.method, path: apiPath(e.path, { dispute_id: disputeId }) });
}

/** Registers a dispute; the user's centre holds it (409 `dispute_id_taken`; 422 `in_future`, `too_old`). */
export function registerDispute(body: DisputeCreate): Promise<DisputeRecorded> {
  const e = ENDPOINTS.disputeRegister;
  return sendAuthorized<DisputeRecorded>({ method: e.method, path: e.path, body });
}

/** One step and its body; the server refuses a step on a dispute held elsewhere or closed (409). */
export type DisputeStep =
  | { kind: "mediation"; body: DisputeMediationCreate }
  | { kind: "escalate"; body: DisputeEscalateCreate }
  | { kind: "assign"; body: DisputeAssignCreate }
  | { kind: "risk"; body: DisputeRiskCreate }
  | { kind: "close"; body: DisputeCloseCreate };

const STEP_ENDPOINTS = {
  mediation: ENDPOINTS.disputeMediate,
  escalate: ENDPOINTS.disputeEscalate,
  assign: ENDPOINTS.disputeAssign,
  risk: ENDPOINTS.disputeRisk,
  close: ENDPOINTS.disputeClose,
} as const;

/** Records a step on a dispute the user's jurisdiction holds. */
export function recordStep(disputeId: string, step: DisputeStep): Promise<DisputeRecorded> {
  const e = STEP_ENDPOINTS[step.kind];
  return sendAuthorized<DisputeRecorded>({ method: e.method, path: apiPath(e.path, { dispute_id: disputeId }), body: step.body });
}

/**
 * Links a person of the people records as a party (once per person: 200 `duplicate`); a key
 * person makes the dispute high-risk at once (`raised_risk`). 404 at `person_id` for a person
 * out of sight; 409 `held_elsewhere` / `dispute_closed` as for a step.
 */
export function linkParty(disputeId: string, body: DisputePartyCreate): Promise<DisputePartyRecorded> {
  const e = ENDPOINTS.disputeLinkParty;
  return sendAuthorized<DisputePartyRecorded>({ method: e.method, path: apiPath(e.path, { dispute_id: disputeId }), body });
}

/** Every unit of `level` in the jurisdiction with its disputes (zero included). */
export function getSummary(level: DisputeLevel): Promise<DisputeSummary> {
  const e = ENDPOINTS.disputeSummary;
  return sendAuthorized<DisputeSummary>({ method: e.method, path: apiPath(e.path, {}, { level }) });
}

/** Every unit of `level` and its screening report of `week` (YYYY-Www), those yet to report first. */
export function getScreenings(week: string, level: DisputeLevel): Promise<DisputeScreeningPage> {
  const e = ENDPOINTS.disputeScreenings;
  return sendAuthorized<DisputeScreeningPage>({ method: e.method, path: apiPath(e.path, {}, { week, level }) });
}

/** The user's unit's screening of a week; sent again, it replaces the report (422 `in_future`, `no_such_week`). */
export function reportScreening(body: DisputeScreeningCreate): Promise<DisputeScreeningView> {
  const e = ENDPOINTS.disputeReportScreening;
  return sendAuthorized<DisputeScreeningView>({ method: e.method, path: e.path, body });
}
