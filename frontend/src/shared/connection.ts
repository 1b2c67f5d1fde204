/**
 * The realtime link's state, as the live indicator shows it.
 *
 * The realtime client owns the state and reports every change with `setConnectionState`; views
 * only subscribe. Until a realtime client exists the state stays "offline" — the indicator then
 * honestly says the page is not receiving live data.
 */

/**
 * - `connecting`: first connection attempt in progress.
 * - `live`: connected and messages are arriving.
 * - `reconnecting`: the link dropped; retrying (what is shown may be out of date).
 * - `stale`: connected but nothing arrived for longer than the heartbeat allows.
 * - `offline`: not connected and not trying (signed out, or no realtime client yet).
 */
export type ConnectionState = "connecting" | "live" | "reconnecting" | "stale" | "offline";

export interface ConnectionStatus {
  state: ConnectionState;
  /** When the state last changed (ms since epoch). */
  since: number;
  /** When the last message arrived (ms since epoch), null before the first one. */
  lastMessageAt: number | null;
  /** Reconnect attempt number while `reconnecting`, else 0. */
  attempt: number;
}

export interface ConnectionUpdate {
  lastMessageAt?: number;
  attempt?: number;
}

let status: ConnectionStatus = { state: "offline", since: Date.now(), lastMessageAt: null, attempt: 0 };
const listeners = new Set<(status: ConnectionStatus) => void>();

/** Called by the realtime client on every state change (and may be called again with new info). */
export function setConnectionState(state: ConnectionState, update: ConnectionUpdate = {}): void {
  status = {
    state,
    since: state === status.state ? status.since : Date.now(),
    lastMessageAt: update.lastMessageAt ?? status.lastMessageAt,
    attempt: update.attempt ?? (state === "reconnecting" ? status.attempt : 0),
  };
  for (const listener of listeners) {
    listener(status);
  }
}

/** Called by the realtime client for each message, so "last update" stays accurate. */
export function noteMessageReceived(at: number = Date.now()): void {
  status = { ...status, lastMessageAt: at };
}

export function getConnectionStatus(): ConnectionStatus {
  return status;
}

/** Calls `listener` now and on every change; returns the unsubscribe function. */
export function onConnectionChange(listener: (status: ConnectionStatus) => void): () => void {
  listeners.add(listener);
  listener(status);
  return () => listeners.delete(listener);
}
