/**
 * Shapes the responder app reads from the server (snake_case, as sent) and keeps itself.
 *
 * Server shapes mirror `backend/incidents/briefs.py` (`AssignmentBrief`), the offer payload of
 * `backend/incidents/dispatcher.py` (`offer_payload`), `backend/api/responders/schemas.py`
 * (`Responder`) and `backend/api/people/schemas.py` (`PatientView`).
 */

/** Duty status as the server keeps it (`responders.duty_status`). */
export type DutyStatus = "off_duty" | "available" | "offered" | "assigned" | "en_route" | "on_scene" | "busy";

/** `GET /api/responders/me` and `PUT /api/responders/me/duty`. */
export interface ResponderRecord {
  id: string;
  display_name: string;
  duty_status: DutyStatus;
  capabilities: string[];
  position_known: boolean;
}

/** Assignment states the app shows. */
export type AssignmentState =
  | "offered"
  | "accepted"
  | "declined"
  | "expired"
  | "withdrawn"
  | "en_route"
  | "on_scene"
  | "cleared"
  | "released";

export const WORKING_STATES: readonly AssignmentState[] = ["accepted", "en_route", "on_scene"];

export interface PatientSummary {
  name: string;
  risk_grade: number;
}

/** What an offer shows before acceptance (the `assignment.offered` event on `me`). */
export interface Offer {
  assignment_id: string;
  incident_id: string;
  kind: string;
  priority: number;
  role: string;
  address: string | null;
  lat: number;
  lon: number;
  distance_m: number | null;
  eta_s: number | null;
  /** Unix seconds. */
  expires_at: number | null;
  violent: boolean;
  patient: PatientSummary | null;
}

export interface ChecklistEntry {
  item: string;
  text_zh: string;
  text_en: string;
  required: boolean;
  ticked: boolean;
}

export interface TeamMember {
  responder_id: string;
  display_name: string;
  role: string;
  state: AssignmentState;
  distance_m: number | null;
  eta_s: number | null;
  is_me: boolean;
}

export interface AssignmentViewData {
  id: string;
  incident_id: string;
  role: string;
  state: AssignmentState;
  distance_m: number | null;
  eta_s: number | null;
  expires_at: string | null;
}

export interface IncidentSummaryData {
  id: string;
  kind: string;
  /** The playbook it runs: the command centre may replace it while the work goes on. */
  playbook_id: string;
  priority: number;
  state: string;
  lat: number;
  lon: number;
  address: string | null;
}

/** `GET /api/assignments/{id}/brief`. */
export interface AssignmentBrief {
  assignment: AssignmentViewData;
  incident: IncidentSummaryData;
  description: string | null;
  violent: boolean;
  flags: string[];
  patient: PatientSummary | null;
  /** Set only while the assignment is accepted and running (the need-to-know grant). */
  patient_id: string | null;
  checklist: ChecklistEntry[];
  team: TeamMember[];
}

/** The need-to-know record (`GET /api/patients/{id}` with access `need_to_know`). */
export interface PatientRecord {
  person: { id: string; name: string | null; address: string | null; gender: string | null; birth_year: number | null };
  risk_grade: number | null;
  guardian_name: string | null;
  guardian_phone: string | null;
  de_escalation_notes: string | null;
  medication: string | null;
  care_team: { display_name: string; role: string; is_primary: boolean }[] | null;
  access: string;
}

/** What the responder can send about an assignment; `note` carries text. */
export type CommandAction = "accept" | "decline" | "en_route" | "on_scene" | "clear" | "need_backup" | "tick" | "note";

/** One message waiting to reach the server, in the order it was made. */
export interface QueuedCommand {
  client_msg_id: string;
  assignment_id: string;
  action: CommandAction;
  reason?: string;
  item?: string;
  text?: string;
  /** ms since the epoch, when it was tapped. */
  made_at: number;
}

/** An offer built from a brief (after a reload, when the offer event is long gone). */
export function offerFromBrief(brief: AssignmentBrief): Offer {
  const expires = brief.assignment.expires_at === null ? null : Date.parse(brief.assignment.expires_at) / 1000;
  return {
    assignment_id: brief.assignment.id,
    incident_id: brief.incident.id,
    kind: brief.incident.kind,
    priority: brief.incident.priority,
    role: brief.assignment.role,
    address: brief.incident.address,
    lat: brief.incident.lat,
    lon: brief.incident.lon,
    distance_m: brief.assignment.distance_m,
    eta_s: brief.assignment.eta_s,
    expires_at: expires,
    violent: brief.violent,
    patient: brief.patient,
  };
}

/** Reads an `assignment.offered` event's data; null when it is not one this build understands. */
export function offerFromEvent(data: Record<string, unknown>): Offer | null {
  const str = (k: string): string | null => (typeof data[k] === "string" ? (data[k] as string) : null);
  const num = (k: string): number | null => (typeof data[k] === "number" ? (data[k] as number) : null);
  const assignmentId = str("assignment_id");
  const incidentId = str("incident_id");
  const lat = num("lat");
  const lon = num("lon");
  if (assignmentId === null || incidentId === null || lat === null || lon === null) {
    return null;
  }
  const patient = data.patient;
  return {
    assignment_id: assignmentId,
    incident_id: incidentId,
    kind: str("kind") ?? "",
    priority: num("priority") ?? 3,
    role: str("role") ?? "",
    address: str("address"),
    lat,
    lon,
    distance_m: num("distance_m"),
    eta_s: num("eta_s"),
    expires_at: num("expires_at"),
    violent: data.violent === true,
    patient:
      typeof patient === "object" && patient !== null && "name" in patient && "risk_grade" in patient
        ? (patient as PatientSummary)
        : null,
  };
}
