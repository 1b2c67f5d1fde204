/**
 * The realtime client: one WebSocket to `/ws` (docs/realtime.md is the contract), topics with
 * handlers, one cursor per stream, resume after any disconnect, and the live indicator's state.
 *
 *   const client = new RealtimeClient();
 *   client.subscribe("wall", { snapshot: (s) => …, event: (e) => … });
 *   client.subscribe("positions", { positions: (p, full) => … });
 *   client.start();
 *
 * What a handler can rely on:
 * - `snapshot`: the topic's whole state — replace what you hold (after a reconnect too; `reset`
 *   only says the continuity was lost). Events that follow it are newer than it.
 * - `event`: each event id at most once, in stream order, only after the topic's snapshot or
 *   resume. Events go to every topic on the event's stream (the server sends no topic name on
 *   events); a page with two topics on one stream must filter in its handlers.
 * - `positions`: `full` is true for the first batch after each (re)subscription, which holds
 *   every live responder — replace; later batches hold only what moved, plus `removed` ids.
 *
 * Connection handling: subprotocols `pingan.v1` + `bearer.<token>` (the token from
 * `ensureFreshToken()`); after `welcome` every topic is (re)subscribed with `since` = its
 * stream's cursor; a fresh token is sent (`refresh`) shortly before `welcome.expires_at`; an
 * app-level `ping` every 15 s, and two unanswered pings mean the link is dead; reconnects use
 * jittered exponential back-off capped at 10 s; close 4001 refreshes the token once and
 * reconnects, a second 4001 (or a refused refresh) goes to the login page. The browser's
 * `offline`/`online` events cut the wait short both ways.
 */

import { ensureFreshToken, getAccessToken, redirectToLogin, refreshSession } from "./auth";
import { noteMessageReceived, setConnectionState, type ConnectionState } from "./connection";
import { backoffDelayMs, CursorBook, decodeServerMessage, refreshDelayMs, SeenIds, socketUrl, tokenExpiry } from "./realtime-core";
import {
  WS_CLOSE,
  WS_SUBPROTOCOL,
  WS_TOKEN_PREFIX,
  type WsAck,
  type WsClientMessage,
  type WsError,
  type WsEvent,
  type WsPositions,
  type WsServerMessage,
  type WsSnapshot,
  type WsSubscribed,
  type WsWelcome,
} from "./types";

/** What a page does with one topic's messages; every method is optional. */
export interface TopicHandler {
  snapshot?(message: WsSnapshot): void;
  event?(message: WsEvent): void;
  positions?(message: WsPositions, full: boolean): void;
  subscribed?(message: WsSubscribed): void;
  /** The server refused the topic (`forbidden`, `not_found`, …); it is not retried. */
  error?(message: WsError): void;
}

/** How the client gets and renews tokens; the default is `auth.ts`. */
export interface RealtimeAuth {
  /** A valid access token (refreshed first if about to expire), or null when signed out. */
  freshToken(): Promise<string | null>;
  /** Forces a refresh: true with a new token stored, false when refused; throws when unreachable. */
  refresh(): Promise<boolean>;
  current(): string | null;
  toLogin(): void;
}

export interface RealtimeTiming {
  pingIntervalMs: number;
  /** Unanswered pings after which the socket is treated as dead. */
  maxMissedPongs: number;
  /** "stale" after this long without any message while connected. */
  staleAfterMs: number;
  /** A socket that has not said `welcome` by then is abandoned. */
  welcomeTimeoutMs: number;
  /** Send a fresh token this long before the current one expires. */
  refreshMarginMs: number;
  backoffBaseMs: number;
  backoffCapMs: number;
}

export const DEFAULT_TIMING: RealtimeTiming = {
  pingIntervalMs: 15_000,
  maxMissedPongs: 2,
  staleAfterMs: 30_000,
  welcomeTimeoutMs: 10_000,
  refreshMarginMs: 60_000,
  backoffBaseMs: 500,
  backoffCapMs: 10_000,
};

const AUTH: RealtimeAuth = {
  freshToken: ensureFreshToken,
  refresh: refreshSession,
  current: getAccessToken,
  toLogin: () => void redirectToLogin(),
};

/** Topic errors after which resubscribing cannot help. */
const FATAL_TOPIC_ERRORS: ReadonlySet<string> = new Set(["forbidden", "not_found", "unknown_topic", "too_many_subscriptions", "invalid"]);

