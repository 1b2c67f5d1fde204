/**
 * Dates in the browser's local time: days for due dates, day and minute for visits and
 * warnings, and the `<input type="datetime-local">` values the case work form reads and writes.
 */

import { formatClock, getLocale } from "./i18n";

const DAY_MS = 86_400_000;

/** "2026/03/14" (zh-CN) or "03/14/2026" (en); "—" for null. */
export function formatDay(iso: string | null): string {
  if (iso === null) {
    return "—";
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "—" : new Intl.DateTimeFormat(getLocale(), { year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
}

/** The day and the time to the minute. */
export function formatDayTime(iso: string | null): string {
  if (iso === null) {
    return "—";
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "—" : `${formatDay(iso)} ${formatClock(date, false)}`;
}

/**
 * Whole days past `dueIso` at `nowMs`, counted as the server counts `days_overdue`
 * (`backend/followups/worklist.py`): whole days either way, so 0 is "due within a day either
 * side" and negative is days still left; null when the date is unreadable.
 */
export function daysOverdue(dueIso: string, nowMs: number): number | null {
  const due = Date.parse(dueIso);
  if (Number.isNaN(due)) {
    return null;
  }
  const days = Math.trunc((nowMs - due) / DAY_MS);
  return days === 0 ? 0 : days; // never -0
}

const pad = (n: number): string => String(n).padStart(2, "0");

/** `date` as a `datetime-local` value ("2026-03-14T09:05"), in local time, to the minute. */
export function toLocalInput(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A `datetime-local` value (local time) as an ISO instant with its zone ("…Z"); null if empty or unreadable. */
export function fromLocalInput(value: string): string | null {
  if (value.trim() === "") {
    return null;
  }
  const date = new Date(value); // a date-time without an offset is read as local time
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** `date` as a `date` input value ("2026-03-14"), the local calendar day. */
export function toLocalDateInput(date: Date): string {
  return toLocalInput(date).slice(0, 10);
}

/**
 * A calendar day the server sent as `YYYY-MM-DD` (a ledger's `since`) in the user's format; read
 * as that day wherever the browser is (`new Date("2026-03-14")` would be UTC midnight, the day
 * before west of Greenwich). "—" for null or unreadable.
 */
export function formatCalendarDay(ymd: string | null): string {
  const m = ymd === null ? null : /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (m === null) {
    return "—";
  }
  const date = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Intl.DateTimeFormat(getLocale(), { year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
}
