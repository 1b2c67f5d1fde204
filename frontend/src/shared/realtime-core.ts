/**
 * The pure parts of the realtime client: message decoding, stream cursors, de-duplication by
 * event id, back-off and token-refresh timing. No sockets, no timers, no clock reads — time
 * and randomness are passed in — so every rule here can be reasoned about on its own.
 * `realtime.ts` is the thin I/O around it.
 */

import type { WsCursor, WsServerMessage } from "./types";

const SERVER_TYPES: ReadonlySet<string> = new Set(["welcome", "subscribed", "snapshot", "event", "positions", "pong", "ack", "error"]);

/**
 * Parses one text frame. Returns null for anything that is not an object with a known `type`
 * (a newer server's new message types are ignored, as docs/realtime.md asks of old clients).
 */
export function decodeServerMessage(text: string): WsServerMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return null;
  }
  const type = (value as { type?: unknown }).type;
  return typeof type === "string" && SERVER_TYPES.has(type) ? (value as WsServerMessage) : null;
}

/**
 * One cursor per stream: the epoch and the last sequence number seen (from a snapshot, an
 * event or a `subscribed`). Within an epoch a cursor only moves forward; a new epoch replaces it
 * (the stream was lost and restarted, so old numbers mean nothing).
 */
export class CursorBook {
  private readonly cursors = new Map<string, WsCursor>();

  /** The cursor to resume `stream` from, if any. */
  get(stream: string): WsCursor | undefined {
    return this.cursors.get(stream);
  }

  /** Records that everything of `stream` up to `seq` of `epoch` has been seen. */
  advance(stream: string, epoch: string, seq: number): void {
    const known = this.cursors.get(stream);
    if (known === undefined || known.epoch !== epoch || seq > known.seq) {
      this.cursors.set(stream, { epoch, seq });
    }
  }

  /** Sets the cursor outright (a snapshot with `reset`: the state is exactly as of `seq`). */
  reset(stream: string, epoch: string, seq: number): void {
    this.cursors.set(stream, { epoch, seq });
  }
}

/**
 * Event ids already applied, bounded (oldest forgotten first). Ids are unique for ever, so a
 * repeat — a relay re-publishing after a crash, or two subscriptions on one stream — is dropped.
 */
export class SeenIds {
  private readonly ids = new Set<number>();

  constructor(private readonly limit = 20_000) {}

  /** True the first time `id` is offered, false for a repeat. */
  admit(id: number): boolean {
    if (this.ids.has(id)) {
      return false;
    }
    this.ids.add(id);
    if (this.ids.size > this.limit) {
      const oldest = this.ids.values().next();
      if (oldest.done !== true) {
        this.ids.delete(oldest.value);
      }
    }
    return true;
  }
}

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

/**
 * Delay before reconnect attempt `attempt` (1, 2, …): exponential from `baseMs`, capped at
 * `capMs`, with "equal jitter" (between half and all of the step) so a wall of screens that
 * lost the server together does not come back in lockstep. `random` returns [0, 1).
 */
export function backoffDelayMs(attempt: number, random: () => number, policy: BackoffPolicy): number {
  const step = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * When to send a fresh token over the socket (ms from now): `marginMs` before the token expires,
 * or half-way through its remaining life when that is shorter than two margins (short test
 * tokens); never sooner than `minMs`. Times are Unix seconds on the server's clock.
 */
export function refreshDelayMs(expiresAtS: number, serverNowS: number, marginMs: number, minMs = 1_000): number {
  const remaining = (expiresAtS - serverNowS) * 1000;
  return Math.max(minMs, remaining > 2 * marginMs ? remaining - marginMs : remaining / 2);
}

/** The `exp` claim (Unix seconds) of a JWT, or null when the token is not a readable JWT. */
export function tokenExpiry(token: string): number | null {
  const payload = token.split(".")[1];
  if (payload === undefined) {
    return null;
  }
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(payload.length / 4) * 4, "="));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === "number" && Number.isFinite(exp) ? exp : null;
  } catch {
    return null;
  }
}

/** `ws://` or `wss://` URL of `path` on the page's own origin. */
export function socketUrl(location: Pick<Location, "protocol" | "host">, path = "/ws"): string {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${path}`;
}
