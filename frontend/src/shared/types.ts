/**
 * Shapes of the backend's HTTP API (the contract in docs/frontend.md) and of the live feeds.
 *
 * Property names are snake_case exactly as the server sends them. `npm run types:check-contract`
 * compares the contracted interfaces here against the backend's OpenAPI document, so rename a
 * property only together with the backend.
 */

// ---------------------------------------------------------------------------------------------
// Contracted HTTP API
// ---------------------------------------------------------------------------------------------

export type Locale = "zh-CN" | "en";

/** `GET /api/client-config` (no auth). */
export interface ClientConfig {
  map_style_url: string | null;
  default_locale: Locale;
  app_name: string;
}

/** `POST /api/auth/login` body. */
export interface LoginRequest {
  username: string;
  password: string;
}

/** `POST /api/auth/refresh` and `POST /api/auth/logout` body. */
export interface RefreshRequest {
  refresh_token: string;
}

/** Answer of `POST /api/auth/login` and `POST /api/auth/refresh`. */
export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  token_type: "bearer";
  expires_in: number;
  user: Me;
}

export type OrgLevel = "district" | "street" | "community" | "grid";

/** The org unit a user belongs to; its path (e.g. `440310.01.03.12`) bounds their jurisdiction. */
export interface OrgUnitRef {
  path: string;
  level: OrgLevel;
  name_zh: string;
  name_en: string;
}

/** A menu the server lets this user see; the frontend shows exactly these and no others. */
export type MenuId = "wall" | "console" | "leader" | "responder" | "casework" | "psych" | "ledgers" | "rentals" | "disputes" | "audit" | "admin";

/** `GET /api/me`. */
export interface Me {
  id: string;
  username: string;
  display_name: string;
  roles: string[];
  capabilities: string[];
  org_unit: OrgUnitRef;
  menus: MenuId[];
  /** What the server lets this user do (`backend/security/policy.py`, `Permission`): pages show only what it allows. */
  permissions: string[];
  /** A department officer's department (部门账号: the ledgers of its groups alone); null for everyone else. */
  department?: string | null;
}

/** Levels `GET /api/geo/units?level=` accepts. */
export type BoundaryLevel = Exclude<OrgLevel, "district">;

/** Properties of each polygon in `GET /api/geo/units`. */
export interface OrgUnitProperties {
  path: string;
  level: OrgLevel;
  name_zh: string;
  name_en: string;
  parent_path: string | null;
}

export type Position = [number, number] | [number, number, number];

export interface PolygonGeometry {
  type: "Polygon";
  coordinates: Position[][];
}

export interface MultiPolygonGeometry {
  type: "MultiPolygon";
  coordinates: Position[][][];
}

export interface OrgUnitFeature {
  type: "Feature";
  id?: string | number;
  /** Null for a unit whose boundary is not surveyed yet (it is then listed but not drawn). */
  geometry: PolygonGeometry | MultiPolygonGeometry | null;
  properties: OrgUnitProperties;
}

/** `GET /api/geo/units?level=…` — only units inside the user's jurisdiction. */
export interface OrgUnitCollection {
  type: "FeatureCollection";
  features: OrgUnitFeature[];
}

/** `GET /api/geo/bounds`. */
export interface GeoBounds {
  bbox: [west: number, south: number, east: number, north: number];
  center: [lon: number, lat: number];
}

/** The body of every 4xx/5xx answer. */
export interface ErrorBody {
  error: {
    code: string;
    message: string;
    field: string | null;
  };
}

// ---------------------------------------------------------------------------------------------
// Live feeds (pushed by the realtime client; not yet contracted, shapes agreed in the brief)
// ---------------------------------------------------------------------------------------------

/** One H3 cell of an aggregate (responders, incidents, key persons — counted, never listed). */
export interface HexCount {
  cell: string;
  count: number;
}

/** Duty or assignment status of a responder as the wall colours it. */
export type ResponderStatus = "available" | "offered" | "assigned" | "en_route" | "on_scene" | "busy" | "off_duty";

/** One responder's last known position. `age_s` is seconds since the position was reported. */
export interface ResponderPosition {
  id: string;
  lat: number;
  lon: number;
  status: ResponderStatus;
  capabilities: string[];
  age_s: number;
}

/** 1 is the most urgent, 5 the least (each drawn as its own level). */
export type IncidentPriority = 1 | 2 | 3 | 4 | 5;

/** The playbook step an incident is at; `id` is for machines, the titles are for people. */
export interface IncidentStep {
  id: string;
  title_zh: string | null;
  title_en: string | null;
  /** When the step is due (ISO 8601), if it has a deadline. */
  deadline_at: string | null;
}

/** One open incident as the wall, console and leader view list it (provisional shape). */
export interface LiveIncident {
  id: string;
  lat: number;
  lon: number;
  priority: IncidentPriority;
  kind: string;
  state: string;
  title: string;
  address: string;
  opened_at: string;
  escalated: boolean;
  /** The playbook step it is at. */
  step: IncidentStep | null;
  /** Where it is in the jurisdiction tree (the wall's street/community drill-down filters by it). */
  org_path?: string;
  /** Someone called from the same place in the last 30 days too. */
  repeat_call?: boolean;
}

/** Headline numbers for the KPI tiles; a null duration means "no sample yet". Counts of live
 * incidents and responders come from the live feeds, the rest from the server (today's KPIs). */
export interface KpiSnapshot {
  live_incidents: number;
  escalated_incidents: number;
  responders_on_duty: number;
  p50_time_to_alert_s: number | null;
  p50_time_to_ack_s: number | null;
  p50_time_to_arrive_s: number | null;
  p90_time_to_alert_s?: number | null;
  p90_time_to_ack_s?: number | null;
  p90_time_to_arrive_s?: number | null;
  /** Incidents opened and closed since local midnight (null until the server said). */
  opened_today?: number | null;
  closed_today?: number | null;
  /** Responders on duty per capability, as the server counts them. */
  on_duty_by_capability?: Record<string, number>;
}

/** p50/p90 seconds of one milestone over `n` incidents (`/api/kpi/*`, backend/kpi/models.py). */
export interface KpiDurations {
  p50_s: number | null;
  p90_s: number | null;
  n: number;
}

/** The KPIs of one set of incidents. */
export interface KpiFigureSet {
  opened: number;
  closed: number;
  to_alert: KpiDurations;
  to_accept: KpiDurations;
  to_arrive: KpiDurations;
}

/** `GET /api/kpi/today`, and the `kpis` part of the `wall`/`leader` snapshot. */
export interface TodayKpis {
  org_path: string;
  day_start: string;
  figures: KpiFigureSet;
  on_duty_by_capability: Record<string, number>;
  on_duty: number;
}

/** One bucket (a local day or ISO week) of a unit's KPIs. */
export interface BucketFigures {
  start: string;
  figures: KpiFigureSet;
}

/** The KPI series of one unit (or the `total`). */
export interface UnitSeries {
  path: string;
  name_zh: string;
  name_en: string;
  buckets: BucketFigures[];
}

/** `GET /api/kpi/trends`. */
export interface KpiTrends {
  org_path: string;
  bucket: "day" | "week";
  level: "street" | "community";
  since: string;
  until: string;
  total: UnitSeries;
  units: UnitSeries[];
}

/** p50/p90 time to accept and to arrive of the incidents opened in one H3 cell. */
export interface SlaCell {
  cell: string;
  lat: number;
  lon: number;
  incidents: number;
  to_accept: KpiDurations;
  to_arrive: KpiDurations;
}

