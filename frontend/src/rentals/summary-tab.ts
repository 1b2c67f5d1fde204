/**
 * 统计: each unit of a level (those below the user's unit: streets, communities or grids) with its
 * rental houses per grade (the block data's while never inspected), inspected, overdue for
 * inspection, and open and overdue rectifications, and a totals row. Houses are not people: no
 * count is withheld. Cells carry `data-figure` and `data-value`, rows `data-path` ("" for the
 * total); the section `data-level`.
 */

import { el, replaceChildren } from "../shared/dom";
import { describeError, showErrorText } from "../shared/error-text";
import { localName, onLocaleChange, t, tk, type MessageKey } from "../shared/i18n";
import type { RentalSummary, RentalSummaryLevel, UnitRentals } from "../shared/types";
import type { Tab } from "../shared/ui/tabs";
import { SUMMARY_CAPTIONS, SUMMARY_LEVELS } from "./labels";
import { getSummary } from "./rentals-api";

type Figure = Exclude<keyof UnitRentals, "org_path" | "name_zh" | "name_en">;

const COLUMNS: readonly { key: Figure; label: MessageKey }[] = [
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

/** Figures shown loud when above zero. */
const ALARMS: ReadonlySet<Figure> = new Set<Figure>(["overdue", "overdue_hazards"]);

/** Mounts the 统计 tab in `parent` with a chooser of `levels` (the first shown first); it fetches on `load()`. */
export function mountSummaryTab(parent: HTMLElement, levels: readonly RentalSummaryLevel[]): Tab {
  let level: RentalSummaryLevel = levels[0] ?? "grid";
  let page: RentalSummary | null = null;
  let problem: unknown = null;
  let asked = 0;

  const chooser = el("div", { className: "seg summary__levels", attrs: { role: "group", "aria-label": t("rentals.summary.level"), "data-i18n-aria-label": "rentals.summary.level" } });
  const body = el("div", { className: "summary__body" });
  const root = el("section", { className: "panel rental-summary", attrs: { "aria-labelledby": "rentals-summary-title" } }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "rentals.summary.title", attrs: { id: "rentals-summary-title" } })]),
    levels.length > 1 ? chooser : null,
    body,
    el("p", { className: "field__hint", i18n: "rentals.summary.hint" }),
  ]);
  parent.append(root);

  const render = (): void => {
    root.dataset.level = level;
    chooser.replaceChildren(
      ...levels.map((l) => {
        const b = el("button", { className: `seg__btn${l === level ? " is-active" : ""}`, text: t(SUMMARY_LEVELS[l]), attrs: { type: "button", "aria-pressed": String(l === level) }, dataset: { level: l } });
        b.addEventListener("click", () => {
          if (l !== level) {
            level = l;
            page = null;
            render();
          }
          void load();
        });
        return b;
      }),
    );
    const failed = problem === null ? null : el("p", { className: "field__error" });
    if (failed !== null) {
      showErrorText(failed, describeError(problem), problem);
    }
    if (page === null) {
      delete root.dataset.units;
      replaceChildren(body, [failed ?? el("p", { className: "empty", i18n: "state.loading" })]);
      return;
    }
    root.dataset.units = String(page.units.length);
    replaceChildren(body, [failed, page.units.length === 0 ? el("p", { className: "empty", i18n: "rentals.summary.none" }) : table(t(SUMMARY_CAPTIONS[level]), page)]);
  };

  async function load(): Promise<void> {
    const ticket = ++asked;
    const asking = level;
    try {
      const answer = await getSummary(asking);
      if (ticket !== asked) {
        return;
      }
      page = answer;
      problem = null;
    } catch (err) {
      if (ticket !== asked) {
        return;
      }
      problem = err;
    }
    render();
  }

  render();
  onLocaleChange(render);
  return { root, load };
}

function table(caption: string, page: RentalSummary): HTMLElement {
  const line = (u: UnitRentals, name: string, path: string, className: string): HTMLElement =>
    el("tr", { className, dataset: { path } }, [
      el("th", { className: "figures__name", text: name, attrs: { scope: "row" } }),
      ...COLUMNS.map((c) => {
        const value = u[c.key];
        const alarm = ALARMS.has(c.key) && value > 0;
        return el("td", { className: `figures__num${alarm ? " is-alarm" : ""}`, text: String(value), dataset: { figure: c.key, value: String(value) } });
      }),
    ]);
  return el("div", { className: "figures__scroll", attrs: { role: "region", "aria-label": caption, tabindex: "0" } }, [
    el("table", { className: "figures rental-figures" }, [
      el("caption", { className: "figures__caption", text: caption }),
      el("thead", {}, [
        el("tr", {}, [
          el("th", { className: "figures__name", i18n: "rentals.summary.unit", attrs: { scope: "col" } }),
          ...COLUMNS.map((c) => el("th", { className: "figures__num", i18n: c.label, attrs: { scope: "col" }, dataset: { figure: c.key } })),
        ]),
      ]),
      el("tbody", {}, page.units.map((u) => line(u, localName(u), u.org_path, "figures__row"))),
      el("tfoot", {}, [line(page.total, t("rentals.summary.total"), "", "figures__total")]),
    ]),
  ]);
}
