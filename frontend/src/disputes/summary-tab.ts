/**
 * 统计: each unit of a level (those below the user's unit: streets, communities or grids) with
 * the live disputes that happened there (of them high-risk and overdue), those its own centre
 * holds, and those settled or referred in the last 30 days, and a totals row. Disputes are
 * counted, not people: no count is withheld. Cells carry `data-figure` and `data-value`, rows
 * `data-path` ("" for the total); the section `data-level`.
 */

import { el, replaceChildren } from "../shared/dom";
import { describeError, showErrorText } from "../shared/error-text";
import { localName, onLocaleChange, t, tk, type MessageKey } from "../shared/i18n";
import type { DisputeLevel, DisputeSummary, UnitDisputes } from "../shared/types";
import type { Tab } from "../shared/ui/tabs";
import { getSummary } from "./disputes-api";
import { LEVEL_CHOICES } from "./labels";

type Figure = Exclude<keyof UnitDisputes, "org_path" | "name_zh" | "name_en">;

const COLUMNS: readonly { key: Figure; label: MessageKey }[] = [
  { key: "live", label: tk("disputes.summary.live") },
  { key: "high", label: tk("disputes.summary.high") },
  { key: "overdue", label: tk("disputes.summary.overdue") },
  { key: "held", label: tk("disputes.summary.held") },
  { key: "resolved_30d", label: tk("disputes.summary.resolved") },
  { key: "referred_30d", label: tk("disputes.summary.referred") },
];

/** Figures shown loud when above zero. */
const ALARMS: ReadonlySet<Figure> = new Set<Figure>(["high", "overdue"]);

export interface SummaryTabOptions {
  levels: readonly DisputeLevel[];
  /** The answer's units, for the page's names. */
  learn(units: readonly UnitDisputes[]): void;
}

/** Mounts the 统计 tab in `parent` with a chooser of the levels (the first shown first); it fetches on `load()`. */
export function mountSummaryTab(parent: HTMLElement, options: SummaryTabOptions): Tab {
  const { levels } = options;
  let level: DisputeLevel = levels[0] ?? "grid";
  let page: DisputeSummary | null = null;
  let problem: unknown = null;
  let asked = 0;

  const chooser = el("div", { className: "seg summary__levels", attrs: { role: "group", "aria-label": t("disputes.summary.level"), "data-i18n-aria-label": "disputes.summary.level" } });
  const body = el("div", { className: "summary__body" });
  const root = el("section", { className: "panel dispute-summary", attrs: { "aria-labelledby": "disputes-summary-title" } }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "disputes.summary.title", attrs: { id: "disputes-summary-title" } })]),
    levels.length > 1 ? chooser : null,
    body,
    el("p", { className: "field__hint", i18n: "disputes.summary.hint" }),
  ]);
  parent.append(root);

  const render = (): void => {
    root.dataset.level = level;
    chooser.replaceChildren(
      ...levels.map((l) => {
        const b = el("button", { className: `seg__btn${l === level ? " is-active" : ""}`, text: t(LEVEL_CHOICES[l]), attrs: { type: "button", "aria-pressed": String(l === level) }, dataset: { level: l } });
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
    replaceChildren(body, [failed, page.units.length === 0 ? el("p", { className: "empty", i18n: "disputes.summary.none" }) : table(t(LEVEL_CHOICES[level]), page.units)]);
  };

  async function load(): Promise<void> {
    const ticket = ++asked;
    try {
      const answer = await getSummary(level);
      if (ticket !== asked) {
        return;
      }
      options.learn(answer.units);
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

function table(caption: string, units: readonly UnitDisputes[]): HTMLElement {
  const total = Object.fromEntries(COLUMNS.map((c) => [c.key, units.reduce((sum, u) => sum + u[c.key], 0)])) as Record<Figure, number>;
  const line = (figures: Record<Figure, number>, name: string, path: string, className: string): HTMLElement =>
    el("tr", { className, dataset: { path } }, [
      el("th", { className: "figures__name", text: name, attrs: { scope: "row" } }),
      ...COLUMNS.map((c) => {
        const value = figures[c.key];
        const alarm = ALARMS.has(c.key) && value > 0;
        return el("td", { className: `figures__num${alarm ? " is-alarm" : ""}`, text: String(value), dataset: { figure: c.key, value: String(value) } });
      }),
    ]);
  return el("div", { className: "figures__scroll", attrs: { role: "region", "aria-label": caption, tabindex: "0" } }, [
    el("table", { className: "figures dispute-figures" }, [
      el("caption", { className: "figures__caption", text: caption }),
      el("thead", {}, [
        el("tr", {}, [
          el("th", { className: "figures__name", i18n: "disputes.summary.unit", attrs: { scope: "col" } }),
          ...COLUMNS.map((c) => el("th", { className: "figures__num", i18n: c.label, attrs: { scope: "col" }, dataset: { figure: c.key } })),
        ]),
      ]),
      el("tbody", {}, units.map((u) => line(u, localName(u), u.org_path, "figures__row"))),
      el("tfoot", {}, [line(total, t("disputes.summary.total"), "", "figures__total")]),
    ]),
  ]);
}
