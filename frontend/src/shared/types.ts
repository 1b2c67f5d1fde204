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
export type MenuId = "wall" | "console" | "leader" | "responder" | "audit" | "admin";

/** `GET /api/me`. */
export interface Me {
  id: string;
  username: string;
  display_name: string;
  roles: string[];
  capabilities: string[];
  org_unit: OrgUnitRef;
  menus: MenuId[];
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

/** 1 is the most urgent. */
export type IncidentPriority = 1 | 2 | 3 | 4;

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
}

/** Headline numbers for the KPI tiles; a null duration means "no sample yet" (provisional). */
export interface KpiSnapshot {
  live_incidents: number;
  escalated_incidents: number;
  responders_on_duty: number;
  p50_time_to_alert_s: number | null;
  p50_time_to_ack_s: number | null;
  p50_time_to_arrive_s: number | null;
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
  action: "accept" | "decline" | "en_route" | "on_scene" | "clear" | "need_backup" | "tick";
  reason?: string | null;
  item?: string | null;
  client_msg_id?: string | null;
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
