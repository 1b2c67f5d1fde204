/**
 * Unit figures (统计): a month (the current one so far by default) for each unit of the level
 * below the user's (streets for the district, communities for a street; a community sees
 * itself), with a totals row. Counts of people by band and of self-harm findings of 1–4 are
 * withheld by the server and read "<5"; so is the same count in the total when it is small.
 */

import { el, replaceChildren } from "../shared/dom";
import { localName, onLocaleChange, t } from "../shared/i18n";
import { SUPPRESSED_HINT } from "../shared/small-counts";
import type { UnitFiguresPage } from "../shared/types";
import { createAnswerLoader, problemLine } from "../shared/ui/detail-loader";
import type { Access } from "./access";
import { figuresTable } from "./figures";
import { isPeriod, periodOfIso } from "./months";
import { getUnitFigures } from "./psych-api";
import type { Tab } from "../shared/ui/tabs";

export function mountFiguresTab(parent: HTMLElement, access: Access): Tab {
  // null: the current month so far, as the server counts it when asked for no bounds
  let period: string | null = null;
  let current: string | null = null;

  const month = el("input", { className: "field__input month-input", attrs: { id: "psych-figures-period", type: "month" } });
  month.addEventListener("change", () => {
    if (isPeriod(month.value) && month.value !== (period ?? current)) {
      period = month.value;
      figures.forget();
      render();
      void load();
    }
  });
  const span = el("p", { className: "figures__span" });
  const body = el("div", { className: "figures__body" });
  const root = el("section", { className: "panel unit-figures", attrs: { "aria-labelledby": "psych-figures-title" } }, [
    el("header", { className: "panel__header" }, [
      el("h2", { className: "panel__title", i18n: "psych.figures.title", attrs: { id: "psych-figures-title" } }),
      el("div", { className: "reports__month" }, [el("label", { className: "field__label", i18n: "psych.reports.month", attrs: { for: month.id } }), month]),
    ]),
    span,
    body,
    el("p", { className: "field__hint", i18n: SUPPRESSED_HINT }),
  ]);
  parent.append(root);

  const render = (): void => {
    const failed = problemLine(figures.problem);
    const page = figures.answer;
    if (page === null) {
      span.textContent = "";
      replaceChildren(body, [failed ?? el("p", { className: "empty", i18n: "state.loading" })]);
      return;
    }
    root.dataset.level = page.level;
    // the district's month as the server counted it, not the browser's days
    const shownPeriod = period ?? current ?? periodOfIso(page.since);
    span.textContent = t(shownPeriod === current ? "psych.figures.spanCurrent" : "psych.figures.span", { period: shownPeriod });
    const caption = t(access.figuresLevel === "street" ? "psych.figures.byStreet" : "psych.figures.byCommunity");
    replaceChildren(body, [
      failed,
      page.units.length === 0
        ? el("p", { className: "empty", i18n: "psych.figures.none" })
        : figuresTable(caption, page.units.map((u) => ({ name: localName(u), path: u.org_path, figures: u.figures })), page.total),
    ]);
  };

  // asked for undefined: the current month, as the server counts it when asked for no bounds
  const figures = createAnswerLoader<string | undefined, UnitFiguresPage>({
    fetch: (asking) => getUnitFigures(access.figuresLevel, asking),
    ready: (answer, asking) => {
      if (asking === undefined) {
        // the district's month, as the server wrote its start
        current = periodOfIso(answer.since);
        month.max = current;
        month.value = current;
      }
    },
    draw: render,
  });

  /** Fetches the month chosen (the current one: no bounds). */
  const load = (): Promise<void> => figures.load(period === null || period === current ? undefined : period);

  render();
  onLocaleChange(render);
  return { root, load };
}
