/**
 * 统计: each unit of a level (those below the user's unit: streets, communities or grids) with its
 * rental houses per grade (the block data's while never inspected), inspected, overdue for
 * inspection, and open and overdue rectifications, and a totals row. Houses are not people: no
 * count is withheld. The chooser, the fetch and the table are `shared/ui/unit-table.ts`'s: cells
 * carry `data-figure` and `data-value`, rows `data-path` ("" for the total); the section
 * `data-level`.
 */

import { localName, tk } from "../shared/i18n";
import type { RentalSummary, RentalSummaryLevel, UnitRentals } from "../shared/types";
import type { Tab } from "../shared/ui/tabs";
import { mountLevelSummary, unitTable, type FigureColumn, type UnitTableOptions } from "../shared/ui/unit-table";
import { SUMMARY_CAPTIONS, SUMMARY_LEVELS } from "./labels";
import { getSummary } from "./rentals-api";

type Figure = Exclude<keyof UnitRentals, "org_path" | "name_zh" | "name_en">;

const COLUMNS: readonly FigureColumn<Figure>[] = [
  { key: "rentals", label: tk("rentals.summary.rentals") },
  { key: "red", label: tk("rentals.summary.red") },
  { key: "yellow", label: tk("rentals.summary.yellow") },
  { key: "green", label: tk("rentals.summary.green") },
  { key: "ungraded", label: tk("rentals.summary.ungraded") },
  { key: "assessed", label: tk("rentals.summary.assessed") },
  { key: "overdue", label: tk("rentals.summary.overdue") },
  { key: "open_hazards", label: tk("rentals.summary.openHazards") },
  { key: "overdue_hazards", label: tk("rentals.summary.overdueHazards") },
];

const TABLE: UnitTableOptions<Figure> = {
  className: "rental-figures",
  unit: tk("rentals.summary.unit"),
  total: tk("rentals.summary.total"),
  columns: COLUMNS,
  alarms: new Set<Figure>(["overdue", "overdue_hazards"]),
};

/** Mounts the 统计 tab in `parent` with a chooser of `levels` (the first shown first); it fetches on `load()`. */
export function mountSummaryTab(parent: HTMLElement, levels: readonly RentalSummaryLevel[]): Tab {
  return mountLevelSummary<RentalSummary>(parent, {
    className: "rental-summary",
    titleId: "rentals-summary-title",
    texts: { title: tk("rentals.summary.title"), level: tk("rentals.summary.level"), hint: tk("rentals.summary.hint"), none: tk("rentals.summary.none") },
    levels,
    levelNames: SUMMARY_LEVELS,
    captions: SUMMARY_CAPTIONS,
    fetch: (level) => getSummary(level),
    table: (caption, page) =>
      unitTable(
        caption,
        page.units.map((u) => ({ name: localName(u), path: u.org_path, figures: u })),
        page.total,
        TABLE,
      ),
  });
}
