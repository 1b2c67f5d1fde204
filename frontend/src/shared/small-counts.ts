/**
 * Counts of people that the server withholds when small (1–4 arrive as null, the one map's rule):
 * read "<5" everywhere, with the reason in a tooltip or a hint line (the psych figures, the
 * ledger summary).
 */

import { t, tk, type MessageKey } from "./i18n";

/** The hint that says why a count reads "<5". */
export const SUPPRESSED_HINT: MessageKey = tk("count.suppressedHint");

/** "<5" for a withheld count, else the number. */
export function countText(value: number | null): string {
  return value === null ? t("count.suppressed") : String(value);
}

/** `data-value` of a count's cell: the number, or "suppressed". */
export function countValue(value: number | null): string {
  return value === null ? "suppressed" : String(value);
}