/** `GET /api/kpi/sla-cells`. */
export interface SlaCells {
  org_path: string;
  res: number;
  since: string;
  until: string;
  cells: SlaCell[];
}

/** One cell of `GET /api/map/cells`: a count (null = withheld, 1–4 on sensitive layers) at its centre. */
export interface MapCellCount {
  cell: string;
  lat: number;
  lon: number;
  count: number | null;
  suppressed: boolean;
}

/** `GET /api/map/cells` (backend/api/map/schemas.py `CellCounts`). */
export interface CellCountsResponse {
  layer: string;
  key: string | null;
  res: number;
  cells: MapCellCount[];
  suppressed_cells: number;
}

/** `GET /api/incidents/{id}/archive/`: `data` is the archive as built at close. */
export interface ArchiveView {
  incident_id: string;
  built_at: string;
  reviewed_at: string | null;
  data: {
    incident: {
      id: string;
      kind: string;
      priority: number;
      state: string;
      address: string | null;
      org_path: string;
      opened_at: number;
      updated_at: number;
      escalations: number;
    };
    outcome: string | null;
    record_sheet_id: string | null;
    handover_hospital: string | null;
    kpis: { to_first_offer_s: number | null; to_first_accept_s: number | null; to_first_arrival_s: number | null; to_close_s: number | null };
    deadlines: { timer_id: string; purpose: string; due_at: string; fired_at: string | null; met: boolean; outcome?: "met" | "missed" | "cancelled" | "open" }[];
    assignments: { id: string; display_name: string; role: string; state: string; offered_at: string; accepted_at: string | null; on_scene_at: string | null }[];
    timeline: { id: number; at: string; kind: string; actor_name: string | null; data: Record<string, unknown> }[];
    /** Early warnings live when the call came (absent from archives built before them). */
    foreseen?: { id: number; rule: WarningRule; level: WarningLevel; raised_at: string; acknowledged_at: string | null; acknowledged_by_name: string | null; ack_note: string | null; days_before_call: number }[];
  };
  /** The server declares notes as free-form objects, so the contract check cannot see inside. */
  notes: { at: string; author_name: string; text: string }[];
}

/** A review note on an after-action archive. */
export type ArchiveNote = ArchiveView["notes"][number];

export type KeyPlaceKind = "key_area" | "key_facility" | "safety_post" | "hospital";

/** One key place; `capacity`, `in_use` and `free` are set for hospitals only. */
export interface KeyPlace {
  id: string;
  kind: KeyPlaceKind;
  category: string | null;
  name: string;
  lat: number;
  lon: number;
  org_path: string;
  psychiatric: boolean;
  capacity: number | null;
  /** Live incidents whose hand-over names this hospital (backend/api/keyplaces/services.py). */
  in_use: number | null;
  free: number | null;
}

/** `GET /api/map/key-places`. */
export interface KeyPlaces {
  org_path: string;
  items: KeyPlace[];
  counts: Record<string, number>;
  truncated: boolean;
}

/** A grid with high-risk patients nobody qualified reaches in time (counts only). */
export interface CoverageGap {
  path: string;
  name_zh: string;
  name_en: string;
  lat: number;
  lon: number;
  /** High-risk patients; null (and `suppressed`) for 1–4. */
  high_risk: number | null;
  suppressed: boolean;
  /** Best ETA of an available qualified responder; null = nobody within reach. */
  best_eta_s: number | null;
}

/** `GET /api/coverage/gaps`. */
export interface CoverageGaps {
  org_path: string;
  minutes: number;
  capabilities: string[];
  min_risk_grade: number;
  grids_checked: number;
  gaps: CoverageGap[];
  computed_at: string;
}

export type TickerSeverity = "info" | "warning" | "critical";

/** One line of the event ticker; `text` is already localised by whoever pushes it. */
export interface TickerEvent {
  id: string;
  at: string;
  severity: TickerSeverity;
  text: string;
}

/** Where one responder is in one incident (provisional; the responder app shows it). */
export type AssignmentState = "offered" | "accepted" | "en_route" | "on_scene" | "cleared";

/** The need-to-know view of one assignment sent to a responder's phone (provisional). */
export interface ResponderAssignment {
  id: string;
  incident_id: string;
  state: AssignmentState;
  priority: IncidentPriority;
  kind: string;
  address: string;
  lat: number;
  lon: number;
  summary: string;
  respond_by: string | null;
}

// ---------------------------------------------------------------------------------------------
// Realtime protocol (`/ws`, subprotocol pingan.v1) — mirrors backend/realtime/protocol.py
// ---------------------------------------------------------------------------------------------
//
// `npm run check` runs scripts/check-ws-contract.mjs, which parses protocol.py and fails when a
// Struct, its tag, a field, a field's type or optionality differs from the `Ws<StructName>`
// interface here. Rules: `Ws` + the Struct's name; `type` is the Struct's tag; a field with a
// default in Python may be optional here (client → server ones must be); `X | None` is
// `X | null`; `dict[str, Any]` is `Record<string, unknown>`; `array_like` Structs are labelled
// tuples in field order.

export const WS_SUBPROTOCOL = "pingan.v1";
export const WS_TOKEN_PREFIX = "bearer.";

/** Close codes the server uses (`CloseCode` in protocol.py). */
export const WS_CLOSE = {
  NORMAL: 1000,
  POLICY: 1008,
  TOO_BIG: 1009,
  AUTH_FAILED: 4001,
  FORBIDDEN: 4003,
  TOO_SLOW: 4008,
  TOO_MANY: 4029,
  GOING_AWAY: 1001,
} as const;

// --- client → server ---

/** Authenticate with an access token (only when it was not offered in the subprotocol). */
export interface WsHello {
  type: "hello";
  token: string;
}

/** A fresh access token for the same user: keeps the socket open past the old expiry. */
export interface WsRefresh {
  type: "refresh";
  token: string;
}

/** Where a client stopped reading a stream. */
export interface WsCursor {
  epoch: string;
  seq: number;
}

export interface WsSubscribe {
  type: "subscribe";
  topic: string;
  since?: WsCursor | null;
}

export interface WsUnsubscribe {
  type: "unsubscribe";
  topic: string;
}

export interface WsPing {
  type: "ping";
  nonce?: string;
}

/** A responder's own position (the responder app sends it). */
export interface WsPositionUpdate {
  type: "position";
  lat: number;
  lon: number;
  ts: number;
  accuracy_m?: number;
  speed_mps?: number;
  heading_deg?: number | null;
}

/** A responder's answer or status for one of its assignments; applied once, answered `ack`. */
export interface WsAssignmentCommand {
  type: "assignment";
  assignment_id: string;
  action: "accept" | "decline" | "en_route" | "on_scene" | "clear" | "need_backup" | "tick" | "note";
  reason?: string | null;
  item?: string | null;
  client_msg_id?: string | null;
  /** The words of a `note`. */
  text?: string | null;
}

export type WsClientMessage =
  | WsHello
  | WsRefresh
  | WsSubscribe
  | WsUnsubscribe
  | WsPing
  | WsPositionUpdate
  | WsAssignmentCommand;

// --- server → client ---

/** Authentication accepted; times are Unix seconds on the server's clock. */
export interface WsWelcome {
  type: "welcome";
  user_id: string;
  username: string;
  expires_at: number;
  server_time: number;
  limits: Record<string, number>;
}

