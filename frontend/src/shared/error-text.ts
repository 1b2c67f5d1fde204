/**
 * A refusal in the user's language: the server's machine `code` (and `field`) turned into a
 * sentence from the i18n tables, never its English `message` as the main text.
 *
 * The server's message stays available through `errorTechnical` for a `title` attribute or a
 * support line. Every code the backend can send needs an `error.code.<code>` entry in both
 * tables and a row in `CODE_TEXTS`; tests/unit/backend/test_error_codes_translated.py fails
 * when a new server code has none.
 */

import { ApiError } from "./http";
import { t, tk, type MessageKey } from "./i18n";

/** Codes from the server (backend/errors.py and its `code=` arguments), its realtime socket, and http.ts. */
const CODE_TEXTS: Readonly<Record<string, MessageKey>> = {
  // The ApiError classes' defaults and the exception handlers (backend/errors.py).
  bad_request: tk("error.code.bad_request"),
  not_found: tk("error.code.not_found"),
  conflict: tk("error.code.conflict"),
  unprocessable: tk("error.code.unprocessable"),
  unauthorized: tk("error.code.unauthorized"),
  forbidden: tk("error.code.forbidden"),
  too_many_requests: tk("error.code.too_many_requests"),
  invalid: tk("error.code.invalid"),
  method_not_allowed: tk("error.code.method_not_allowed"),
  too_large: tk("error.code.too_large"),
  http_error: tk("error.code.http_error"),
  internal: tk("error.code.internal"),
  // Sign-in and refresh.
  invalid_credentials: tk("error.code.invalid_credentials"),
  invalid_refresh: tk("error.code.invalid_refresh"),
  locked: tk("error.code.locked"),
  // Incidents, places, assignments, playbooks.
  ambiguous_place: tk("error.code.ambiguous_place"),
  unknown_address: tk("error.code.unknown_address"),
  outside_jurisdiction: tk("error.code.outside_jurisdiction"),
  unknown_patient: tk("error.code.unknown_patient"),
  unknown_playbook: tk("error.code.unknown_playbook"),
  one_key_required: tk("error.code.one_key_required"),
  idempotency_mismatch: tk("error.code.idempotency_mismatch"),
  no_playbook: tk("error.code.no_playbook"),
  bad_scenario: tk("error.code.bad_scenario"),
  close_refused: tk("error.code.close_refused"),
  incident_ended: tk("error.code.incident_ended"),
  offer_closed: tk("error.code.offer_closed"),
  bad_transition: tk("error.code.bad_transition"),
  not_qualified: tk("error.code.not_qualified"),
  responder_busy: tk("error.code.responder_busy"),
  not_responder: tk("error.code.not_responder"),
  step_not_waivable: tk("error.code.step_not_waivable"),
  step_not_running: tk("error.code.step_not_running"),
  reason_required: tk("error.code.reason_required"),
  // Follow-up visits and early warnings.
  in_future: tk("error.code.in_future"),
  too_old: tk("error.code.too_old"),
  before_visit: tk("error.code.before_visit"),
  later_than_rule: tk("error.code.later_than_rule"),
  follow_up_id_taken: tk("error.code.follow_up_id_taken"),
  period_and_range: tk("error.code.period_and_range"),
  already_registered: tk("error.code.already_registered"),
  entry_id_taken: tk("error.code.entry_id_taken"),
  check_id_taken: tk("error.code.check_id_taken"),
  entry_closed: tk("error.code.entry_closed"),
  not_your_group: tk("error.code.not_your_group"),
  before_found: tk("error.code.before_found"),
  hazard_cleared: tk("error.code.hazard_cleared"),
  not_your_department: tk("error.code.not_your_department"),
  signoff_id_taken: tk("error.code.signoff_id_taken"),
  officer_outside: tk("error.code.officer_outside"),
  assessment_id_taken: tk("error.code.assessment_id_taken"),
  session_id_taken: tk("error.code.session_id_taken"),
  activity_id_taken: tk("error.code.activity_id_taken"),
  instruction_id_taken: tk("error.code.instruction_id_taken"),
  report_id_taken: tk("error.code.report_id_taken"),
  already_reported: tk("error.code.already_reported"),
  future_period: tk("error.code.future_period"),
  district_does_not_report: tk("error.code.district_does_not_report"),
  grid_does_not_report: tk("error.code.grid_does_not_report"),
  in_past: tk("error.code.in_past"),
  no_sub_units: tk("error.code.no_sub_units"),
  not_a_sub_unit: tk("error.code.not_a_sub_unit"),
  naive: tk("error.code.naive"),
  before_since: tk("error.code.before_since"),
  unknown_person: tk("error.code.unknown_person"),
  wrong_count: tk("error.code.wrong_count"),
  out_of_range: tk("error.code.out_of_range"),
  warning_not_open: tk("error.code.warning_not_open"),
  // Rental inspections.
  more_than_tenants: tk("error.code.more_than_tenants"),
  duplicate_item: tk("error.code.duplicate_item"),
  // Disputes (backend/disputes).
  dispute_id_taken: tk("error.code.dispute_id_taken"),
  action_id_taken: tk("error.code.action_id_taken"),
  held_elsewhere: tk("error.code.held_elsewhere"),
  dispute_closed: tk("error.code.dispute_closed"),
  at_top: tk("error.code.at_top"),
  not_on_the_way: tk("error.code.not_on_the_way"),
  unknown_unit: tk("error.code.unknown_unit"),
  no_such_week: tk("error.code.no_such_week"),
  // Positions, coverage, paging, push.
  unavailable: tk("error.code.unavailable"),
  too_many_items: tk("error.code.too_many_items"),
  bad_cursor: tk("error.code.bad_cursor"),
  insecure_endpoint: tk("error.code.insecure_endpoint"),
  // The realtime socket (backend/realtime/, an `error` message).
  auth: tk("error.code.auth"),
  rate_limited: tk("error.code.rate_limited"),
  unknown_type: tk("error.code.unknown_type"),
  unsupported: tk("error.code.unsupported"),
  resync: tk("error.code.resync"),
  position_rejected: tk("error.code.position_rejected"),
  unknown_topic: tk("error.code.unknown_topic"),
  already_subscribed: tk("error.code.already_subscribed"),
  too_many_subscriptions: tk("error.code.too_many_subscriptions"),
  // Ours (http.ts): no answer, too late, or an answer that is not our JSON.
  network: tk("error.code.network"),
  timeout: tk("error.code.timeout"),
  bad_response: tk("error.code.bad_response"),
};

