/**
 * The live picture the views draw: incidents, responder positions, H3 aggregates, KPIs, ticker.
 *
 * The realtime client (and any snapshot fetch it does on reconnect) feeds this store with the
 * `set*` / `push*` functions; panels and map layers subscribe with `onLiveChange`. A `null`
 * part means "not received yet" and is drawn as a loading state; an empty list is drawn as
 * "none". Each setter replaces that part wholesale — pass a complete, current list.
 */

import { responderDensity } from "./responder-density";
import type { HexCount, KpiSnapshot, LiveIncident, ResponderPosition, TickerEvent, TodayKpis } from "./types";

/** A street or community the wall or leader view is drilled down to. */
export interface OrgFocus {
  path: string;
  level: "street" | "community";
  name_zh: string;
  name_en: string;
  /** Whether a point lies in the unit (its boundary, when loaded): responders are placed by
   * where they are, not by the unit they belong to. Absent: responders are not filtered. */
  contains?: (lon: number, lat: number) => boolean;
}

export interface LiveState {
  /** The open incidents, inside `focus` when one is set. */
  incidents: readonly LiveIncident[] | null;
  /** Live responders, inside `focus` when one is set. */
  responders: readonly ResponderPosition[] | null;
  hexCounts: readonly HexCount[] | null;
  kpis: KpiSnapshot | null;
  /** Newest first, at most `TICKER_LIMIT`. */
  ticker: readonly TickerEvent[] | null;
  /** Today's KPIs as the server computed them (of `focus` when one is set). */
  today: TodayKpis | null;
  /** The drill-down: null = the whole jurisdiction. */
  focus: OrgFocus | null;
}

export type LivePart = keyof LiveState;

export const TICKER_LIMIT = 50;

let state: LiveState = { incidents: null, responders: null, hexCounts: null, kpis: null, ticker: null, today: null, focus: null };
/** Every open incident, whatever the focus. */
let allIncidents: readonly LiveIncident[] | null = null;
/** Every live responder, whatever the focus. */
let allResponders: readonly ResponderPosition[] | null = null;
const listeners = new Set<(state: LiveState, changed: LivePart) => void>();

function update<K extends LivePart>(part: K, value: LiveState[K]): void {
  state = { ...state, [part]: value };
  for (const listener of listeners) {
    listener(state, part);
  }
}

/** Whether an incident lies in the focus (incidents without an org path stay visible). */
export function inFocus(incident: LiveIncident, focus: OrgFocus | null): boolean {
  const path = incident.org_path;
  return focus === null || path === undefined || path === focus.path || path.startsWith(`${focus.path}.`);
}

function focused(incidents: readonly LiveIncident[] | null): readonly LiveIncident[] | null {
  const focus = state.focus;
  return incidents === null || focus === null ? incidents : incidents.filter((i) => inFocus(i, focus));
}

function focusedResponders(responders: readonly ResponderPosition[] | null): readonly ResponderPosition[] | null {
  const contains = state.focus?.contains;
  return responders === null || contains === undefined ? responders : responders.filter((r) => contains(r.lon, r.lat));
}

/** Replaces the open incidents in the user's jurisdiction. */
export function setLiveIncidents(incidents: readonly LiveIncident[]): void {
  allIncidents = incidents;
  update("incidents", focused(incidents));
}

/** Every open incident of the jurisdiction, ignoring the focus. */
export function allLiveIncidents(): readonly LiveIncident[] | null {
  return allIncidents;
}

/** Drills down to a street or community (null: back to the whole jurisdiction). */
export function setFocus(focus: OrgFocus | null): void {
  if (focus?.path === state.focus?.path) {
    return;
  }
  update("focus", focus);
  update("today", null);
  update("incidents", focused(allIncidents));
  publishResponders();
}

/** Replaces today's server-computed KPIs. */
export function setTodayKpis(today: TodayKpis | null): void {
  update("today", today);
}

/** Replaces the responder positions (the wall greys out those whose `age_s` is stale). */
export function setResponderPositions(responders: readonly ResponderPosition[]): void {
  allResponders = responders;
  publishResponders();
}

/** The focused responders, and the hexagon layer's density counted from the same list. */
function publishResponders(): void {
  const shown = focusedResponders(allResponders);
  update("responders", shown);
  update("hexCounts", shown === null ? null : responderDensity(shown));
}

/** Replaces the H3 aggregate counts shown by the hexagon layer (the next positions batch
 * recounts them from the responders: this is for tests and the dev console). */
export function setHexCounts(cells: readonly HexCount[]): void {
  update("hexCounts", cells);
}

/** Replaces the KPI snapshot. */
export function setKpis(kpis: KpiSnapshot): void {
  update("kpis", kpis);
}

/** Adds events (given oldest first) to the ticker, which keeps newest first; repeated ids are ignored. */
export function pushTickerEvents(events: readonly TickerEvent[]): void {
  const known = new Set((state.ticker ?? []).map((e) => e.id));
  const fresh = events.filter((e) => !known.has(e.id));
  update("ticker", [...fresh.reverse(), ...(state.ticker ?? [])].slice(0, TICKER_LIMIT));
}

/** Replaces the whole ticker (given oldest first), e.g. to re-word it after a language change. */
export function setTickerEvents(events: readonly TickerEvent[]): void {
  update("ticker", [...events].reverse().slice(0, TICKER_LIMIT));
}

/** Marks every part as loaded-and-empty (e.g. after a snapshot that had nothing in it). */
export function markLiveEmpty(): void {
  allIncidents = [];
  allResponders = [];
  state = { ...state, incidents: [], responders: [], hexCounts: [], ticker: state.ticker ?? [] };
  for (const part of ["incidents", "responders", "hexCounts", "ticker"] as const) {
    for (const listener of listeners) {
      listener(state, part);
    }
  }
}

export function getLiveState(): LiveState {
  return state;
}

/** Calls `listener` on every change with the part that changed; returns the unsubscribe. */
export function onLiveChange(listener: (state: LiveState, changed: LivePart) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