interface TopicEntry {
  handler: TopicHandler;
  /** The stream feeding the topic, learnt from its snapshot or `subscribed`. */
  stream: string | null;
  refused: boolean;
  /** The next `positions` batch is the full set (first after a (re)subscription). */
  awaitingFull: boolean;
}

export interface RealtimeOptions {
  url?: string;
  auth?: RealtimeAuth;
  timing?: Partial<RealtimeTiming>;
  random?: () => number;
}

export class RealtimeClient {
  private readonly url: string;
  private readonly auth: RealtimeAuth;
  private readonly timing: RealtimeTiming;
  private readonly random: () => number;
  private readonly topics = new Map<string, TopicEntry>();
  private readonly cursors = new CursorBook();
  private readonly seen = new SeenIds();
  private readonly replyListeners = new Set<(reply: WsAck | WsError) => void>();

  private socket: WebSocket | null = null;
  private welcomed = false;
  private running = false;
  private everLive = false;
  private attempt = 0;
  private authRetried = false;
  private missedPongs = 0;
  private pingCount = 0;
  private lastMessageAt = 0;
  private serverOffsetMs = 0;
  private state: ConnectionState = "offline";
  private reconnectTimer: number | undefined;
  private refreshTimer: number | undefined;
  private welcomeTimer: number | undefined;
  private pingTimer: number | undefined;
  private watchdogTimer: number | undefined;

  constructor(options: RealtimeOptions = {}) {
    this.url = options.url ?? socketUrl(window.location);
    this.auth = options.auth ?? AUTH;
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.random = options.random ?? Math.random;
  }

  /** Registers `topic`; it is subscribed now if connected, and after every reconnect. */
  subscribe(topic: string, handler: TopicHandler): () => void {
    this.topics.set(topic, { handler, stream: null, refused: false, awaitingFull: true });
    if (this.welcomed) {
      this.sendSubscribe(topic);
    }
    return () => {
      this.topics.delete(topic);
      if (this.welcomed) {
        this.send({ type: "unsubscribe", topic });
      }
    };
  }

  /** Calls `listener` with every `ack` and every `error` not about a topic (answers to commands). */
  onReply(listener: (reply: WsAck | WsError) => void): () => void {
    this.replyListeners.add(listener);
    return () => this.replyListeners.delete(listener);
  }

