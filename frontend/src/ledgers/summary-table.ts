/**
 * The ledger figures as a table: per unit, per group, people the block data lists, people
 * registered, the coverage (registered / listed, a percentage only when both counts are
 * published and some are listed), overdue checks and open needs, and the total. A withheld count
 * (null: 1–4 people) reads "<5". Cells carry `data-figure` and `data-value` (the number,
 * "suppressed", or "none" for a coverage that cannot be told); rows `data-path` and `data-group`.
 */

import { el } from "../shared/dom";
import { labelOf, t, tk, type MessageKey } from "../shared/i18n";
import { GROUP_NAMES } from "../shared/ledger-terms";
import { countText, countValue, SUPPRESSED_HINT } from "../shared/small-counts";
import type { LedgerGroup, LedgerGroupCount } from "../shared/types";

type Figure = "tagged" | "registered" | "coverage" | "overdue" | "needs_help";

const COLUMNS: readonly { key: Figure; label: MessageKey }[] = [
  { key: "tagged", label: tk("ledgers.summary.tagged") },
  { key: "registered", label: tk("ledgers.summary.registered") },
  { key: "coverage", label: tk("ledgers.summary.coverage") },
  { key: "overdue", label: tk("ledgers.summary.overdue") },
  { key: "needs_help", label: tk("ledgers.summary.needsHelp") },
];

/** Registered / listed as a whole percentage; null when either is withheld or none are listed. */
export function coverage(c: Pick<LedgerGroupCount, "tagged" | "registered">): number | null {
  if (c.tagged === null || c.registered === null || c.tagged === 0) {
    return null;
  }
  return Math.round((100 * c.registered) / c.tagged);
}

function cell(c: LedgerGroupCount, key: Figure): HTMLElement {
  if (key === "coverage") {
    const pct = coverage(c);
    return el("td", {
      className: `figures__num${pct === null ? " is-none" : ""}`,
      text: pct === null ? "—" : t("ledgers.summary.percent", { n: pct }),
      dataset: { figure: key, value: pct === null ? "none" : String(pct) },
      attrs: pct === null ? { title: t("ledgers.summary.coverageHint") } : {},
    });
  }
  const value = c[key];
  return el("td", {
    className: `figures__num${value === null ? " is-suppressed" : ""}${key === "overdue" && (value ?? 1) > 0 ? " is-alarm" : ""}`,
    text: countText(value),
    dataset: { figure: key, value: countValue(value) },
    attrs: value === null ? { title: t(SUPPRESSED_HINT) } : {},
  });
}

export interface SummaryRow {
  name: string;
  /** Org path, on the rows as `data-path` ("" for the total). */
  path: string;
  groups: readonly LedgerGroupCount[];
}

/**
 * One group (`group` given): a row per unit and the total. Every group (null): each unit's
 * groups under its name, then the total's. The table scrolls sideways inside its box.
 */
export function summaryTable(caption: string, rows: readonly SummaryRow[], total: readonly LedgerGroupCount[], group: LedgerGroup | null): HTMLElement {
  const pick = (counts: readonly LedgerGroupCount[]): LedgerGroupCount[] => counts.filter((c) => group === null || c.group === group);
  const head = el("tr", {}, [
    el("th", { className: "figures__name", i18n: "ledgers.summary.unit", attrs: { scope: "col" } }),
    group === null ? el("th", { className: "figures__group", i18n: "ledgers.summary.group", attrs: { scope: "col" } }) : null,
    ...COLUMNS.map((c) => el("th", { className: "figures__num", i18n: c.label, attrs: { scope: "col" } })),
  ]);
  const lines = (name: string, path: string, counts: LedgerGroupCount[], className: string): HTMLElement[] =>
    counts.map((c, i) =>
      el("tr", { className, dataset: { path, group: c.group } }, [
        i === 0 ? el("th", { className: "figures__name", text: name, attrs: { scope: counts.length > 1 ? "rowgroup" : "row", rowspan: String(counts.length) } }) : null,
        group === null ? el("th", { className: "figures__group", text: labelOf(GROUP_NAMES, c.group), attrs: { scope: "row" } }) : null,
        ...COLUMNS.map((col) => cell(c, col.key)),
      ]),
    );
  const bodies =
    group === null
      ? rows.map((r) => el("tbody", { className: "figures__unit", dataset: { path: r.path } }, lines(r.name, r.path, pick(r.groups), "figures__row")))
      : [el("tbody", {}, rows.flatMap((r) => lines(r.name, r.path, pick(r.groups), "figures__row")))];
  const foot = el("tfoot", {}, lines(t("ledgers.summary.total"), "", pick(total), "figures__total"));
  return el("div", { className: "figures__scroll", attrs: { role: "region", "aria-label": caption, tabindex: "0" } }, [
    el("table", { className: "figures ledger-figures" }, [el("caption", { className: "figures__caption", text: caption }), el("thead", {}, [head]), ...bodies, foot]),
  ]);
}
