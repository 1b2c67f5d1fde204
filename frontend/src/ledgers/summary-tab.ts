/**
 * 统计: each unit of the level below the user's (streets for the district, communities for a
 * street, grids for a community) with, per group, the people the block data lists, those
 * registered, the coverage, the overdue checks and the open needs, and a totals row; the chosen
 * group alone, or every group. Counts of 1–4 are withheld by the server and read "<5".
 */

import { el, replaceChildren } from "../shared/dom";
import { localName, onLocaleChange, t } from "../shared/i18n";
import { SUPPRESSED_HINT } from "../shared/small-counts";
import type { LedgerGroup, LedgerSummary, LedgerSummaryLevel } from "../shared/types";
import { createAnswerLoader, problemLine } from "../shared/ui/detail-loader";
import type { Tab } from "../shared/ui/tabs";
import type { Access } from "./access";
import { SUMMARY_CAPTIONS } from "./labels";
import { getSummary } from "./ledgers-api";
import { summaryTable } from "./summary-table";

export interface SummaryTab extends Tab {
  /** Draws again (another group chosen: the figures are all fetched already). */
  redraw(): void;
}

/** Mounts the 统计 tab in `parent`; it fetches on `load()`, draws the chosen group on `redraw()`. */
export function mountSummaryTab(parent: HTMLElement, access: Access, group: () => LedgerGroup | null): SummaryTab {
  const body = el("div", { className: "summary__body" });
  const root = el("section", { className: "panel ledger-summary", attrs: { "aria-labelledby": "ledgers-summary-title" }, dataset: { level: access.summaryLevel } }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "ledgers.summary.title", attrs: { id: "ledgers-summary-title" } })]),
    body,
    el("p", { className: "field__hint", i18n: SUPPRESSED_HINT }),
    el("p", { className: "field__hint", i18n: "ledgers.summary.coverageHint" }),
  ]);
  parent.append(root);

  const render = (): void => {
    const failed = problemLine(figures.problem);
    const page = figures.answer;
    if (page === null) {
      replaceChildren(body, [failed ?? el("p", { className: "empty", i18n: "state.loading" })]);
      return;
    }
    const chosen = group();
    root.dataset.group = chosen ?? "";
    root.dataset.units = String(page.units.length);
    replaceChildren(body, [
      failed,
      page.units.length === 0
        ? el("p", { className: "empty", i18n: "ledgers.summary.none" })
        : summaryTable(
            t(SUMMARY_CAPTIONS[access.summaryLevel]),
            page.units.map((u) => ({ name: localName(u), path: u.org_path, groups: u.groups })),
            page.total,
            chosen,
          ),
    ]);
  };

  const figures = createAnswerLoader<LedgerSummaryLevel, LedgerSummary>({ fetch: (level) => getSummary(level), draw: render });

  render();
  onLocaleChange(render);
  return { root, load: () => figures.load(access.summaryLevel), redraw: render };
}
