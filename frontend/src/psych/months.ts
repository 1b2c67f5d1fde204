/**
 * Months as the centres report them (`YYYY-MM`), calendar months on the district's clock
 * (`backend/psych/periods.py`). The page never guesses that clock: the current month is the one
 * the server answers for when asked for none, and other months are asked for by name.
 */

/** Whether `value` is a month the way the server wants it. */
export function isPeriod(value: string): boolean {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(value);
}

/** The month an ISO date-time written on the district's clock falls in ("2026-11-01T00:00:00+08:00" → "2026-11"). */
export function periodOfIso(iso: string): string {
  return iso.slice(0, 7);
}
