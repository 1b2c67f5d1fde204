/**
 * A unit's figures as the psych page shows them: a table with a row per unit (and the total),
 * or a grid of tiles for one unit. A withheld small count (null: 1–4 people) reads "<5"; cells
 * carry `data-figure` and `data-value` (the number, or "suppressed") for tests.
 */

import { el } from "../shared/dom";
import { t } from "../shared/i18n";
import { countText, countValue, SUPPRESSED_HINT } from "../shared/small-counts";
import type { PsychFigures } from "../shared/types";
import { FIGURES } from "./labels";

function cell(tag: "td" | "th", figures: PsychFigures | null, key: keyof PsychFigures): HTMLElement {
  if (figures === null) {
    return el(tag, { className: "figures__num is-none", text: "—" });
  }
  const value = figures[key];
  return el(tag, {
    className: `figures__num${value === null ? " is-suppressed" : ""}`,
    text: countText(value),
    dataset: { figure: key, value: countValue(value) },
    attrs: value === null ? { title: t(SUPPRESSED_HINT) } : {},
  });
}

export interface FigureRow {
  name: string;
  /** Org path, on the row as `data-path`. */
  path: string;
  /** Null: nothing to show (a sub-unit that has not reported). */
  figures: PsychFigures | null;
  /** Cells after the name (a report's state, when it was sent). */
  extra?: readonly HTMLElement[];
}

/**
 * A table of `rows` with a column per figure and a totals row when `total` is given. The table
 * scrolls sideways inside its box on a narrow screen; the page does not.
 */
export function figuresTable(caption: string, rows: readonly FigureRow[], total: PsychFigures | null, extraHeads: readonly string[] = []): HTMLElement {
  const head = el("tr", {}, [
    el("th", { className: "figures__name", i18n: "psych.figure.unit", attrs: { scope: "col" } }),
    ...extraHeads.map((h) => el("th", { text: h, attrs: { scope: "col" } })),
    ...FIGURES.map((f) => el("th", { className: "figures__num", i18n: f.label, attrs: { scope: "col" } })),
  ]);
  const body = rows.map((r) =>
    el("tr", { className: "figures__row", dataset: { path: r.path } }, [
      el("th", { className: "figures__name", text: r.name, attrs: { scope: "row" } }),
      ...(r.extra ?? []),
      ...FIGURES.map((f) => cell("td", r.figures, f.key)),
    ]),
  );
  const foot =
    total === null
      ? null
      : el("tfoot", {}, [
          el("tr", { className: "figures__total" }, [
            el("th", { className: "figures__name", i18n: "psych.figure.total", attrs: { scope: "row" } }),
            ...extraHeads.map(() => el("td")),
            ...FIGURES.map((f) => cell("td", total, f.key)),
          ]),
        ]);
  return el("div", { className: "figures__scroll", attrs: { role: "region", "aria-label": caption, tabindex: "0" } }, [
    el("table", { className: "figures" }, [el("caption", { className: "figures__caption", text: caption }), el("thead", {}, [head]), el("tbody", {}, body), foot]),
  ]);
}

/** One unit's figures as tiles (the month's live figures on the reports tab). */
export function figureTiles(figures: PsychFigures): HTMLElement {
  return el(
    "dl",
    { className: "figure-tiles" },
    FIGURES.map((f) => {
      const value = figures[f.key];
      return el("div", { className: `figure-tile${f.key === "open_crises" && (value ?? 0) > 0 ? " is-alarm" : ""}`, dataset: { figure: f.key, value: countValue(value) } }, [
        el("dt", { className: "figure-tile__label", i18n: f.label }),
        el("dd", { className: "figure-tile__value", text: countText(value) }),
      ]);
    }),
  );
}
