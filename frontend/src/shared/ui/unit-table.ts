/**
 * A 统计 tab of counts per unit (the rental and dispute pages): a chooser of the levels below the
 * user's unit (streets, communities, grids; the first shown first, no chooser for one level), a
 * fetch when the tab is shown or a level chosen (the newest answer wins; an error stays above
 * what was shown), and the table: a row per unit and a totals row. The page gives its texts, its
 * fetch and its columns. The section carries `data-level` and `data-units`; rows `data-path` (""
 * for the total); cells `data-figure` and `data-value`.
 */

import { el, replaceChildren } from "../dom";
import { onLocaleChange, t, type MessageKey } from "../i18n";
import { createAnswerLoader, problemLine } from "./detail-loader";
import type { Tab } from "./tabs";

/** The levels below a user's unit that the summaries count by. */
export type SummaryLevel = "street" | "community" | "grid";

export interface LevelSummaryOptions<P extends { units: readonly unknown[] }> {
  /** The section's class (`rental-summary`) and its title's id (`rentals-summary-title`). */
  className: string;
  titleId: string;
  /** The title, the chooser's label, the hint under the table, and the line for a level with no units. */
  texts: { title: MessageKey; level: MessageKey; hint: MessageKey; none: MessageKey };
  /** The levels to choose from, the first shown first. */
  levels: readonly SummaryLevel[];
  /** A level's name on its button. */
  levelNames: Readonly<Record<SummaryLevel, MessageKey>>;
  /** The table's caption for a level. */
  captions: Readonly<Record<SummaryLevel, MessageKey>>;
  fetch(level: SummaryLevel): Promise<P>;
  /** Told of an answer as it is taken (the dispute page learns the units' names). */
  ready?(page: P): void;
  /** The page's table of `page`'s units (one or more) under `caption`. */
  table(caption: string, page: P): HTMLElement;
}

/** Mounts a 统计 tab in `parent` with a chooser of the levels; it fetches on `load()`. */
export function mountLevelSummary<P extends { units: readonly unknown[] }>(parent: HTMLElement, options: LevelSummaryOptions<P>): Tab {
  const { levels, texts } = options;
  let level: SummaryLevel = levels[0] ?? "grid";

  const chooser = el("div", { className: "seg summary__levels", attrs: { role: "group", "aria-label": t(texts.level), "data-i18n-aria-label": texts.level } });
  const body = el("div", { className: "summary__body" });
  const root = el("section", { className: `panel ${options.className}`, attrs: { "aria-labelledby": options.titleId } }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: texts.title, attrs: { id: options.titleId } })]),
    levels.length > 1 ? chooser : null,
    body,
    el("p", { className: "field__hint", i18n: texts.hint }),
  ]);
  parent.append(root);

  const render = (): void => {
    root.dataset.level = level;
    drawLevelChooser(chooser, levels, level, options.levelNames, (l) => {
      if (l !== level) {
        level = l;
        figures.forget();
        render();
      }
      void figures.load(level);
    });
    const failed = problemLine(figures.problem);
    const page = figures.answer;
    if (page === null) {
      delete root.dataset.units;
      replaceChildren(body, [failed ?? el("p", { className: "empty", i18n: "state.loading" })]);
      return;
    }
    root.dataset.units = String(page.units.length);
    replaceChildren(body, [failed, page.units.length === 0 ? el("p", { className: "empty", i18n: texts.none }) : options.table(t(options.captions[level]), page)]);
  };

  const figures = createAnswerLoader<SummaryLevel, P>({
    fetch: (l) => options.fetch(l),
    ready: (page) => options.ready?.(page),
    draw: render,
  });

  render();
  onLocaleChange(render);
  return { root, load: () => figures.load(level) };
}

/**
 * Fills `chooser` (a `.seg` group) with a button per level (`data-level`), `chosen` pressed; a
 * click hands its level to `choose`, the chosen one's too (the page fetches it again).
 */
export function drawLevelChooser(chooser: HTMLElement, levels: readonly SummaryLevel[], chosen: SummaryLevel, names: Readonly<Record<SummaryLevel, MessageKey>>, choose: (level: SummaryLevel) => void): void {
  chooser.replaceChildren(
    ...levels.map((l) => {
      const b = el("button", { className: `seg__btn${l === chosen ? " is-active" : ""}`, text: t(names[l]), attrs: { type: "button", "aria-pressed": String(l === chosen) }, dataset: { level: l } });
      b.addEventListener("click", () => choose(l));
      return b;
    }),
  );
}

/** One column of counts: the answer's field and its head. */
export interface FigureColumn<F extends string> {
  key: F;
  label: MessageKey;
}

export interface UnitTableOptions<F extends string> {
  /** The table's class beside `figures` (`rental-figures`). */
  className: string;
  /** The head of the units' column, and the name of the totals row. */
  unit: MessageKey;
  total: MessageKey;
  columns: readonly FigureColumn<F>[];
  /** Figures shown loud (`is-alarm`) when above zero. */
  alarms: ReadonlySet<F>;
}

/** A unit's row: its name, its org path (`data-path`) and its counts. */
export interface UnitRow<F extends string> {
  name: string;
  path: string;
  figures: Readonly<Record<F, number>>;
}

/** The table of `rows` and `total` under `caption`; it scrolls sideways inside its box on a narrow screen. */
export function unitTable<F extends string>(caption: string, rows: readonly UnitRow<F>[], total: Readonly<Record<F, number>>, options: UnitTableOptions<F>): HTMLElement {
  const { columns, alarms } = options;
  const line = (figures: Readonly<Record<F, number>>, name: string, path: string, className: string): HTMLElement =>
    el("tr", { className, dataset: { path } }, [
      el("th", { className: "figures__name", text: name, attrs: { scope: "row" } }),
      ...columns.map((c) => {
        const value = figures[c.key];
        const alarm = alarms.has(c.key) && value > 0;
        return el("td", { className: `figures__num${alarm ? " is-alarm" : ""}`, text: String(value), dataset: { figure: c.key, value: String(value) } });
      }),
    ]);
  return el("div", { className: "figures__scroll", attrs: { role: "region", "aria-label": caption, tabindex: "0" } }, [
    el("table", { className: `figures ${options.className}` }, [
      el("caption", { className: "figures__caption", text: caption }),
      el("thead", {}, [
        el("tr", {}, [
          el("th", { className: "figures__name", i18n: options.unit, attrs: { scope: "col" } }),
          ...columns.map((c) => el("th", { className: "figures__num", i18n: c.label, attrs: { scope: "col" }, dataset: { figure: c.key } })),
        ]),
      ]),
      el("tbody", {}, rows.map((r) => line(r.figures, r.name, r.path, "figures__row"))),
      el("tfoot", {}, [line(total, t(options.total), "", "figures__total")]),
    ]),
  ]);
}
