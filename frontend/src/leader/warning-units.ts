/**
 * The leader's warnings per unit: a level switch (street / community / grid, the levels below
 * the leader's own) and one row per unit of that level with its open, acknowledged and serious
 * counts, serious rows first as the server orders them, and its follow-up coverage (the share of
 * its high-risk patients seen on time, 随访及时率). Clicking a row picks the unit (the list
 * below then shows only its warnings); clicking it again lets go. Rows carry `data-path`,
 * `data-open`, `data-acknowledged`, `data-serious`, `data-high-risk` and `data-overdue`.
 */

import { el, replaceChildren } from "../shared/dom";
import { localName, t, tk, type MessageKey } from "../shared/i18n";
import type { OrgLevel, OrgUnitRef, UnitWarnings, WarningUnitLevel } from "../shared/types";

const UNIT_LEVELS: readonly WarningUnitLevel[] = ["street", "community", "grid"];
/** The name of each unit level, for a level switch and a table's first column. */
export const LEVEL_WORDS: Readonly<Record<WarningUnitLevel, MessageKey>> = {
  street: tk("leader.warnings.level.street"),
  community: tk("leader.warnings.level.community"),
  grid: tk("leader.warnings.level.grid"),
};
// Segments of an org path at each level: "440310" is the district, "440310.01" a street, …
const DEPTH: Readonly<Record<OrgLevel, number>> = { district: 1, street: 2, community: 3, grid: 4 };

/** The unit levels below the user's own unit, nearest first (a district leader: street, community, grid). */
export function levelsBelow(unit: Pick<OrgUnitRef, "path" | "level">): WarningUnitLevel[] {
  const depth = Object.hasOwn(DEPTH, unit.level) ? DEPTH[unit.level] : unit.path.split(".").length;
  return UNIT_LEVELS.filter((level) => DEPTH[level] > depth);
}

/** Whether `path` is `unit` or lies inside it (a prefix ending at a segment boundary). */
export function isWithin(path: string, unit: string): boolean {
  return path === unit || path.startsWith(`${unit}.`);
}

export interface UnitsView {
  level: WarningUnitLevel;
  units: readonly UnitWarnings[] | null;
  /** The picked unit's path, if any. */
  picked: string | null;
}

export interface UnitsTable {
  root: HTMLElement;
  render(view: UnitsView): void;
}

/** The level switch and the table; `onLevel` and `onPick` report the user's choices. */
export function mountUnitsTable(levels: readonly WarningUnitLevel[], onLevel: (level: WarningUnitLevel) => void, onPick: (unit: UnitWarnings) => void): UnitsTable {
  const switcher = el("div", { className: "seg", attrs: { role: "group" } });
  const body = el("div", { className: "lwarn__units-box" });
  const root = el("div", { className: "lwarn__units-part" }, [
    el("div", { className: "lwarn__subhead" }, [el("h3", { className: "lwarn__subtitle", i18n: "leader.warnings.byUnit" }), switcher]),
    body,
  ]);

  const render = (view: UnitsView): void => {
    replaceChildren(
      switcher,
      levels.map((level) => {
        const b = el("button", { className: `seg__btn${level === view.level ? " is-active" : ""}`, text: t(LEVEL_WORDS[level]), attrs: { type: "button", "aria-pressed": String(level === view.level) }, dataset: { level } });
        b.addEventListener("click", () => onLevel(level));
        return b;
      }),
    );
    if (view.units === null) {
      replaceChildren(body, [el("p", { className: "empty", i18n: "state.loading" })]);
      return;
    }
    const head = el("tr", {}, [
      el("th", { text: t(LEVEL_WORDS[view.level]), attrs: { scope: "col" } }),
      el("th", { i18n: "leader.warnings.open", attrs: { scope: "col" } }),
      el("th", { i18n: "leader.warnings.acknowledged", attrs: { scope: "col" } }),
      el("th", { i18n: "leader.warnings.serious", attrs: { scope: "col" } }),
      el("th", { i18n: "leader.warnings.onTime", attrs: { scope: "col", "data-i18n-title": "leader.warnings.onTimeHint" } }),
    ]);
    const rows = view.units.map((unit) => {
      const classes = ["lwarn__unit", unit.serious > 0 ? "is-serious" : "", unit.open + unit.acknowledged === 0 ? "is-quiet" : "", unit.org_path === view.picked ? "is-selected" : ""];
      const row = el(
        "tr",
        {
          className: classes.filter((c) => c !== "").join(" "),
          attrs: { tabindex: "0", "aria-selected": String(unit.org_path === view.picked) },
          dataset: {
            path: unit.org_path,
            open: String(unit.open),
            acknowledged: String(unit.acknowledged),
            serious: String(unit.serious),
            highRisk: String(unit.high_risk),
            overdue: String(unit.overdue),
          },
        },
        [
          el("td", { className: "lwarn__unit-name", text: localName(unit) }),
          el("td", { text: String(unit.open) }),
          el("td", { text: String(unit.acknowledged) }),
          el("td", { className: "lwarn__unit-serious", text: String(unit.serious) }),
          el("td", { className: `lwarn__unit-ontime${unit.overdue > 0 ? " is-late" : ""}`, text: onTime(unit) }),
        ],
      );
      row.addEventListener("click", () => onPick(unit));
      row.addEventListener("keydown", (e) => e.key === "Enter" && onPick(unit));
      return row;
    });
    replaceChildren(body, [el("table", { className: "lwarn__units", dataset: { level: view.level } }, [el("thead", {}, [head]), el("tbody", {}, rows)])]);
  };

  return { root, render };
}

/** The share of the unit's high-risk patients not overdue, "—" when it has none. */
function onTime(unit: UnitWarnings): string {
  if (unit.high_risk === 0) {
    return "—";
  }
  const share = Math.floor((100 * (unit.high_risk - unit.overdue)) / unit.high_risk);
  return t("leader.warnings.onTimeValue", { pct: share, n: unit.high_risk });
}
