/**
 * 统计: each unit of a level (those below the user's unit: streets, communities or grids) with
 * the live disputes that happened there (of them high-risk and overdue), those its own centre
 * holds, and those settled or referred in the last 30 days, and a totals row. Disputes are
 * counted, not people: no count is withheld. The chooser, the fetch and the table are
 * `shared/ui/unit-table.ts`'s: cells carry `data-figure` and `data-value`, rows `data-path` (""
 * for the total); the section `data-level`.
 */

import { localName, tk } from "../shared/i18n";
import type { DisputeLevel, DisputeSummary, UnitDisputes } from "../shared/types";
import type { Tab } from "../shared/ui/tabs";
import { mountLevelSummary, unitTable, type FigureColumn, type UnitTableOptions } from "../shared/ui/unit-table";
import { getSummary } from "./disputes-api";
import { LEVEL_CHOICES } from "./labels";

type Figure = Exclude<keyof UnitDisputes, "org_path" | "name_zh" | "name_en">;

const COLUMNS: readonly FigureColumn<Figure>[] = [
  { key: "live", label: tk("disputes.summary.live") },
  { key: "high", label: tk("disputes.summary.high") },
  { key: "overdue", label: tk("disputes.summary.overdue") },
  { key: "held", label: tk("disputes.summary.held") },
  { key: "resolved_30d", label: tk("disputes.summary.resolved") },
  { key: "referred_30d", label: tk("disputes.summary.referred") },
];

const TABLE: UnitTableOptions<Figure> = {
  className: "dispute-figures",
  unit: tk("disputes.summary.unit"),
  total: tk("disputes.summary.total"),
  columns: COLUMNS,
  alarms: new Set<Figure>(["high", "overdue"]),
};

export interface SummaryTabOptions {
  levels: readonly DisputeLevel[];
  /** The answer's units, for the page's names. */
  learn(units: readonly UnitDisputes[]): void;
}

/** Mounts the 统计 tab in `parent` with a chooser of the levels (the first shown first); it fetches on `load()`. */
export function mountSummaryTab(parent: HTMLElement, options: SummaryTabOptions): Tab {
  return mountLevelSummary<DisputeSummary>(parent, {
    className: "dispute-summary",
    titleId: "disputes-summary-title",
    texts: { title: tk("disputes.summary.title"), level: tk("disputes.summary.level"), hint: tk("disputes.summary.hint"), none: tk("disputes.summary.none") },
    levels: options.levels,
    levelNames: LEVEL_CHOICES,
    captions: LEVEL_CHOICES,
    fetch: (level) => getSummary(level),
    ready: (page) => options.learn(page.units),
    table: (caption, page) =>
      unitTable(
        caption,
        page.units.map((u) => ({ name: localName(u), path: u.org_path, figures: u })),
        totalOf(page.units),
        TABLE,
      ),
  });
}

/** The totals row: the server sends none for disputes. */
function totalOf(units: readonly UnitDisputes[]): Record<Figure, number> {
  return Object.fromEntries(COLUMNS.map((c) => [c.key, units.reduce((sum, u) => sum + u[c.key], 0)])) as Record<Figure, number>;
}
