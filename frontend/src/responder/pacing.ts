/**
 * When to send the next position: pure, so the rules read (and can be tested) on their own.
 *
 * Moving (speed over 1 m/s, or 25 m from the last sent fix): every 4 s, so the wall and
 * dispatch see a responder on the way. Still: every 20 s, well inside the server's 60 s
 * freshness limit (`PINGAN_POSITION_FRESHNESS_S`), so a waiting responder stays offerable.
 * A low battery (under 20 %, not charging) doubles the moving interval and stretches the still
 * one to 30 s. Never more often than every 2 s, whatever the GPS reports.
 */

export interface Fix {
  lat: number;
  lon: number;
  accuracy_m: number;
  /** m/s as the device reports it; null when unknown. */
  speed_mps: number | null;
  heading_deg: number | null;
  /** ms since the epoch. */
  at: number;
}

export const MIN_INTERVAL_MS = 2_000;
export const MOVING_INTERVAL_MS = 4_000;
export const STILL_INTERVAL_MS = 20_000;
export const LOW_BATTERY_STILL_MS = 30_000;
export const MOVING_SPEED_MPS = 1;
export const MOVED_M = 25;
/** A fix older than this is not re-sent as a heartbeat: the phone no longer knows where it is. */
export const MAX_FIX_AGE_MS = 5 * 60_000;

const EARTH_M = 6_371_008.8;

/** Great-circle distance in metres. */
export function distanceM(a: Pick<Fix, "lat" | "lon">, b: Pick<Fix, "lat" | "lon">): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function isMoving(fix: Fix, lastSent: Fix | null): boolean {
  if ((fix.speed_mps ?? 0) > MOVING_SPEED_MPS) {
    return true;
  }
  return lastSent !== null && distanceM(fix, lastSent) > MOVED_M;
}

/** How long to wait after the last send before sending `fix`. */
export function intervalMs(fix: Fix, lastSent: Fix | null, lowBattery: boolean): number {
  if (isMoving(fix, lastSent)) {
    return lowBattery ? MOVING_INTERVAL_MS * 2 : MOVING_INTERVAL_MS;
  }
  return lowBattery ? LOW_BATTERY_STILL_MS : STILL_INTERVAL_MS;
}

/** Whether `fix` should go now, given when (ms) and what was sent last. */
export function isDue(now: number, fix: Fix, lastSent: Fix | null, lastSentAt: number, lowBattery: boolean): boolean {
  if (lastSent === null) {
    return true;
  }
  const elapsed = now - lastSentAt;
  return elapsed >= MIN_INTERVAL_MS && elapsed >= intervalMs(fix, lastSent, lowBattery);
}