/** A subscription is live; `replayed` events followed `since`, or a snapshot was sent. */
export interface WsSubscribed {
  type: "subscribed";
  topic: string;
  stream: string;
  epoch: string;
  seq: number;
  replayed: number;
}

/** The full state of a topic as of `seq` of `stream`; `reset`: drop local state first. */
export interface WsSnapshot {
  type: "snapshot";
  topic: string;
  stream: string;
  epoch: string;
  seq: number;
  reset: boolean;
  data: Record<string, unknown>;
}

/** One committed event; `id` is unique for ever (de-duplicate by it), `seq` orders a stream. */
export interface WsEvent {
  type: "event";
  stream: string;
  epoch: string;
  seq: number;
  id: number;
  kind: string;
  at: number;
  org_path: string | null;
  subject: string | null;
  data: Record<string, unknown>;
}

/** One responder's latest position, compact; `ts` is the report time (Unix seconds). */
export type WsPositionItem = [responder_id: string, lat: number, lon: number, status: string, ts: number, capabilities: string[]];

/** Positions changed since the previous batch; the first batch after subscribing holds all. */
export interface WsPositions {
  type: "positions";
  topic: string;
  seq: number;
  items: WsPositionItem[];
  removed: string[];
}

export interface WsPong {
  type: "pong";
  nonce: string;
  server_time: number;
}

/** A message was refused; the socket stays open unless a close follows. */
/** A command was applied (or had been already). */
export interface WsAck {
  type: "ack";
  client_msg_id: string | null;
  assignment_id: string;
  action: string;
}

export interface WsError {
  type: "error";
  code: string;
  message: string;
  topic: string | null;
  /** Set when the refused message was an assignment command carrying one. */
  client_msg_id?: string | null;
  /** The field of the refused message at fault (dotted path, as in HTTP errors), if one was. */
  field?: string | null;
}

export type WsServerMessage =
  | WsWelcome
  | WsSubscribed
  | WsSnapshot
  | WsEvent
  | WsPositions
  | WsPong
  | WsAck
  | WsError;

// ---------------------------------------------------------------------------------------------
// Incidents and intake (the operator console) — backend/incidents/models.py, api/places,
// api/people, api/playbooks. Times from these endpoints are ISO 8601 strings, except the
// summary's `opened_at`, `updated_at` and `step.deadline_at`, which are Unix seconds.
// ---------------------------------------------------------------------------------------------

/** Where an incident is: exactly one of an address id, coordinates, or free text. */
export interface PlaceInput {
  address_id?: string;
  lat?: number;
  lon?: number;
  text?: string;
}

/** `POST /api/incidents` body (send an `Idempotency-Key` header too). */
export interface IncidentCreateRequest {
  kind: string;
  place: PlaceInput;
  priority?: number;
  patient_id?: string;
  description?: string;
  violent?: boolean;
}

/** The running step of an incident's playbook; `deadline_at` in Unix seconds. */
export interface IncidentStepInfo {
  id: string;
  title_zh: string | null;
  title_en: string | null;
  deadline_at: number | null;
  /** The operator may waive it (running, and not the close step). */
  waivable?: boolean;
}

/** What every view may know of an incident (no personal data). */
export interface IncidentSummary {
  id: string;
  kind: string;
  priority: number;
  state: string;
  lat: number;
  lon: number;
  address: string | null;
  org_path: string;
  opened_at: number;
  updated_at: number;
  playbook_id: string;
  playbook_version: number;
  step: IncidentStepInfo | null;
  escalations: number;
  /** Assignments by state (offered, accepted, en_route, …). */
  responders: Record<string, number>;
  has_patient: boolean;
  version: number;
}

/** One responder on one incident: offered → accepted/declined/expired → en route → on scene → cleared. */
export interface AssignmentView {
  id: string;
  incident_id: string;
  responder_id: string;
  display_name: string;
  role: string;
  step_id: string;
  state: string;
  manual: boolean;
  distance_m: number | null;
  eta_s: number | null;
  reasons: string[];
  reason: string | null;
  offered_at: string;
  expires_at: string | null;
  accepted_at: string | null;
  en_route_at: string | null;
  on_scene_at: string | null;
  ended_at: string | null;
}

/** `GET /api/incidents/{id}`: the incident, its assignments and checklists. */
/** An earlier incident at the same place (`IncidentDetail.earlier`). */
export interface EarlierIncident {
  id: string;
  kind: string;
  state: string;
  outcome: string | null;
  created_at: string;
}

export interface PlaceHistory {
  count: number;
  latest: EarlierIncident[];
}

export interface IncidentDetail {
  summary: IncidentSummary;
  description: string | null;
  source: string;
  violent: boolean;
  flags: string[];
  /** The unified address it was placed at (null for coordinates or an unmatched text). */
  address_id?: string | null;
  patient_id: string | null;
  assignments: AssignmentView[];
  /** Checklist state by role, as the playbook run keeps it. */
  checklists: Record<string, unknown>;
  outcome: string | null;
  closed_at: string | null;
  /** Every step the run waits on (a fork waits on several); `summary.step` is the first. */
  running_steps?: IncidentStepInfo[];
  /** Earlier incidents at the same place in the last 30 days: how many, the latest few. */
  earlier?: PlaceHistory;
  /** Live early warnings about its patient or its address (the rule and how urgent only). */
  warnings?: WarningNote[];
}

/** `IncidentDetail.warnings`: a live warning about the incident's patient or address. */
export interface WarningNote {
  id: number;
  rule: WarningRule;
  level: WarningLevel;
  state: WarningState;
  raised_at: string;
}

/** Answer of `POST /api/incidents` (201 created, 200 the same incident for a repeated key). */
export interface CreateIncidentResult {
  incident: IncidentDetail | null;
  patient_suggestion: string | null;
}

/** One fact of an incident's append-only log. */
export interface TimelineEntry {
  id: number;
  at: string;
  kind: string;
  actor_name: string | null;
  data: Record<string, unknown>;
}

/** One unified address that may be what the text meant (score 0–1). */
export interface AddressCandidate {
  address_id: string;
  text: string;
  score: number;
  org_path: string;
  lat: number;
  lon: number;
}

/** `GET /api/addresses/search?q=`. */
export interface AddressPage {
  items: AddressCandidate[];
}

/** One responder dispatch would offer now, with why (`GET /api/incidents/{id}/recommendations`). */
export interface Recommendation {
  responder_id: string;
  display_name: string;
  distance_m: number;
  eta_s: number;
  capabilities: string[];
  reasons: string[];
}

/** A person as the server shows it to this user (masked fields arrive masked or null). */
export interface PersonView {
  id: string;
  org_path: string;
  address_id: string | null;
  name: string | null;
  /** Masked (`4403**********1234`) or null for most roles. */
  id_number: string | null;
  phone: string | null;
  address: string | null;
  gender: string | null;
  birth_year: number | null;
  tags: string[] | null;
  masked: boolean;
}

/** A patient as the server shows it to this user. */
export interface PatientView {
  person: PersonView;
  risk_grade: number | null;
  guardian_name: string | null;
  guardian_phone: string | null;
  de_escalation_notes: string | null;
  /** Null when this user may not see the team. */
  care_team: CareTeamMember[] | null;
  last_follow_up_at: string | null;
}

/** `GET /api/patients?address_id=`. */
export interface PatientPage {
  items: PatientView[];
}

