/**
 * The case work page's HTTP calls: the follow-up worklist, a patient's visits and recording one
 * (the warnings' calls are shared: `shared/warnings/warnings-api.ts`). Shapes in
 * `shared/types.ts`, paths in `shared/endpoints.ts` (both checked against the backend's OpenAPI
 * document).
 */

import { sendAuthorized } from "../shared/auth";
import { ENDPOINTS } from "../shared/endpoints";
import { apiPath } from "../shared/incidents-api";
import type { DuePage, FollowUpCreate, FollowUpPage, FollowUpRecorded } from "../shared/types";

export type WorklistScope = "mine" | "jurisdiction";

/** How far ahead the worklist looks, in days (overdue patients are always listed). */
export const WORKLIST_DAYS = 30;
const WORKLIST_LIMIT = 100;

/** Patients whose visit is overdue or due within `WORKLIST_DAYS`, overdue first. */
export function getDue(scope: WorklistScope): Promise<DuePage> {
  const e = ENDPOINTS.followUpsDue;
  return sendAuthorized<DuePage>({ method: e.method, path: apiPath(e.path, {}, { scope, within_days: WORKLIST_DAYS, limit: WORKLIST_LIMIT }) });
}

/** A patient's visits, newest first, and when the next is due. */
export function getFollowUps(patientId: string): Promise<FollowUpPage> {
  const e = ENDPOINTS.patientFollowUps;
  return sendAuthorized<FollowUpPage>({ method: e.method, path: apiPath(e.path, { patient_id: patientId }, { limit: 50 }) });
}

/** Records a visit; the same `body.id` sent again is stored once (200 `duplicate`). */
export function recordFollowUp(patientId: string, body: FollowUpCreate): Promise<FollowUpRecorded> {
  const e = ENDPOINTS.followUpRecord;
  return sendAuthorized<FollowUpRecorded>({ method: e.method, path: apiPath(e.path, { patient_id: patientId }), body });
}
