/**
 * The psych page's HTTP calls (backend/api/psych; finding a person is `shared/persons-api.ts`).
 * Shapes in `shared/types.ts`, paths in `shared/endpoints.ts`, both under the contract check.
 * Every POST carries an id the form made once, so a retry is stored once (the server answers 200
 * with `duplicate`); failures are `ApiError`s whose `field` names the input refused.
 */

import { sendAuthorized } from "../shared/auth";
import { ENDPOINTS } from "../shared/endpoints";
import { apiPath } from "../shared/incidents-api";
import type {
  ActivityCreate,
  ActivityPage,
  ActivityRecorded,
  AssessmentCreate,
  AssessmentRecorded,
  AttentionPage,
  InstructionCreate,
  InstructionCreated,
  InstructionFeedback,
  InstructionPage,
  InstructionView,
  PersonPsych,
  PersonView,
  PsychUnitLevel,
  ReportCreate,
  ReportStatus,
  ReportSubmitted,
  ServiceCreate,
  ServiceRecorded,
  UnitFiguresPage,
} from "../shared/types";

const LIST_LIMIT = 50;

/** One person, masked for the caller. */
export function getPerson(personId: string): Promise<PersonView> {
  const e = ENDPOINTS.person;
  return sendAuthorized<PersonView>({ method: e.method, path: apiPath(e.path, { person_id: personId }) });
}

/** A person's assessments and sessions, newest first. */
export function getPersonPsych(personId: string): Promise<PersonPsych> {
  const e = ENDPOINTS.psychPerson;
  return sendAuthorized<PersonPsych>({ method: e.method, path: apiPath(e.path, { person_id: personId }) });
}

export function recordAssessment(body: AssessmentCreate): Promise<AssessmentRecorded> {
  const e = ENDPOINTS.psychAssessment;
  return sendAuthorized<AssessmentRecorded>({ method: e.method, path: e.path, body });
}

/** A counselling session or a crisis intervention; an intervention resolves the person's crisis warning. */
export function recordService(body: ServiceCreate): Promise<ServiceRecorded> {
  const e = ENDPOINTS.psychService;
  return sendAuthorized<ServiceRecorded>({ method: e.method, path: e.path, body });
}

/** People whose latest result asks for a session not yet held; self-harm first. */
export function getAttention(): Promise<AttentionPage> {
  const e = ENDPOINTS.psychAttention;
  return sendAuthorized<AttentionPage>({ method: e.method, path: apiPath(e.path, {}, { limit: LIST_LIMIT }) });
}

export function getActivities(): Promise<ActivityPage> {
  const e = ENDPOINTS.psychActivities;
  return sendAuthorized<ActivityPage>({ method: e.method, path: apiPath(e.path, {}, { limit: LIST_LIMIT }) });
}

export function recordActivity(body: ActivityCreate): Promise<ActivityRecorded> {
  const e = ENDPOINTS.psychActivityCreate;
  return sendAuthorized<ActivityRecorded>({ method: e.method, path: e.path, body });
}

/** Every unit of `level` in the jurisdiction with its figures of one month on the district's clock (none: this month so far). */
export function getUnitFigures(level: PsychUnitLevel, period?: string): Promise<UnitFiguresPage> {
  const e = ENDPOINTS.psychUnits;
  return sendAuthorized<UnitFiguresPage>({ method: e.method, path: apiPath(e.path, {}, { level, period }) });
}

export function getInstructions(): Promise<InstructionPage> {
  const e = ENDPOINTS.psychInstructions;
  return sendAuthorized<InstructionPage>({ method: e.method, path: e.path });
}

export function issueInstruction(body: InstructionCreate): Promise<InstructionCreated> {
  const e = ENDPOINTS.psychInstructionCreate;
  return sendAuthorized<InstructionCreated>({ method: e.method, path: e.path, body });
}

/** The caller's unit answers an instruction addressed to it. */
export function answerInstruction(instructionId: string, body: InstructionFeedback): Promise<InstructionView> {
  const e = ENDPOINTS.psychFeedback;
  return sendAuthorized<InstructionView>({ method: e.method, path: apiPath(e.path, { instruction_id: instructionId }), body });
}

/** The month `period` (YYYY-MM; none: the current one on the district's clock) for the caller's unit: live figures, its report, the sub-units'. */
export function getReports(period?: string): Promise<ReportStatus> {
  const e = ENDPOINTS.psychReports;
  return sendAuthorized<ReportStatus>({ method: e.method, path: apiPath(e.path, {}, { period }) });
}

export function submitReport(body: ReportCreate): Promise<ReportSubmitted> {
  const e = ENDPOINTS.psychReportCreate;
  return sendAuthorized<ReportSubmitted>({ method: e.method, path: e.path, body });
}
