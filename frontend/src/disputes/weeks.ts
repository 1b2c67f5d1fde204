/**
 * ISO weeks (`YYYY-Www`) on the district's clock, as the server counts screening weeks
 * (`backend/disputes/policy.py`, `week_of`): the calendar day in Asia/Shanghai decides the week,
 * wherever the browser is. Pure: time comes in as milliseconds.
 */

import { getLocale } from "../shared/i18n";

export const DISTRICT_TZ = "Asia/Shanghai";
const DAY_MS = 86_400_000;
const WEEK = /^(\d{4})-W(\d{2})$/;

const dayParts = new Intl.DateTimeFormat("en-US", { timeZone: DISTRICT_TZ, year: "numeric", month: "numeric", day: "numeric" });

/** The calendar day of `ms` in the district, as a UTC midnight (so day arithmetic needs no zone). */
export function districtDay(ms: number): number {
  const parts = Object.fromEntries(dayParts.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day));
}

/** The ISO week of a day given as a UTC midnight. */
function weekOfDay(day: number): string {
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0
  const thursday = day + (3 - weekday) * DAY_MS; // the week's Thursday decides its year
  const year = new Date(thursday).getUTCFullYear();
  const week = 1 + Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/** The ISO week `ms` falls in on the district's clock ("2026-W49"). */
export function weekOf(ms: number): string {
  return weekOfDay(districtDay(ms));
}

/** The Monday of `week` as a UTC midnight; null when it is not a week (or a week 53 the year lacks). */
export function weekMonday(week: string): number | null {
  const m = WEEK.exec(week);
  if (m === null) {
    return null;
  }
  const year = Number(m[1]);
  const n = Number(m[2]);
  const jan4 = Date.UTC(year, 0, 4); // always in week 1
  const monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS + (n - 1) * 7 * DAY_MS;
  return n >= 1 && weekOfDay(monday) === week ? monday : null;
}

/** The week `n` weeks after `week` (before, for negative `n`); `week` itself when unreadable. */
export function shiftWeek(week: string, n: number): string {
  const monday = weekMonday(week);
  return monday === null ? week : weekOfDay(monday + n * 7 * DAY_MS);
}

/** Orders two weeks ("2026-W09" < "2026-W10" < "2027-W01"): the text sorts as the time does. */
export function compareWeeks(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** "11/23–11/29" (zh-CN "11/23–11/29", en "11/23–11/29" in the user's order): the week's Monday to Sunday. */
export function weekDays(week: string): string {
  const monday = weekMonday(week);
  if (monday === null) {
    return "";
  }
  const format = new Intl.DateTimeFormat(getLocale(), { month: "2-digit", day: "2-digit", timeZone: "UTC" });
  return `${format.format(new Date(monday))}–${format.format(new Date(monday + 6 * DAY_MS))}`;
}
