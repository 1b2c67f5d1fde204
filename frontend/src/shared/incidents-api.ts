/**
 * Typed calls for incidents and intake: address search, patients at an address, the playbook
 * intake would pick, creating an incident, and the operator's hand on one (notes, priority,
 * assign, release, waive a stuck step, cancel, close). Views call these, never `fetch`.
 *
 * Failures are `ApiError`s (http.ts): `field` names the input the server refused, `details`
 * holds what to offer next (`candidates` of an ambiguous place, `missing` of a refused close).
 */

import { sendAuthorized } from "./auth";
import { ENDPOINTS } from "./endpoints";
import type {
  AddressPage,
  CloseIncidentRequest,
  CreateIncidentResult,
  HandoverRequest,
  IncidentCreateRequest,
  IncidentDetail,
  ManualAssignRequest,
  PatientLookupRequest,
  PatientPage,
  PatientView,
  PlaybookSummary,
  PlaybookSwitchRequest,
  Recommendation,
  SubjectLinkRequest,
  TimelineEntry,
} from "./types";

type Params = Record<string, string | number | boolean | undefined>;

/** `path` with its `{name}` segments filled and the defined `query` values appended. */
export function apiPath(path: string, fill: Record<string, string> = {}, query: Params = {}): string {
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(fill[name] ?? ""));
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) {
      search.set(name, String(value));
    }
  }
  const qs = search.toString();
  return qs === "" ? filled : `${filled}?${qs}`;
}

/** Unified addresses matching free text, best first (within the user's jurisdiction). */
export function searchAddresses(q: string, limit = 8): Promise<AddressPage> {
  const e = ENDPOINTS.addressSearch;
  return sendAuthorized<AddressPage>({ method: e.method, path: apiPath(e.path, {}, { q, limit }) });
}

/** Patients registered at an address, masked for this user (each read is audited). */
export function patientsAt(addressId: string): Promise<PatientPage> {
  const e = ENDPOINTS.patients;
  return sendAuthorized<PatientPage>({ method: e.method, path: apiPath(e.path, {}, { address_id: addressId }) });
}

/** The playbook an incident of `kind` (about `patientId`, if any) would run. */
export function selectPlaybook(kind: string, patientId: string | null, violent: boolean): Promise<PlaybookSummary> {
  const e = ENDPOINTS.playbookSelect;
  const query: Params = { kind, patient_id: patientId ?? undefined, violent: violent ? true : undefined };
  return sendAuthorized<PlaybookSummary>({ method: e.method, path: apiPath(e.path, {}, query) });
}

/** A playbook's whole definition (steps with their roles), as loaded by the server. */
export function getPlaybook(playbookId: string): Promise<Record<string, unknown>> {
  const e = ENDPOINTS.playbook;
  return sendAuthorized<Record<string, unknown>>({ method: e.method, path: apiPath(e.path, { playbook_id: playbookId }) });
}

/** Creates an incident; the same `idempotencyKey` with the same body returns the same incident. */
export function createIncident(body: IncidentCreateRequest, idempotencyKey: string): Promise<CreateIncidentResult> {
  const e = ENDPOINTS.incidentCreate;
  return sendAuthorized<CreateIncidentResult>({ method: e.method, path: e.path, body, headers: { "Idempotency-Key": idempotencyKey }, timeoutMs: 20_000 });
}

export function getIncident(incidentId: string): Promise<IncidentDetail> {
  const e = ENDPOINTS.incident;
  return sendAuthorized<IncidentDetail>({ method: e.method, path: apiPath(e.path, { incident_id: incidentId }) });
}

/** The incident's log after entry `after`, oldest first. */
export function getTimeline(incidentId: string, after = 0): Promise<TimelineEntry[]> {
  const e = ENDPOINTS.incidentTimeline;
  return sendAuthorized<TimelineEntry[]>({ method: e.method, path: apiPath(e.path, { incident_id: incidentId }, { after }) });
}