/** One step of a playbook as the console lists it (a free-form dict on the server, hence a type). */
export type PlaybookStepSummary = {
  id: string;
  type: string;
  title: Record<string, string> | null;
};

/** `GET /api/playbooks/select` and the items of `GET /api/playbooks`. */
export interface PlaybookSummary {
  id: string;
  version: number;
  title: Record<string, string>;
  kinds: string[];
  steps: PlaybookStepSummary[];
}

/** `POST /api/incidents/{id}/notes`. */
export interface NoteRequest {
  text: string;
}

/** `POST /api/incidents/{id}/priority`. */
export interface PriorityRequest {
  priority: number;
  reason: string;
}

/** `POST /api/incidents/{id}/cancel` and `…/assignments/{aid}/release`. */
export interface ReasonRequest {
  reason: string;
}

/** `POST /api/incidents/{id}/assign`. */
export interface ManualAssignRequest {
  responder_id: string;
  role: string;
  reason: string;
}

/** `POST /api/incidents/{id}/handover`: a hospital of the key-place register. */
export interface HandoverRequest {
  hospital_id: string;
}

/** `POST /api/incidents/{id}/patient`: the subject identified after intake; replacing a linked patient needs `reason` (422 `reason_required`). */
export interface SubjectLinkRequest {
  patient_id: string;
  reason?: string;
}

/** `POST /api/incidents/{id}/playbook`: run another playbook of the library instead, with why. */
export interface PlaybookSwitchRequest {
  playbook_id: string;
  reason: string;
}

/**
 * `POST /api/patients/lookup`: exactly one of the ID number or a phone number (the patient's own
 * or their guardian's), in the body, never in a URL; 404 names the field when nobody in the
 * jurisdiction has it, 422 `one_key_required` for neither or both.
 */
export interface PatientLookupRequest {
  id_number?: string;
  phone?: string;
}

/** `POST /api/incidents/{id}/close`; a 409 `close_refused` lists `details.missing`. */
export interface CloseIncidentRequest {
  outcome?: string;
  record_sheet_id?: string;
  handover_hospital?: string;
}

// ---------------------------------------------------------------------------------------------
// Follow-ups and early warnings (the case work page) — backend/followups/models.py,
// backend/early_warning/models.py, backend/api/people/schemas.py (`CareTeamMember`). Times are
// ISO 8601 strings with their offset.
// ---------------------------------------------------------------------------------------------

/** Roles on a patient's care team. */
export type CareRole =
  | "family"
  | "community_doctor"
  | "psychiatrist"
  | "police"
  | "community_staff"
  | "social_worker"
  | "civil_affairs"
  | "disability_federation"
  | "grid_worker";

/** One member of a patient's care team, primary first. */
export interface CareTeamMember {
  user_id: string;
  display_name: string;
  role: CareRole;
  is_primary: boolean;
}

export type VisitKind = "home_visit" | "phone" | "clinic" | "outreach";
/** 病情 found at a visit. */
export type VisitCondition = "stable" | "basically_stable" | "unstable";
/** 服药 found at a visit. */
export type Medication = "regular" | "irregular" | "none";
export type WarningLevel = "warning" | "serious";
export type WarningState = "open" | "acknowledged" | "resolved";

/** The live warning about a patient of the worklist. */
export interface WarningRef {
  id: number;
  level: WarningLevel;
  state: WarningState;
}

/** A patient on the worklist, masked for this user. `days_overdue` < 0: days still left. */
export interface DueItem {
  patient_id: string;
  name: string | null;
  address: string | null;
  org_path: string;
  risk_grade: number;
  last_follow_up_at: string | null;
  due_at: string;
  days_overdue: number;
  /** Past due, however little (the header's count counts these). */
  overdue: boolean;
  on_my_team: boolean;
  warning: WarningRef | null;
}

/** `GET /api/follow-ups/due`: overdue first, then soonest due; `overdue` counts the whole scope. */
export interface DuePage {
  items: DueItem[];
  overdue: number;
}

/** One visit of the shared record; `notes` only for those who may record visits. */
export interface FollowUpView {
  id: string;
  patient_id: string;
  by_user: string;
  by_name: string;
  at: string;
  kind: VisitKind;
  condition: VisitCondition;
  risk_grade: number;
  medication: Medication;
  notes: string | null;
  notes_hidden: boolean;
  next_due_at: string;
  recorded_at: string;
}

/** `GET /api/patients/{id}/follow-ups`: newest first, and when the next visit is due. */
export interface FollowUpPage {
  items: FollowUpView[];
  due_at: string;
}

/**
 * `POST /api/patients/{id}/follow-ups`. `id` is made once per visit by the client and reused on
 * every retry, so the visit is stored once; `next_due_at` only sooner than the rule.
 */
export interface FollowUpCreate {
  id: string;
  at: string;
  kind: VisitKind;
  condition: VisitCondition;
  risk_grade: number;
  medication: Medication;
  notes?: string;
  next_due_at?: string;
}

/** Answer of `POST /api/patients/{id}/follow-ups` (201 new, 200 `duplicate`). */
export interface FollowUpRecorded {
  follow_up: FollowUpView;
  duplicate: boolean;
  due_at: string;
  resolved_warnings: number[];
}

/** The rules that raise warnings (`backend/early_warning/models.py`, `Rule`). */
export type WarningRule =
  | "follow_up_overdue"
  | "repeat_calls"
  | "psych_crisis"
  | "ledger_check_overdue"
  | "rental_inspection_overdue"
  | "rental_hazard_overdue"
  | "dispute_high_risk"
  | "dispute_overdue";

/**
 * What a rule records (a free-form dict on the server, hence a type): `follow_up_overdue` (about
 * a patient) the due date, grade and last visit; `repeat_calls` (about an address) the count of
 * incidents in the window, the first and last call and the latest incident ids; `psych_crisis`
 * (about a person) what the assessment found.
 */
export type WarningDetails = {
  due_at?: string;
  risk_grade?: number;
  last_follow_up_at?: string | null;
  calls?: number;
  first_at?: string;
  last_at?: string;
  incident_ids?: string[];
  /** `psych_crisis` (about a person): the scale, its band and whether self-harm thoughts were found. */
  scale?: string;
  band?: string;
  self_harm?: boolean;
  /** `ledger_check_overdue` (about a ledger entry): the group, the person and the last check (with `due_at`). */
  group?: string;
  person_id?: string;
  last_check_at?: string | null;
  /**
   * `rental_inspection_overdue` (about a rental house, `due_at` its next inspection): the house,
   * its grade and its last inspection. `rental_hazard_overdue` (about a rectification, `due_at`
   * its deadline): the house, the checklist item, its department and when it was found.
   */
  house_id?: string;
  grade?: string;
  last_assessed_at?: string;
  item?: string;
  department?: string;
  found_at?: string;
  /**
   * `dispute_high_risk` (about a dispute, raised when it is judged high-risk): its kind, title and
   * parties. `dispute_overdue` (about a dispute, `due_at` its deadline): its kind, title, risk and
   * the centre that holds it.
   */
  kind?: string;
  title?: string;
  parties?: number;
  risk?: string;
  holder_path?: string;
};