/** The request-body fields the views send, as the server names them in `field`. */
const FIELD_NAMES: Readonly<Record<string, MessageKey>> = {
  kind: tk("error.field.kind"),
  place: tk("error.field.place"),
  "place.address_id": tk("error.field.place.address_id"),
  "place.lat": tk("error.field.place.lat"),
  "place.lon": tk("error.field.place.lon"),
  "place.text": tk("error.field.place.text"),
  priority: tk("error.field.priority"),
  patient_id: tk("error.field.patient_id"),
  description: tk("error.field.description"),
  violent: tk("error.field.violent"),
  text: tk("error.field.text"),
  reason: tk("error.field.reason"),
  responder_id: tk("error.field.responder_id"),
  role: tk("error.field.role"),
  outcome: tk("error.field.outcome"),
  record_sheet_id: tk("error.field.record_sheet_id"),
  handover_hospital: tk("error.field.handover_hospital"),
  hospital_id: tk("error.field.hospital_id"),
  id_number: tk("error.field.id_number"),
  phone: tk("error.field.phone"),
  username: tk("error.field.username"),
  password: tk("error.field.password"),
  refresh_token: tk("error.field.refresh_token"),
  status: tk("error.field.status"),
  item: tk("error.field.item"),
  endpoint: tk("error.field.endpoint"),
  at: tk("error.field.at"),
  condition: tk("error.field.condition"),
  risk_grade: tk("error.field.risk_grade"),
  medication: tk("error.field.medication"),
  notes: tk("error.field.notes"),
  next_due_at: tk("error.field.next_due_at"),
  note: tk("error.field.note"),
  person_id: tk("error.field.person_id"),
  scale: tk("error.field.scale"),
  answers: tk("error.field.answers"),
  minutes: tk("error.field.minutes"),
  title: tk("error.field.title"),
  body: tk("error.field.body"),
  due_at: tk("error.field.due_at"),
  targets: tk("error.field.targets"),
  attendees: tk("error.field.attendees"),
  feedback: tk("error.field.feedback"),
  done: tk("error.field.done"),
  comment: tk("error.field.comment"),
  period: tk("error.field.period"),
  since: tk("error.field.since"),
  officer_id: tk("error.field.officer_id"),
  group: tk("error.field.group"),
  finding: tk("error.field.finding"),
  entry_id: tk("error.field.entry_id"),
  id: tk("error.field.id"),
  tenants: tk("error.field.tenants"),
  registered: tk("error.field.registered"),
  found: tk("error.field.found"),
  house_id: tk("error.field.house_id"),
  dispute_id: tk("error.field.dispute_id"),
  details: tk("error.field.details"),
  parties: tk("error.field.parties"),
  risk: tk("error.field.risk"),
  source: tk("error.field.source"),
  address_id: tk("error.field.address_id"),
  org_path: tk("error.field.org_path"),
  to_path: tk("error.field.to_path"),
  due_days: tk("error.field.due_days"),
  week: tk("error.field.week"),
};

