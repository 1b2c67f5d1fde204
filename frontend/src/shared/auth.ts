/**
 * Sessions: tokens in sessionStorage, one refresh on 401, and the way back to /login/.
 *
 * Tokens live in sessionStorage (per tab, gone when the tab closes), never localStorage, so a
 * shared wall or console PC does not keep a session after its window is closed. Concurrent 401s
 * share a single refresh call. If the refresh fails too, the session is cleared and the browser
 * goes to `/login/?next=<where we were>`.
 */

import { ENDPOINTS } from "./endpoints";
import { ApiError, sendJson, type JsonRequest } from "./http";
import type { Me, TokenResponse } from "./types";

const ACCESS_KEY = "pingan.access_token";
const REFRESH_KEY = "pingan.refresh_token";
const EXPIRES_KEY = "pingan.expires_at";

/** Refresh this long before the access token expires (see `ensureFreshToken`). */
const EXPIRY_MARGIN_MS = 30_000;

export const LOGIN_PATH = "/login/";

/** The current access token, or null when nobody is signed in in this tab. */
export function getAccessToken(): string | null {
  return sessionStorage.getItem(ACCESS_KEY);
}

/** True when this tab holds a session (it may still be expired; the server decides). */
export function hasSession(): boolean {
  return getAccessToken() !== null;
}

function storeTokens(tokens: TokenResponse): void {
  sessionStorage.setItem(ACCESS_KEY, tokens.access_token);
  sessionStorage.setItem(REFRESH_KEY, tokens.refresh_token);
  sessionStorage.setItem(EXPIRES_KEY, String(Date.now() + tokens.expires_in * 1000));
}

/** Forgets this tab's tokens without telling the server (see `logout`). */
export function clearSession(): void {
  sessionStorage.removeItem(ACCESS_KEY);
  sessionStorage.removeItem(REFRESH_KEY);
  sessionStorage.removeItem(EXPIRES_KEY);
}

/** Signs in; stores the tokens and returns the signed-in user. Throws `ApiError` (401 = wrong password). */
export async function login(username: string, password: string): Promise<Me> {
  const tokens = await sendJson<TokenResponse>({
    method: ENDPOINTS.login.method,
    path: ENDPOINTS.login.path,
    body: { username, password },
  });
  storeTokens(tokens);
  return tokens.user;
}

/** Revokes the refresh token on the server (best effort) and clears the session. */
export async function logout(): Promise<void> {
  const refreshToken = sessionStorage.getItem(REFRESH_KEY);
  clearSession();
  if (refreshToken === null) {
    return;
  }
  try {
    await sendJson<void>({
      method: ENDPOINTS.logout.method,
      path: ENDPOINTS.logout.path,
      body: { refresh_token: refreshToken },
    });
  } catch {
    // The tokens are gone from this tab either way; an unreachable server must not trap the user.
  }
}

let refreshing: Promise<boolean> | null = null;

/**
 * Exchanges the refresh token for new tokens, once even when many callers ask at the same time.
 * Resolves false when there is no refresh token or the server refuses it; throws `ApiError`
 * when the server cannot be reached (the session is kept: it may still be valid).
 */
export function refreshSession(): Promise<boolean> {
  refreshing ??= doRefresh().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function doRefresh(): Promise<boolean> {
  const refreshToken = sessionStorage.getItem(REFRESH_KEY);
  if (refreshToken === null) {
    return false;
  }
  try {
    const tokens = await sendJson<TokenResponse>({
      method: ENDPOINTS.refresh.method,
      path: ENDPOINTS.refresh.path,
      body: { refresh_token: refreshToken },
    });
    storeTokens(tokens);
    return true;
  } catch (err) {
    if (err instanceof ApiError && !err.isUnavailable) {
      clearSession();
      return false;
    }
    throw err;
  }
}

/**
 * Refreshes the access token when it is about to expire; call before opening a WebSocket so the
 * token in its URL or first message is valid. Returns the token to use, or null if signed out.
 */
export async function ensureFreshToken(): Promise<string | null> {
  const expiresAt = Number(sessionStorage.getItem(EXPIRES_KEY) ?? "0");
  if (hasSession() && Date.now() > expiresAt - EXPIRY_MARGIN_MS) {
    await refreshSession();
  }
  return getAccessToken();
}

/**
 * Sends an authenticated request. On 401 it refreshes once and retries once; if that fails the
 * session is cleared and the browser is sent to the login page (the returned promise then never
 * settles, so callers need no special case for it).
 */
export async function sendAuthorized<T>(req: JsonRequest): Promise<T> {
  const token = getAccessToken();
  if (token === null) {
    return redirectToLogin();
  }
  try {
    return await sendJson<T>(withToken(req, token));
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) {
      throw err;
    }
  }
  if (!(await refreshSession())) {
    return redirectToLogin();
  }
  try {
    return await sendJson<T>(withToken(req, getAccessToken() ?? ""));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      clearSession();
      return redirectToLogin();
    }
    throw err;
  }
}

function withToken(req: JsonRequest, token: string): JsonRequest {
  return { ...req, headers: { ...req.headers, Authorization: `Bearer ${token}` } };
}

/** Sends the browser to the login page with a path to come back to; never resolves. */
export function redirectToLogin(returnPath: string = currentPath()): Promise<never> {
  window.location.assign(loginUrl(returnPath));
  return new Promise<never>(() => undefined);
}

/** `/login/?next=…` for a same-origin return path. */
export function loginUrl(returnPath: string): string {
  const next = safeReturnPath(returnPath);
  return next === null ? LOGIN_PATH : `${LOGIN_PATH}?next=${encodeURIComponent(next)}`;
}

/**
 * The return path if it is a plain same-origin path (`/wall/`, `/console/?x=1`), else null.
 * Rejects `//host`, `/\host`, schemes and the login page itself, so `next=` cannot redirect away.
 */
export function safeReturnPath(raw: string | null): string | null {
  if (raw === null || !raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) {
    return null;
  }
  if (raw.startsWith(LOGIN_PATH)) {
    return null;
  }
  return /^[\x21-\x7e]+$/.test(raw) ? raw : null;
}

function currentPath(): string {
  return `${window.location.pathname}${window.location.search}${window.location.hash}`;
}