/** One early warning (预警); its subject (`patient` or `address`) is named by id only. */
export interface WarningView {
  id: number;
  rule: WarningRule;
  level: WarningLevel;
  state: WarningState;
  subject_type: string;
  subject_id: string;
  org_path: string;
  /** The unit's name in Chinese; `org_name_en` in English. */
  org_name: string | null;
  org_name_en: string | null;
  raised_at: string;
  details: WarningDetails;
  acknowledged_by_name: string | null;
  acknowledged_at: string | null;
  ack_note: string | null;
  resolved_at: string | null;
  resolution: string | null;
}

/** `GET /api/warnings`: serious first among the live, then newest; totals of the live ones. */
export interface WarningPage {
  items: WarningView[];
  open: number;
  acknowledged: number;
  serious: number;
}

/** How a warning was resolved (`WarningView.resolution`): a visit, the data, a quiet window. */
export type WarningResolution =
  | "follow_up_recorded"
  | "no_longer_due"
  | "quiet_again"
  | "crisis_intervention"
  | "ledger_checked"
  | "ledger_closed"
  | "rental_inspected"
  | "rental_rectified"
  | "resolved"
  | "referred"
  | "risk_lowered"
  | "escalated"
  | "assigned";

/** Levels `GET /api/warnings/units?level=` counts by. */
export type WarningUnitLevel = "street" | "community" | "grid";

/** The live warnings of one org unit (zero included). */
export interface UnitWarnings {
  org_path: string;
  name_zh: string;
  name_en: string;
  open: number;
  acknowledged: number;
  serious: number;
  /** High-risk patients the overdue rule watches in the unit, and how many are past due now. */
  high_risk: number;
  overdue: number;
}

/** `GET /api/warnings/units`: every unit of the level in the jurisdiction, serious first. */
export interface UnitWarningPage {
  level: string;
  units: UnitWarnings[];
}

/** `POST /api/warnings/{id}/acknowledge`: who takes it in hand says how (2–500 characters). */
export interface WarningAck {
  note: string;
}

// ---------------------------------------------------------------------------------------------
// Psychological services (社会心理服务, the /psych/ page) — backend/psych/models.py and
// backend/psych/scales.py. Times are ISO 8601 strings with their offset. Counts of people by
// band and of self-harm findings follow the small-count rule: 1–4 arrive as null ("<5").
// ---------------------------------------------------------------------------------------------

/** `POST /api/persons/lookup`: exactly one of the ID number or the phone, in the body. */
export interface PersonLookupRequest {
  id_number?: string;
  phone?: string;
}

/** `POST /api/persons/lookup`: the persons of the caller's jurisdiction who have it, masked. */
export interface PersonPage {
  items: PersonView[];
}

export type PsychScale = "phq9" | "gad7";
export type PsychBand = "minimal" | "mild" | "moderate" | "moderately_severe" | "severe";
export type PsychServiceKind = "counselling" | "crisis_intervention";
export type PsychOutcome = "continue" | "closed" | "referred_psychiatry" | "referred_hospital" | "incident_raised";
export type PsychActivityKind = "education" | "group_activity" | "screening" | "training";
/** The levels `GET /api/psych/units?level=` counts by. */
export type PsychUnitLevel = "community" | "street";

/** `POST /api/psych/assessments`: `id` made once per form; one answer 0–3 per item, in order. */
export interface AssessmentCreate {
  id: string;
  person_id: string;
  scale: PsychScale;
  answers: number[];
  at: string;
}

/** A scored assessment; `answers` only for those who may record assessments. */
export interface AssessmentView {
  id: string;
  person_id: string;
  scale: PsychScale;
  score: number;
  band: PsychBand;
  self_harm: boolean;
  answers: number[] | null;
  at: string;
  by_name: string;
  org_path: string;
  recorded_at: string;
}

/** Answer of `POST /api/psych/assessments` (201, or 200 `duplicate`): the crisis warning raised or live. */
export interface AssessmentRecorded {
  assessment: AssessmentView;
  duplicate: boolean;
  warning: WarningNote | null;
}

/** `POST /api/psych/services`: a counselling session or a crisis intervention (危机干预). */
export interface ServiceCreate {
  id: string;
  person_id: string;
  kind: PsychServiceKind;
  at: string;
  minutes: number;
  outcome: PsychOutcome;
  notes?: string;
}

/** One session; `notes` only for those who may record sessions. */
export interface ServiceView {
  id: string;
  person_id: string;
  kind: PsychServiceKind;
  at: string;
  minutes: number;
  outcome: PsychOutcome;
  notes: string | null;
  by_name: string;
  org_path: string;
  recorded_at: string;
}

/** Answer of `POST /api/psych/services`: the session and the crisis warnings it resolved. */
export interface ServiceRecorded {
  service: ServiceView;
  duplicate: boolean;
  resolved_warnings: number[];
}

/** `GET /api/psych/persons/{id}`: a person's record, newest first (the read is audited). */
export interface PersonPsych {
  person_id: string;
  assessments: AssessmentView[];
  services: ServiceView[];
}

/** A person whose latest assessment asks for a session that has not happened since. */
export interface AttentionItem {
  person_id: string;
  name: string | null;
  org_path: string;
  scale: PsychScale;
  score: number;
  band: PsychBand;
  self_harm: boolean;
  assessed_at: string;
  last_service_at: string | null;
  warning: WarningNote | null;
}

/** `GET /api/psych/attention`: self-harm first, then the highest totals; `total` counts the jurisdiction. */
export interface AttentionPage {
  items: AttentionItem[];
  total: number;
}

/** `POST /api/psych/activities`: a talk, a group, a screening day, a training of the caller's centre. */
export interface ActivityCreate {
  id: string;
  kind: PsychActivityKind;
  title: string;
  at: string;
  attendees: number;
}

export interface ActivityView {
  id: string;
  org_path: string;
  kind: PsychActivityKind;
  title: string;
  at: string;
  attendees: number;
  by_name: string;
}

/** `POST /api/psych/activities`: the stored activity; `duplicate` when this id was sent before. */
export interface ActivityRecorded {
  activity: ActivityView;
  duplicate: boolean;
}

/** `GET /api/psych/activities`: newest first. */
export interface ActivityPage {
  items: ActivityView[];
}

/** What a unit did and found in a period; null: a small count withheld ("<5"). */
export interface PsychFigures {
  assessments: number;
  people_assessed: number;
  moderate: number | null;
  moderately_severe: number | null;
  severe: number | null;
  self_harm: number | null;
  counselling: number;
  crisis_interventions: number;
  referrals: number;
  activities: number;
  attendees: number;
  /** Live crisis warnings now, whatever the period. */
  open_crises: number;
}

export interface UnitFigures {
  org_path: string;
  name_zh: string;
  name_en: string;
  figures: PsychFigures;
}

/** `GET /api/psych/units?level=&since=&until=`: every unit of the level in the jurisdiction, and the total. */
export interface UnitFiguresPage {
  level: string;
  since: string;
  until: string;
  units: UnitFigures[];
  total: PsychFigures;
}

/** `POST /api/psych/instructions`; no `targets`: every direct sub-unit of the caller's unit. */
export interface InstructionCreate {
  id: string;
  title: string;
  body: string;
  due_at: string;
  targets?: string[];
}

/** One target unit's answer to an instruction (反馈). */
export interface TargetState {
  org_path: string;
  name_zh: string;
  name_en: string;
  state: "open" | "done";
  feedback: string | null;
  answered_by_name: string | null;
  answered_at: string | null;
}