/** The parts of a refusal that matter here: an `ApiError`, or a realtime `error` message. */
export interface Refusal {
  code: string;
  message: string;
  field?: string | null;
}

/**
 * One sentence for `err` in the current language: the text of its code, with the field's name
 * when the server named one. Unknown codes say so generically and quote the server's message;
 * anything that is not an `ApiError` gets the generic "did not work" text.
 */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    return describeRefusal(err);
  }
  return t("error.unexpected");
}

/** Like `describeError`, for a refusal that did not come as an `ApiError` (a realtime `error`). */
export function describeRefusal(refusal: Refusal): string {
  const key = lookup(CODE_TEXTS, refusal.code);
  const reason = key === undefined ? t("error.unknownCode", { message: refusal.message || refusal.code }) : t(key);
  const field = refusal.field ?? null;
  return field === null || field === "" ? reason : t("error.withField", { reason, field: fieldName(field) });
}

/** The localized name of a server `field` (`place.text`, `$.reason`, `answers[3]`, …); the raw name if unknown. */
export function fieldName(field: string): string {
  const indexed = /^(.+)\[(\d+)\]$/.exec(field);
  if (indexed !== null) {
    // one element of a list the request sent: "Answers (item 4)"
    return t("error.field.indexed", { field: fieldName(indexed[1] ?? ""), n: Number(indexed[2]) + 1 });
  }
  const bare = field.replace(/^\$\./, "");
  const last = bare.split(".").pop() ?? bare;
  const key = lookup(FIELD_NAMES, bare) ?? lookup(FIELD_NAMES, last);
  return key === undefined ? bare : t(key);
}

// Own keys only: a server string such as "constructor" must not find Object.prototype's.
function lookup(table: Readonly<Record<string, MessageKey>>, name: string): MessageKey | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/** The untranslated detail for support (`code: server message`), for a `title` attribute; "" if none. */
export function errorTechnical(err: unknown): string {
  if (err instanceof ApiError) {
    return err.message === "" ? err.code : `${err.code}: ${err.message}`;
  }
  return err instanceof Error ? err.message : "";
}

/** Shows `text` in `target` with the server's detail in its tooltip and the code in `data-code`. */
export function showErrorText(target: HTMLElement, text: string, err: unknown): void {
  target.textContent = text;
  const technical = errorTechnical(err);
  if (technical === "") {
    target.removeAttribute("title");
  } else {
    target.title = technical;
  }
  target.dataset.code = err instanceof ApiError ? err.code : "unexpected";
}