  /** Sends `message` if the socket is open and welcomed; false otherwise (keep it and retry). */
  sendNow(message: WsClientMessage): boolean {
    if (!this.welcomed || this.socket === null || this.socket.readyState !== WebSocket.OPEN) {
      return false;
    }
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /** True while the socket is open and welcomed. */
  isLive(): boolean {
    return this.welcomed && this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  /** Connects and keeps connecting until `stop()`. */
  start(): void {
    if (this.running) {
      return;
    }
    this.running = true;
    window.addEventListener("offline", this.onBrowserOffline);
    window.addEventListener("online", this.onBrowserOnline);
    this.watchdogTimer = window.setInterval(() => this.checkStale(), 1_000);
    void this.connect();
  }

  /** Closes the socket and stops reconnecting; the indicator says "offline". */
  stop(): void {
    this.running = false;
    window.removeEventListener("offline", this.onBrowserOffline);
    window.removeEventListener("online", this.onBrowserOnline);
    window.clearInterval(this.watchdogTimer);
    window.clearTimeout(this.reconnectTimer);
    this.dropSocket(WS_CLOSE.NORMAL, "client stopped");
    this.setState("offline");
  }

  /** Now on the server's clock (ms since the epoch), as learnt from `welcome` and `pong`. */
  serverNow(): number {
    return Date.now() + this.serverOffsetMs;
  }

  // --- connecting ----------------------------------------------------------------------------

  private async connect(): Promise<void> {
    window.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    if (!this.running || this.socket !== null) {
      return;
    }
    this.setState(this.everLive ? "reconnecting" : "connecting");
    let token: string | null;
    try {
      token = await this.auth.freshToken();
    } catch {
      token = this.auth.current(); // server unreachable for the refresh: the socket will tell
    }
    if (!this.running || this.socket !== null) {
      return;
    }
    if (token === null) {
      this.stop();
      this.auth.toLogin();
      return;
    }
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url, [WS_SUBPROTOCOL, `${WS_TOKEN_PREFIX}${token}`]);
    } catch (err) {
      console.warn("realtime: cannot open socket", err);
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    this.welcomed = false;
    socket.onmessage = (ev: MessageEvent) => {
      if (this.socket === socket && typeof ev.data === "string") {
        this.receive(ev.data);
      }
    };
    socket.onclose = (ev: CloseEvent) => {
      if (this.socket === socket) {
        this.onClosed(ev.code, ev.reason);
      }
    };
    this.welcomeTimer = window.setTimeout(() => {
      if (this.socket === socket && !this.welcomed) {
        this.dropSocket(WS_CLOSE.NORMAL, "no welcome");
        this.scheduleReconnect();
      }
    }, this.timing.welcomeTimeoutMs);
  }

  private onClosed(code: number, reason: string): void {
    this.clearConnectionTimers();
    this.socket = null;
    this.welcomed = false;
    if (!this.running) {
      return;
    }
    if (code === WS_CLOSE.AUTH_FAILED) {
      void this.recoverAuth();
      return;
    }
    if (code !== WS_CLOSE.NORMAL && code !== WS_CLOSE.GOING_AWAY) {
      console.info(`realtime: closed ${code} ${reason}`);
    }
    this.scheduleReconnect();
  }

  /** Close 4001: refresh the token once and reconnect; a second 4001 means sign in again. */
  private async recoverAuth(): Promise<void> {
    if (this.authRetried) {
      this.stop();
      this.auth.toLogin();
      return;
    }
    this.setState("reconnecting");
    let refreshed: boolean;
    try {
      refreshed = await this.auth.refresh();
    } catch {
      this.scheduleReconnect(); // the server is unreachable; try again later
      return;
    }
    if (!refreshed) {
      this.stop();
      this.auth.toLogin();
      return;
    }
    this.authRetried = true;
    void this.connect();
  }

  private scheduleReconnect(): void {
    if (!this.running || this.reconnectTimer !== undefined) {
      return;
    }
    this.attempt += 1;
    this.setState("reconnecting", this.attempt);
    const delay = backoffDelayMs(this.attempt, this.random, { baseMs: this.timing.backoffBaseMs, capMs: this.timing.backoffCapMs });
    this.reconnectTimer = window.setTimeout(() => void this.connect(), delay);
  }

  /** Forgets the current socket without waiting for its closing handshake (it may be dead). */
  private dropSocket(code: number, reason: string): void {
    const socket = this.socket;
    this.clearConnectionTimers();
    this.socket = null;
    this.welcomed = false;
    if (socket !== null) {
      socket.onmessage = null;
      socket.onclose = null;
      try {
        socket.close(code, reason);
      } catch {
        // already closing
      }
    }
  }

  private readonly onBrowserOffline = (): void => {
    if (this.socket !== null) {
      this.dropSocket(WS_CLOSE.NORMAL, "browser offline");
      this.scheduleReconnect();
    }
  };

  private readonly onBrowserOnline = (): void => {
    if (!this.running || this.welcomed) {
      return;
    }
    // Do not wait out the back-off, nor an attempt that started while offline (it may hang).
    this.dropSocket(WS_CLOSE.NORMAL, "browser back online");
    void this.connect();
  };

  // --- receiving ------------------------------------------------------------------------------

  private receive(text: string): void {
    this.lastMessageAt = Date.now();
    noteMessageReceived(this.lastMessageAt);
    if (this.state === "stale") {
      this.setState("live");
    }
    const message = decodeServerMessage(text);
    if (message === null) {
      return;
    }
    this.dispatch(message);
  }

  private dispatch(message: WsServerMessage): void {
    switch (message.type) {
      case "welcome":
        this.onWelcome(message);
        break;
      case "snapshot":
        this.onSnapshot(message);
        break;
      case "event":
        this.onEvent(message);
        break;
      case "subscribed": {
        const entry = this.topics.get(message.topic);
        this.cursors.advance(message.stream, message.epoch, message.seq);
        if (entry !== undefined) {
          entry.stream = message.stream;
          entry.handler.subscribed?.(message);
        }
        break;
      }
      case "positions": {
        const entry = this.topics.get(message.topic);
        if (entry !== undefined) {
          const full = entry.awaitingFull;
          entry.awaitingFull = false;
          entry.handler.positions?.(message, full);
        }
        break;
      }
      case "pong":
        this.missedPongs = 0;
        this.serverOffsetMs = message.server_time * 1000 - Date.now();
        break;
      case "ack":
        for (const listener of this.replyListeners) {
          listener(message);
        }
        break;
      case "error":
        this.onError(message);
        break;
    }
  }

  private onWelcome(message: WsWelcome): void {
    window.clearTimeout(this.welcomeTimer);
    this.welcomed = true;
    this.everLive = true;
    this.attempt = 0;
    this.authRetried = false;
    this.missedPongs = 0;
    this.serverOffsetMs = message.server_time * 1000 - Date.now();
    this.setState("live");
    this.scheduleRefresh(refreshDelayMs(message.expires_at, message.server_time, this.timing.refreshMarginMs));
    window.clearInterval(this.pingTimer);
    this.pingTimer = window.setInterval(() => this.ping(), this.timing.pingIntervalMs);
    for (const [topic, entry] of this.topics) {
      if (!entry.refused) {
        this.sendSubscribe(topic);
      }
    }
  }

  private onSnapshot(message: WsSnapshot): void {
    this.cursors.reset(message.stream, message.epoch, message.seq);
    const entry = this.topics.get(message.topic);
    if (entry !== undefined) {
      entry.stream = message.stream;
      entry.handler.snapshot?.(message);
    }
  }

  private onEvent(message: WsEvent): void {
    this.cursors.advance(message.stream, message.epoch, message.seq);
    if (!this.seen.admit(message.id)) {
      return;
    }
    for (const entry of this.topics.values()) {
      if (entry.stream === message.stream) {
        entry.handler.event?.(message);
      }
    }
  }

  private onError(message: WsError): void {
    if (message.topic === null) {
      console.warn(`realtime: ${message.code}: ${message.message}`);
      for (const listener of this.replyListeners) {
        listener(message);
      }
      return;
    }
    const entry = this.topics.get(message.topic);
    if (entry === undefined || message.code === "already_subscribed") {
      return;
    }
    if (FATAL_TOPIC_ERRORS.has(message.code)) {
      entry.refused = true;
    }
    console.warn(`realtime: topic ${message.topic}: ${message.code}: ${message.message}`);
    entry.handler.error?.(message);
  }

  // --- sending --------------------------------------------------------------------------------

  private send(message: WsClientMessage): void {
    if (this.socket !== null && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
    }
  }

  private sendSubscribe(topic: string): void {
    const entry = this.topics.get(topic);
    if (entry === undefined) {
      return;
    }
    entry.awaitingFull = true;
    const since = entry.stream === null ? undefined : this.cursors.get(entry.stream);
    this.send(since === undefined ? { type: "subscribe", topic } : { type: "subscribe", topic, since });
  }

  private ping(): void {
    if (this.missedPongs >= this.timing.maxMissedPongs) {
      console.info("realtime: no pong; reconnecting");
      this.dropSocket(WS_CLOSE.NORMAL, "no pong");
      this.scheduleReconnect();
      return;
    }
    this.missedPongs += 1;
    this.pingCount += 1;
    this.send({ type: "ping", nonce: String(this.pingCount) });
  }

  private scheduleRefresh(delayMs: number): void {
    window.clearTimeout(this.refreshTimer);
    this.refreshTimer = window.setTimeout(() => void this.refreshOverSocket(), delayMs);
  }

  /** Renews the access token and hands it to the server before the old one expires. */
  private async refreshOverSocket(): Promise<void> {
    let refreshed: boolean;
    try {
      refreshed = await this.auth.refresh();
    } catch {
      this.scheduleRefresh(15_000); // unreachable now; if the token runs out, close 4001 follows
      return;
    }
    const token = this.auth.current();
    if (!refreshed || token === null) {
      this.stop();
      this.auth.toLogin();
      return;
    }
    this.send({ type: "refresh", token });
    const expiresAt = tokenExpiry(token);
    if (expiresAt !== null) {
      this.scheduleRefresh(refreshDelayMs(expiresAt, this.serverNow() / 1000, this.timing.refreshMarginMs));
    }
  }

  // --- state ----------------------------------------------------------------------------------

  private checkStale(): void {
    if (this.welcomed && this.state === "live" && Date.now() - this.lastMessageAt > this.timing.staleAfterMs) {
      this.setState("stale");
    }
  }

  private setState(state: ConnectionState, attempt?: number): void {
    this.state = state;
    setConnectionState(state, attempt === undefined ? {} : { attempt });
  }

  private clearConnectionTimers(): void {
    window.clearTimeout(this.welcomeTimer);
    window.clearTimeout(this.refreshTimer);
    window.clearInterval(this.pingTimer);
    this.welcomeTimer = undefined;
    this.refreshTimer = undefined;
    this.pingTimer = undefined;
  }
}