/** A work instruction (工作指示) with every target's answer. */
export interface InstructionView {
  id: string;
  from_path: string;
  from_name_zh: string;
  from_name_en: string;
  by_name: string;
  title: string;
  body: string;
  due_at: string;
  created_at: string;
  targets: TargetState[];
  done: number;
  /** Past due with a target still open. */
  overdue: boolean;
}

/** `GET /api/psych/instructions`: addressed to the caller's unit, and issued by it; newest first. */
export interface InstructionPage {
  received: InstructionView[];
  issued: InstructionView[];
}

/** Answer of `POST /api/psych/instructions` (201, or 200 `duplicate`). */
export interface InstructionCreated {
  instruction: InstructionView;
  duplicate: boolean;
}

/** `POST /api/psych/instructions/{id}/feedback`: what the caller's unit did, and whether it is finished. */
export interface InstructionFeedback {
  feedback: string;
  done?: boolean;
}

/** `POST /api/psych/reports`: the caller's unit reports a month (`YYYY-MM`) up. */
export interface ReportCreate {
  id: string;
  period: string;
  comment?: string;
}

/** A submitted monthly report (its figures frozen as they stood). */
export interface ReportView {
  id: string;
  org_path: string;
  name_zh: string;
  name_en: string;
  period: string;
  figures: PsychFigures;
  comment: string | null;
  submitted_by_name: string;
  submitted_at: string;
}

/** Whether a sub-unit has reported the month. */
export interface ChildReport {
  org_path: string;
  name_zh: string;
  name_en: string;
  report: ReportView | null;
}

/** `GET /api/psych/reports?period=`: the caller's unit's live figures, its own report, the sub-units' reports. */
export interface ReportStatus {
  period: string;
  org_path: string;
  level: string;
  live: PsychFigures;
  own: ReportView | null;
  /** A community or street centre reports up; the district receives. */
  can_report: boolean;
  children: ChildReport[];
}

/** Answer of `POST /api/psych/reports` (201, or 200 `duplicate`). */
export interface ReportSubmitted {
  report: ReportView;
  duplicate: boolean;
}

// ---------------------------------------------------------------------------------------------
// Ledgers of special and vulnerable groups (特殊人群困难群体台账, the /ledgers/ page) —
// backend/ledgers/models.py and groups.py. Times are ISO 8601 strings with their offset, `since`
// a calendar day (YYYY-MM-DD). Names and addresses come masked for the caller's role; notes only
// for holders of ledger:write. Summary counts of 1–4 arrive as null ("<5").
// ---------------------------------------------------------------------------------------------

export type LedgerGroup =
  | "low_income"
  | "disabled"
  | "elderly_alone"
  | "left_behind_child"
  | "veteran"
  | "released_prisoner"
  | "community_correction"
  | "drug_rehab";
export type LedgerDepartment = "civil_affairs" | "disability_federation" | "veterans_affairs" | "justice" | "public_security";
export type LedgerCheckKind = "home_visit" | "phone" | "report_in" | "office";
export type LedgerFinding = "normal" | "needs_help" | "violation";
/** `GET /api/ledgers?which=`: every active entry, the overdue ones, those with an open need, or those the caller answers for. */
export type LedgerWhich = "all" | "overdue" | "needs_help" | "mine";
/** The levels `GET /api/ledgers/summary?level=` counts by. */
export type LedgerSummaryLevel = "street" | "community" | "grid";

/** `POST /api/ledgers` (建档): `id` made once per form; no `officer_id`: the one who registers answers for the person. */
export interface LedgerEntryCreate {
  id: string;
  person_id: string;
  group: LedgerGroup;
  since: string;
  officer_id?: string;
  notes?: string;
}

/** `POST /api/ledgers/{id}/close`: why the person leaves the ledger (2–500 characters). */
export interface LedgerEntryClose {
  reason: string;
}

/** `POST /api/ledgers/{id}/checks` (走访核查): `id` made once per form. */
export interface LedgerCheckCreate {
  id: string;
  at: string;
  kind: LedgerCheckKind;
  finding: LedgerFinding;
  notes?: string;
}

/** One check; `notes` for holders of ledger:write. */
export interface LedgerCheckView {
  id: string;
  entry_id: string;
  at: string;
  kind: LedgerCheckKind;
  finding: LedgerFinding;
  notes: string | null;
  by_name: string;
  recorded_at: string;
}

/** A ledger entry, the person masked for the caller; `warning`: its live overdue warning. */
export interface LedgerEntryView {
  id: string;
  person_id: string;
  name: string | null;
  address: string | null;
  group: LedgerGroup;
  department: LedgerDepartment;
  status: "active" | "closed";
  since: string;
  officer_id: string | null;
  officer_name: string | null;
  check_days: number;
  last_check_at: string | null;
  due_at: string;
  overdue: boolean;
  needs_help: boolean;
  /** The block data lists the person in this group too. */
  tagged: boolean;
  org_path: string;
  notes: string | null;
  created_by_name: string;
  created_at: string;
  closed_at: string | null;
  close_reason: string | null;
  warning: WarningNote | null;
}

/** `GET /api/ledgers/{id}`: the entry and its checks, newest first (the read is audited). */
export interface LedgerEntryDetail {
  entry: LedgerEntryView;
  checks: LedgerCheckView[];
}

/** Answer of `POST /api/ledgers` (201, or 200 `duplicate`). */
export interface LedgerEntryRecorded {
  entry: LedgerEntryView;
  duplicate: boolean;
}

/** Answer of `POST /api/ledgers/{id}/checks` (201, or 200 `duplicate`): the entry as it now stands. */
export interface LedgerCheckRecorded {
  check: LedgerCheckView;
  entry: LedgerEntryView;
  duplicate: boolean;
  resolved_warnings: number[];
}

/** `GET /api/ledgers`: active entries, overdue first, then soonest due; totals of the jurisdiction (and group). */
export interface LedgerEntryPage {
  items: LedgerEntryView[];
  total: number;
  overdue: number;
}

/** A person the block data lists in a group with no active entry for it (待建档). */
export interface LedgerPendingPerson {
  person_id: string;
  name: string | null;
  address: string | null;
  org_path: string;
  birth_year: number | null;
}

/** `GET /api/ledgers/officers?person_id=&group=`: who may answer for the person (keeps the group's ledgers, covers them), nearest first. */
export interface LedgerOfficer {
  user_id: string;
  display_name: string;
  org_path: string;
}

export interface LedgerOfficerPage {
  items: LedgerOfficer[];
}

/** `GET /api/ledgers/pending?group=`: oldest first. */
export interface LedgerPendingPage {
  items: LedgerPendingPerson[];
  total: number;
}

/** One group in one unit: listed by the block data, registered, overdue, with an open need; null is 1–4. */
export interface LedgerGroupCount {
  group: LedgerGroup;
  tagged: number | null;
  registered: number | null;
  overdue: number | null;
  needs_help: number | null;
}

/** The groups of one unit. */
export interface LedgerUnit {
  org_path: string;
  name_zh: string;
  name_en: string;
  groups: LedgerGroupCount[];
}

/** `GET /api/ledgers/summary?level=`: every unit of the level in the jurisdiction (zero included), and the total. */
export interface LedgerSummary {
  level: string;
  units: LedgerUnit[];
  total: LedgerGroupCount[];
}

// ---------------------------------------------------------------------------------------------
// Rental-housing grading (出租屋分级分类评定, the /rentals/ page) — backend/rentals/models.py and
// checklist.py. Times are ISO 8601 strings with their offset. Residents are counted, never
// named; inspection notes only for holders of rental:write.
// ---------------------------------------------------------------------------------------------