/** Who dispatch would offer now for `role`, care team first, with reasons. */
export function getRecommendations(incidentId: string, role: string, k = 5): Promise<Recommendation[]> {
  const e = ENDPOINTS.incidentRecommendations;
  return sendAuthorized<Recommendation[]>({ method: e.method, path: apiPath(e.path, { incident_id: incidentId }, { role, k }) });
}

function post<T>(endpoint: { method: "POST"; path: string }, fill: Record<string, string>, body: unknown): Promise<T> {
  return sendAuthorized<T>({ method: endpoint.method, path: apiPath(endpoint.path, fill), body });
}

export function addNote(incidentId: string, text: string): Promise<void> {
  return post(ENDPOINTS.incidentNote, { incident_id: incidentId }, { text });
}

export function changePriority(incidentId: string, priority: number, reason: string): Promise<void> {
  return post(ENDPOINTS.incidentPriority, { incident_id: incidentId }, { priority, reason });
}

export function cancelIncident(incidentId: string, reason: string): Promise<void> {
  return post(ENDPOINTS.incidentCancel, { incident_id: incidentId }, { reason });
}

export function assignResponder(incidentId: string, body: ManualAssignRequest): Promise<{ assignment_id: string }> {
  return post(ENDPOINTS.incidentAssign, { incident_id: incidentId }, body);
}

export function releaseAssignment(incidentId: string, assignmentId: string, reason: string): Promise<void> {
  return post(ENDPOINTS.incidentRelease, { incident_id: incidentId, assignment_id: assignmentId }, { reason });
}

/** Records that the subject was handed over to a registered hospital: its bed counts as in use until the incident ends. */
export function handOver(incidentId: string, hospitalId: string): Promise<IncidentDetail> {
  const body: HandoverRequest = { hospital_id: hospitalId };
  return post(ENDPOINTS.incidentHandover, { incident_id: incidentId }, body);
}

/** Links the registered patient the incident concerns (identified after intake); `reason` when replacing one. */
export function identifySubject(incidentId: string, patientId: string, reason?: string): Promise<IncidentDetail> {
  const body: SubjectLinkRequest = { patient_id: patientId, ...(reason ? { reason } : {}) };
  return post(ENDPOINTS.incidentPatient, { incident_id: incidentId }, body);
}

/** Runs another playbook on the live incident: the people already working stay on it. */
export function switchPlaybook(incidentId: string, playbookId: string, reason: string): Promise<IncidentDetail> {
  const body: PlaybookSwitchRequest = { playbook_id: playbookId, reason };
  return post(ENDPOINTS.incidentPlaybook, { incident_id: incidentId }, body);
}

/** The playbooks in force (newest versions), for choosing one to run. */
export function listPlaybooks(): Promise<PlaybookSummary[]> {
  const e = ENDPOINTS.playbooks;
  return sendAuthorized<PlaybookSummary[]>({ method: e.method, path: e.path });
}

/** The patients in the caller's jurisdiction with this ID number (masked; each read audited). */
export function lookupPatient(key: PatientLookupRequest): Promise<PatientPage> {
  return post(ENDPOINTS.patientLookup, {}, key);
}

/** One patient, masked for the caller (the read is audited). */
export function getPatientView(patientId: string): Promise<PatientView> {
  const e = ENDPOINTS.patient;
  return sendAuthorized<PatientView>({ method: e.method, path: apiPath(e.path, { patient_id: patientId }) });
}

export function closeIncident(incidentId: string, body: CloseIncidentRequest): Promise<IncidentDetail> {
  return post(ENDPOINTS.incidentClose, { incident_id: incidentId }, body);
}

/** Waives a running step that cannot complete, with why; the playbook moves on as if it had. */
export function waiveStep(incidentId: string, stepId: string, reason: string): Promise<IncidentDetail> {
  return post(ENDPOINTS.incidentWaiveStep, { incident_id: incidentId, step_id: stepId }, { reason });
}
