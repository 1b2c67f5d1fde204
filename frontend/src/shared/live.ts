/**
 * The live picture the views draw: incidents, responder positions, H3 aggregates, KPIs, ticker.
 *
 * The realtime client (and any snapshot fetch it does on reconnect) feeds this store with the
 * `set*` / `push*` functions; panels and map layers subscribe with `onLiveChange`. A `null`
 * part means "not received yet" and is drawn as a loading state; an empty list is drawn as
 * "none". Each setter replaces that part wholesale — pass a complete, current list.
 */

import type { HexCount, KpiSnapshot, LiveIncident, ResponderPosition, TickerEvent } from "./types";

export interface LiveState {
  incidents: readonly LiveIncident[] | null;
  responders: readonly ResponderPosition[] | null;
  hexCounts: readonly HexCount[] | null;
  kpis: KpiSnapshot | null;
  /** Newest first, at most `TICKER_LIMIT`. */
  ticker: readonly TickerEvent[] | null;
}

export type LivePart = keyof LiveState;

export const TICKER_LIMIT = 50;

let state: LiveState = { incidents: null, responders: null, hexCounts: null, kpis: null, ticker: null };
const listeners = new Set<(state: LiveState, changed: LivePart) => void>();

function update<K extends LivePart>(part: K, value: LiveState[K]): void {
  state = { ...state, [part]: value };
  for (const listener of listeners) {
    listener(state, part);
  }
}

/** Replaces the open incidents in the user's jurisdiction. */
export function setLiveIncidents(incidents: readonly LiveIncident[]): void {
  update("incidents", incidents);
}

/** Replaces the responder positions (the wall greys out those whose `age_s` is stale). */
export function setResponderPositions(responders: readonly ResponderPosition[]): void {
  update("responders", responders);
}

/** Replaces the H3 aggregate counts shown by the hexagon layer. */
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
  state = { incidents: [], responders: [], hexCounts: [], kpis: state.kpis, ticker: state.ticker ?? [] };
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