export type RentalGrade = "green" | "yellow" | "red";
export type RentalDepartment = "fire" | "police" | "housing";
/** The checklist items an inspector ticks; the derived items and the factor are the server's. */
export type RentalTicked =
  | "ebike_indoor_charging"
  | "blocked_exit"
  | "three_in_one"
  | "structural_danger"
  | "illegal_activity"
  | "unsafe_wiring"
  | "no_extinguisher"
  | "no_smoke_alarm"
  | "lease_unfiled";
export type RentalDerived = "overcrowded" | "unregistered_tenants";
export type RentalFactor = "key_person_resident";
export type RentalItemCode = RentalTicked | RentalDerived | RentalFactor;
/** `GET /api/rentals?which=`: inspected (overdue first), overdue, red, with open rectifications, never inspected (待评定). */
export type RentalWhich = "due" | "overdue" | "red" | "hazards" | "unassessed";
/** `GET /api/rentals/hazards?which=`. */
export type RentalHazardWhich = "open" | "overdue";
/** The levels `GET /api/rentals/summary?level=` counts by. */
export type RentalSummaryLevel = "street" | "community" | "grid";

/** One item of the checklist: ticked (the inspector's), derived (from the counts) or factor (from the block data). */
export interface RentalChecklistItem {
  code: string;
  kind: "ticked" | "derived" | "factor";
  department: RentalDepartment;
  weight: number;
  /** Found alone, the house is red. */
  decisive: boolean;
  /** Days to rectify; null for a factor (nothing to rectify). */
  fix_days: number | null;
}

/** `GET /api/rentals/checklist`: the items and the grading rule, for the form's live grade. */
export interface RentalChecklist {
  items: RentalChecklistItem[];
  red_score: number;
  yellow_score: number;
  /** Days to the next inspection, per grade. */
  inspect_days: Record<string, number>;
  min_area_per_tenant_m2: number;
}

/** `POST /api/rentals/houses/{house_id}/assessments` (评定检查): `id` made once per form. */
export interface RentalAssessmentCreate {
  id: string;
  at: string;
  tenants: number;
  registered: number;
  found: RentalTicked[];
  notes?: string;
}

/** One inspection and its verdict (`found` includes the derived items); `notes` for holders of rental:write. */
export interface RentalAssessmentView {
  id: string;
  house_id: string;
  at: string;
  tenants: number;
  registered: number;
  found: string[];
  factors: string[];
  score: number;
  grade: RentalGrade;
  notes: string | null;
  by_name: string;
  recorded_at: string;
}

/** A rectification (整改): an item found at a house, due by a deadline, cleared by a later inspection. */
export interface RentalHazardView {
  id: string;
  house_id: string;
  address: string;
  item: string;
  department: RentalDepartment;
  decisive: boolean;
  found_at: string;
  due_at: string;
  overdue: boolean;
  cleared_at: string | null;
  org_path: string;
  /** Signed off by its department (整改销号) rather than cleared by an inspection: who did. */
  signed_off_name?: string | null;
}

/** `POST /api/rentals/hazards/{hazard_id}/sign-off`: a department's sign-off of a rectification it verified on site (`id` made once per form). */
export interface RentalSignOffCreate {
  id: string;
  at: string;
  notes?: string;
}

/** The rectification after the sign-off; `duplicate` for a resend. */
export interface RentalSignOffRecorded {
  hazard: RentalHazardView;
  duplicate: boolean;
  resolved_warnings: number[];
}

/**
 * A rental house as the list shows it. `grade`: the latest inspection's, or the block data's when
 * never inspected (`assessed` false, no `due_at`); `warning`: its live overdue-inspection warning.
 */
export interface RentalView {
  house_id: string;
  address: string;
  building_id: string;
  floor: number | null;
  area_m2: number | null;
  use: string;
  org_path: string;
  grade: RentalGrade | null;
  assessed: boolean;
  last_assessed_at: string | null;
  due_at: string | null;
  overdue: boolean;
  open_hazards: number;
  overdue_hazards: number;
  warning: WarningNote | null;
}

/** `GET /api/rentals/houses/{house_id}`: the house, residents counted, rectifications (open first), inspections (newest first). */
export interface RentalDetail {
  house: RentalView;
  residents: number;
  key_persons: number;
  hazards: RentalHazardView[];
  assessments: RentalAssessmentView[];
}

/**
 * Answer of `POST /api/rentals/houses/{house_id}/assessments` (201, or 200 `duplicate`): `latest` false
 * when a later inspection is on file (the history grows, nothing else changes).
 */
export interface RentalAssessmentRecorded {
  assessment: RentalAssessmentView;
  house: RentalView;
  duplicate: boolean;
  latest: boolean;
  /** Items whose rectification this inspection opened, and those it cleared. */
  opened_hazards: string[];
  cleared_hazards: string[];
  resolved_warnings: number[];
}

/** `GET /api/rentals`: rental houses of the jurisdiction, with its totals. */
export interface RentalPage {
  items: RentalView[];
  rentals: number;
  assessed: number;
  overdue: number;
  red: number;
  open_hazards: number;
}

/** `GET /api/rentals/hazards`: open rectifications, overdue first, then soonest due. */
export interface RentalHazardPage {
  items: RentalHazardView[];
  total: number;
  overdue: number;
}

/** One unit's rental houses: per grade (the block data's when never inspected), inspected, overdue, rectifications. */
export interface UnitRentals {
  org_path: string;
  name_zh: string;
  name_en: string;
  rentals: number;
  green: number;
  yellow: number;
  red: number;
  ungraded: number;
  assessed: number;
  overdue: number;
  open_hazards: number;
  overdue_hazards: number;
}

/** `GET /api/rentals/summary?level=`: every unit of the level in the jurisdiction (zero included), and the total. */
export interface RentalSummary {
  level: string;
  units: UnitRentals[];
  total: UnitRentals;
}

// ---------------------------------------------------------------------------------------------
// Dispute screening and mediation (矛盾纠纷排查调处, the /disputes/ page) — backend/disputes/
// models.py and policy.py. Times are ISO 8601 strings with their offset. Titles are read by
// everyone with dispute:read (no names); details and notes only by holders of dispute:write.
// ---------------------------------------------------------------------------------------------

export type DisputeKind = "neighbour" | "family" | "labour" | "property" | "land" | "consumer" | "traffic" | "other";
export type DisputeRisk = "low" | "medium" | "high";
export type DisputeSource = "screening" | "hotline" | "walk_in" | "grid" | "referral";
export type DisputeStatus = "open" | "mediating" | "resolved" | "referred";
/** Settled here (resolved): agreement, withdrawn; passed to another channel (referred): the rest. */
export type DisputeResolution = "agreement" | "withdrawn";
export type DisputeReferral = "court" | "arbitration" | "petition" | "other";
export type DisputeOutcome = DisputeResolution | DisputeReferral;
/** A step of a dispute's history (`dispute_actions.kind`). */
export type DisputeActionKind = "registered" | "mediation" | "escalated" | "assigned" | "risk" | "resolved" | "referred";
/** `GET /api/disputes?which=`: held = live ones your centres act on. */
export type DisputeWhich = "held" | "live" | "overdue" | "high" | "closed";
/** The levels the summary and the screenings count by. */
export type DisputeLevel = "street" | "community" | "grid";

