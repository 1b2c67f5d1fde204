/**
 * The rental page's HTTP calls (backend/api/rentals). Shapes in `shared/types.ts`, paths in
 * `shared/endpoints.ts`, both under the contract check. An inspection carries an id the form made
 * once, so a retry is stored once (the server answers 200 with `duplicate`); failures are
 * `ApiError`s whose `field` names the input refused.
 */

import { sendAuthorized } from "../shared/auth";
import { ENDPOINTS } from "../shared/endpoints";
import { apiPath } from "../shared/incidents-api";
import type {
  RentalAssessmentCreate,
  RentalAssessmentRecorded,
  RentalChecklist,
  RentalDepartment,
  RentalDetail,
  RentalHazardPage,
  RentalHazardWhich,
  RentalPage,
  RentalSignOffCreate,
  RentalSignOffRecorded,
  RentalSummary,
  RentalSummaryLevel,
  RentalWhich,
} from "../shared/types";

/** The checklist and the grading rule (the form grades as it is filled in). */
export function getChecklist(): Promise<RentalChecklist> {
  const e = ENDPOINTS.rentalChecklist;
  return sendAuthorized<RentalChecklist>({ method: e.method, path: e.path });
}

/** Rental houses of the jurisdiction by what needs doing, narrowed to addresses containing `q` (2+ characters): `limit` from `offset`. */
export function getRentals(which: RentalWhich, q: string | null, offset: number, limit: number): Promise<RentalPage> {
  const e = ENDPOINTS.rentals;
  return sendAuthorized<RentalPage>({ method: e.method, path: apiPath(e.path, {}, { which, q: q ?? undefined, limit, offset }) });
}

/** Open rectifications of one department (null: all), overdue first: `limit` from `offset`. */
export function getHazards(department: RentalDepartment | null, which: RentalHazardWhich, offset: number, limit: number): Promise<RentalHazardPage> {
  const e = ENDPOINTS.rentalHazards;
  return sendAuthorized<RentalHazardPage>({ method: e.method, path: apiPath(e.path, {}, { department: department ?? undefined, which, limit, offset }) });
}

/** Every unit of `level` in the jurisdiction with its rental houses, and the total. */
export function getSummary(level: RentalSummaryLevel): Promise<RentalSummary> {
  const e = ENDPOINTS.rentalSummary;
  return sendAuthorized<RentalSummary>({ method: e.method, path: apiPath(e.path, {}, { level }) });
}

/** A house with its rectifications and inspections (the read is audited). */
export function getRental(houseId: string): Promise<RentalDetail> {
  const e = ENDPOINTS.rental;
  return sendAuthorized<RentalDetail>({ method: e.method, path: apiPath(e.path, { house_id: houseId }) });
}

/** An inspection; the server grades it (422 `more_than_tenants`, `duplicate_item`, `in_future`; 409 `assessment_id_taken`). */
export function recordAssessment(houseId: string, body: RentalAssessmentCreate): Promise<RentalAssessmentRecorded> {
  const e = ENDPOINTS.rentalAssess;
  return sendAuthorized<RentalAssessmentRecorded>({ method: e.method, path: apiPath(e.path, { house_id: houseId }), body });
}

/** A department's sign-off of a rectification it verified on site (整改销号); once per `body.id`. */
export function signOffHazard(hazardId: string, body: RentalSignOffCreate): Promise<RentalSignOffRecorded> {
  const e = ENDPOINTS.rentalSignOff;
  return sendAuthorized<RentalSignOffRecorded>({ method: e.method, path: apiPath(e.path, { hazard_id: hazardId }), body });
}