/** `POST /api/disputes` (登记): `id` made once per form; the place is an address, a unit, or your own unit. */
export interface DisputeCreate {
  id: string;
  kind: DisputeKind;
  /** 2–100 characters, shown to every reader: what it is about, no names. */
  title: string;
  /** Sealed: the parties' names and claims. */
  details?: string;
  parties: number;
  risk: DisputeRisk;
  source: DisputeSource;
  address_id?: string;
  org_path?: string;
  at: string;
}

/** `POST /api/disputes/{id}/mediations`. */
export interface DisputeMediationCreate {
  id: string;
  at: string;
  notes?: string;
}

/** `POST /api/disputes/{id}/escalate` (上报): to the centre above, with the reason. */
export interface DisputeEscalateCreate {
  id: string;
  at: string;
  reason: string;
}

/** `POST /api/disputes/{id}/assign` (交办): to one of `assign_to`, with 1–60 days. */
export interface DisputeAssignCreate {
  id: string;
  at: string;
  to_path: string;
  due_days: number;
  notes?: string;
}

/** `POST /api/disputes/{id}/risk` (研判). */
export interface DisputeRiskCreate {
  id: string;
  at: string;
  risk: DisputeRisk;
  notes?: string;
}

/** `POST /api/disputes/{id}/close`. */
export interface DisputeCloseCreate {
  id: string;
  at: string;
  outcome: DisputeOutcome;
  notes?: string;
}

/** One step of a dispute's history; `notes` for holders of dispute:write. */
export interface DisputeActionView {
  id: string;
  kind: DisputeActionKind;
  at: string;
  from_path: string | null;
  to_path: string | null;
  risk: DisputeRisk | null;
  outcome: DisputeOutcome | null;
  due_at: string | null;
  notes: string | null;
  by_name: string;
  recorded_at: string;
}

/** A dispute as lists show it. `yours`: live and held by your jurisdiction (you may act on it). Names are Chinese. */
export interface DisputeView {
  id: string;
  kind: DisputeKind;
  title: string;
  parties: number;
  risk: DisputeRisk;
  source: DisputeSource;
  address: string | null;
  org_path: string;
  org_name: string | null;
  holder_path: string;
  holder_name: string | null;
  status: DisputeStatus;
  outcome: DisputeOutcome | null;
  reported_at: string;
  due_at: string;
  overdue: boolean;
  yours: boolean;
  created_by_name: string;
  closed_at: string | null;
  warnings: WarningNote[];
}

/** `GET /api/disputes/{id}`: `details` null unless you work disputes; actions oldest first; where it may go next. */
export interface DisputeDetail {
  dispute: DisputeView;
  details: string | null;
  actions: DisputeActionView[];
  /** The centre above the holder; null at the top or once closed. */
  escalate_to: string | null;
  /** Units the holder may hand it down to, nearest first. */
  assign_to: string[];
  /** Every unit the answer names by path, with both names (the centre above included). */
  units: { org_path: string; name_zh: string; name_en: string }[];
  /** The parties linked to the people records, in the order linked. */
  parties_linked: DisputePartyView[];
}

/** Why a linked party is a key person, as it stood when linked (`policy.key_reasons`). */
export type DisputeKeyReason = "patient" | "community_correction" | "drug_rehab";

/** A party linked to the people records; `name` masked by role (null: hidden). */
export interface DisputePartyView {
  person_id: string;
  name: string | null;
  /** Empty for a party who is no key person; "patient": a registered patient of risk grade 3+. */
  key_reasons: DisputeKeyReason[];
  by_name: string;
  at: string;
}

/** `POST /api/disputes/{id}/parties`: a person found by `POST /api/persons/lookup`. */
export interface DisputePartyCreate {
  person_id: string;
}

/** Answer of a link (201, or 200 `duplicate`); `raised_risk`: a key person made the dispute high-risk. */
export interface DisputePartyRecorded {
  party: DisputePartyView;
  dispute: DisputeView;
  duplicate: boolean;
  raised_risk: boolean;
}

/** Answer of a registration or a step (201, or 200 `duplicate`). */
export interface DisputeRecorded {
  dispute: DisputeView;
  action: DisputeActionView;
  duplicate: boolean;
  resolved_warnings: number[];
}

/** `GET /api/disputes`: the disputes of a filter and the jurisdiction's live totals. */
export interface DisputePage {
  items: DisputeView[];
  live: number;
  high: number;
  overdue: number;
}

/** `POST /api/disputes/screenings` (排查): your unit's week, `found` 0 a zero report (零报告). */
export interface DisputeScreeningCreate {
  week: string;
  found: number;
  notes?: string;
}

/** One unit's report of one week; `reported` false when it has none. */
export interface DisputeScreeningView {
  org_path: string;
  name_zh: string;
  name_en: string;
  week: string;
  reported: boolean;
  found: number | null;
  notes: string | null;
  by_name: string | null;
  at: string | null;
}

/** `GET /api/disputes/screenings?week=&level=`: every unit of the level, those yet to report first. */
export interface DisputeScreeningPage {
  week: string;
  level: string;
  units: DisputeScreeningView[];
  reported: number;
}

/** One unit's disputes: live (high-risk, overdue) where they happened, held by its own centre, closed in 30 days. */
export interface UnitDisputes {
  org_path: string;
  name_zh: string;
  name_en: string;
  live: number;
  high: number;
  overdue: number;
  held: number;
  resolved_30d: number;
  referred_30d: number;
}

/** `GET /api/disputes/summary?level=`: every unit of the level in the jurisdiction, zero included. */
export interface DisputeSummary {
  level: string;
  units: UnitDisputes[];
}

// ---------------------------------------------------------------------------------------------
// The leaders' governance overview (治理概览) — backend/governance/overview.py: each unit's
// outstanding work across the services; a section is null when the user may not read that
// service. Crisis and ledger figures are people: 1–4 arrive as null ("<5").
// ---------------------------------------------------------------------------------------------

/** Levels `GET /api/governance/units?level=` lists. */
export type GovernanceLevel = "street" | "community" | "grid";

/** Live early warnings of a unit (of the rules the user may see): all, serious ones. */
export interface GovernanceWarnings {
  live: number;
  serious: number;
}

/** Live psychological-crisis warnings; null is 1–4. */
export interface GovernancePsych {
  crises: number | null;
}

/** Active ledger entries with a check overdue, and with an open need; null is 1–4. */
export interface GovernanceLedgers {
  overdue: number | null;
  needs_help: number | null;
}

/** Rental houses graded red, inspections overdue, rectifications overdue. */
export interface GovernanceRentals {
  red: number;
  inspections_overdue: number;
  rectifications_overdue: number;
}

/** Live disputes where they happened: all, high-risk, past their deadline. */
export interface GovernanceDisputes {
  live: number;
  high: number;
  overdue: number;
}

/** One unit (or the jurisdiction, as the total); a service the user may not read is null. */
export interface UnitOverview {
  org_path: string;
  name_zh: string;
  name_en: string;
  warnings: GovernanceWarnings;
  psych: GovernancePsych | null;
  ledgers: GovernanceLedgers | null;
  rentals: GovernanceRentals | null;
  disputes: GovernanceDisputes | null;
}

/** `GET /api/governance/units?level=`: every unit of the level in the jurisdiction (zero included, by path), and its total. */
export interface GovernanceOverview {
  level: string;
  units: UnitOverview[];
  total: UnitOverview;
}
