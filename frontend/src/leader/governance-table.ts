/**
 * The governance overview's table: a level switch (the levels below the leader's own) and one
 * row per unit with its outstanding work, the columns grouped by service — 预警 (live, serious,
 * psychological crises), 台账 (checks overdue, in need), 出租屋 (red, inspections overdue,
 * rectifications overdue), 矛盾纠纷 (live, high-risk, overdue) — a service the user may not read
 * left out, and the jurisdiction's total at the foot.
 *
 * The most urgent units come first: serious warnings, then everything overdue (`byUrgency`); a
 * non-zero figure that means trouble is highlighted, always with its number (never colour alone).
 * Ledger counts are people: 1–4 arrive as null and read "<5". Each service's group header links
 * to its page when the user's menus include it.
 *
 * Rows carry `data-path`, `data-serious` and `data-overdue`; cells `data-figure`
 * (`disputes.high`: service and field), `data-value` (the number, or "suppressed") and `data-bad`.
 */

import { el, replaceChildren } from "../shared/dom";
import { localName, t, tk, type MessageKey } from "../shared/i18n";
import { countText, countValue, SUPPRESSED_HINT } from "../shared/small-counts";
import type { GovernanceLevel, GovernanceOverview, MenuId, UnitOverview } from "../shared/types";
import { MENUS } from "../shared/ui/nav";
import { LEVEL_WORDS } from "./warning-units";

type Service = "warnings" | "ledgers" | "rentals" | "disputes";

interface Column {
  /** The server's name of the figure; cells carry `data-figure` "<service>.<field>". */
  field: string;
  label: MessageKey;
  /** The unit's figure: null when withheld (1–4), undefined when the user may not read the service. */
  value(unit: UnitOverview): number | null | undefined;
  /** A non-zero figure is work overdue or at risk: highlighted. */
  bad: boolean;
  /** The column's own page (心理危机 → the psych page), linked from its header. */
  page?: MenuId;
}

interface Group {
  service: Service;
  label: MessageKey;
  /** The service's page, linked from the group's header (the warnings open the leader's own tab). */
  page: MenuId | null;
  columns: readonly Column[];
}

const GROUPS: readonly Group[] = [
  {
    service: "warnings",
    label: tk("leader.governance.service.warnings"),
    page: null,
    columns: [
      { field: "live", label: tk("leader.governance.warnings.live"), value: (u) => u.warnings.live, bad: false },
      { field: "serious", label: tk("leader.governance.warnings.serious"), value: (u) => u.warnings.serious, bad: true },
      { field: "crises", label: tk("leader.governance.warnings.crises"), value: (u) => (u.psych === null ? undefined : u.psych.crises), bad: true, page: "psych" },
    ],
  },
  {
    service: "ledgers",
    label: tk("leader.governance.service.ledgers"),
    page: "ledgers",
    columns: [
      { field: "overdue", label: tk("leader.governance.ledgers.overdue"), value: (u) => (u.ledgers === null ? undefined : u.ledgers.overdue), bad: true },
      { field: "needs_help", label: tk("leader.governance.ledgers.needsHelp"), value: (u) => (u.ledgers === null ? undefined : u.ledgers.needs_help), bad: false },
    ],
  },
  {
    service: "rentals",
    label: tk("leader.governance.service.rentals"),
    page: "rentals",
    columns: [
      { field: "red", label: tk("leader.governance.rentals.red"), value: (u) => u.rentals?.red, bad: true },
      { field: "inspections_overdue", label: tk("leader.governance.rentals.inspectionsOverdue"), value: (u) => u.rentals?.inspections_overdue, bad: true },
      { field: "rectifications_overdue", label: tk("leader.governance.rentals.rectificationsOverdue"), value: (u) => u.rentals?.rectifications_overdue, bad: true },
    ],
  },
  {
    service: "disputes",
    label: tk("leader.governance.service.disputes"),
    page: "disputes",
    columns: [
      { field: "live", label: tk("leader.governance.disputes.live"), value: (u) => u.disputes?.live, bad: false },
      { field: "high", label: tk("leader.governance.disputes.high"), value: (u) => u.disputes?.high, bad: true },
      { field: "overdue", label: tk("leader.governance.disputes.overdue"), value: (u) => u.disputes?.overdue, bad: true },
    ],
  },
];

/** A withheld count is 1–4: at least one. */
const atLeast = (n: number | null | undefined): number => (n === undefined ? 0 : n === null ? 1 : n);

/** Everything overdue in the unit: ledger checks (a withheld count as one), inspections, rectifications, disputes. */
export function overdueTotal(unit: UnitOverview): number {
  return atLeast(unit.ledgers?.overdue) + atLeast(unit.rentals?.inspections_overdue) + atLeast(unit.rentals?.rectifications_overdue) + atLeast(unit.disputes?.overdue);
}

/** The most urgent first: serious warnings, then everything overdue; otherwise the server's order (by path). */
export function byUrgency(units: readonly UnitOverview[]): UnitOverview[] {
  return [...units].sort((a, b) => b.warnings.serious - a.warnings.serious || overdueTotal(b) - overdueTotal(a));
}

export interface GovernanceTableOptions {
  levels: readonly GovernanceLevel[];
  /** The user's menus: a service's header links to its page only when they may open it. */
  menus: readonly MenuId[];
  onLevel(level: GovernanceLevel): void;
  /** Shows the leader's own 预警 tab (the warnings group's header). */
  openWarnings(): void;
}

export interface GovernanceTable {
  root: HTMLElement;
  /** Draws the level switch and the units (null: still loading). */
  render(level: GovernanceLevel, overview: GovernanceOverview | null): void;
}

export function mountGovernanceTable(options: GovernanceTableOptions): GovernanceTable {
  const switcher = el("div", { className: "seg", attrs: { role: "group" } });
  const body = el("div", { className: "gov__units-box" });
  const hint = el("p", { className: "gov__suppressed", i18n: SUPPRESSED_HINT });
  const root = el("div", { className: "gov__units-part" }, [
    el("div", { className: "lwarn__subhead" }, [el("h3", { className: "lwarn__subtitle", i18n: "leader.governance.byUnit" }), switcher]),
    body,
    hint,
  ]);

  const render = (level: GovernanceLevel, overview: GovernanceOverview | null): void => {
    replaceChildren(
      switcher,
      options.levels.map((l) => {
        const b = el("button", { className: `seg__btn${l === level ? " is-active" : ""}`, text: t(LEVEL_WORDS[l]), attrs: { type: "button", "aria-pressed": String(l === level) }, dataset: { level: l } });
        b.addEventListener("click", () => options.onLevel(l));
        return b;
      }),
    );
    hint.hidden = true;
    if (overview === null) {
      replaceChildren(body, [el("p", { className: "empty", i18n: "state.loading" })]);
      return;
    }
    const groups = GROUPS.filter((g) => g.columns[0]?.value(overview.total) !== undefined);
    const units = byUrgency(overview.units);
    const rows = units.map((unit) => unitRow(unit, groups, false));
    const table = el("table", { className: "gov__table", dataset: { level, services: groups.map((g) => g.service).join(",") } }, [
      el("thead", {}, header(level, groups, options)),
      el("tbody", {}, rows),
      el("tfoot", {}, [unitRow(overview.total, groups, true)]),
    ]);
    const empty = units.length === 0 ? el("p", { className: "empty", i18n: "leader.governance.none" }) : null;
    replaceChildren(body, [empty, table]);
    hint.hidden = ![...units, overview.total].some((u) => u.ledgers !== null && (u.ledgers.overdue === null || u.ledgers.needs_help === null));
  };

  return { root, render };
}

/** Two header rows: the services (each linked to its page when the user may open it), then their figures. */
function header(level: GovernanceLevel, groups: readonly Group[], options: GovernanceTableOptions): HTMLElement[] {
  const top = el("tr", {}, [el("th", { className: "gov__unit-head", text: t(LEVEL_WORDS[level]), attrs: { scope: "col", rowspan: "2" } })]);
  const sub = el("tr", {});
  for (const group of groups) {
    top.append(el("th", { className: "gov__group", attrs: { scope: "colgroup", colspan: String(group.columns.length) }, dataset: { service: group.service } }, [groupTitle(group, options)]));
    group.columns.forEach((column, i) => {
      const page = column.page !== undefined && options.menus.includes(column.page) ? column.page : null;
      sub.append(
        el("th", { className: `gov__col${i === 0 ? " gov__first" : ""}`, attrs: { scope: "col" }, dataset: { figure: `${group.service}.${column.field}` } }, [
          page === null ? el("span", { className: "gov__label", text: t(column.label) }) : pageLink(page, column.label),
        ]),
      );
    });
  }
  return [top, sub];
}

function groupTitle(group: Group, options: GovernanceTableOptions): Node {
  if (group.page === null) {
    const b = el("button", { className: "gov__link gov__link--tab", text: t(group.label), attrs: { type: "button", title: t("leader.governance.toWarnings") } });
    b.addEventListener("click", () => options.openWarnings());
    return b;
  }
  return options.menus.includes(group.page) ? pageLink(group.page, group.label) : document.createTextNode(t(group.label));
}

function pageLink(page: MenuId, label: MessageKey): HTMLElement {
  const entry = MENUS[page];
  return el("a", { className: "gov__link gov__label", text: t(label), attrs: { href: entry.href ?? "/", title: t("leader.governance.goTo", { page: t(entry.label) }) } });
}

function unitRow(unit: UnitOverview, groups: readonly Group[], total: boolean): HTMLElement {
  const overdue = overdueTotal(unit);
  const urgent = unit.warnings.serious > 0 || overdue > 0;
  const name = total ? `${t("leader.governance.total")} · ${localName(unit)}` : localName(unit);
  const row = el(
    "tr",
    {
      className: ["gov__unit", total ? "gov__total" : "", urgent ? "is-urgent" : "", unit.warnings.serious > 0 ? "is-serious" : ""].filter((c) => c !== "").join(" "),
      dataset: { path: unit.org_path, serious: String(unit.warnings.serious), overdue: String(overdue) },
    },
    [el("th", { className: "gov__unit-name", text: name, attrs: { scope: "row" } })],
  );
  for (const group of groups) {
    group.columns.forEach((column, i) => {
      const value = column.value(unit);
      const shown = value === undefined ? "—" : countText(value);
      const bad = column.bad && value !== undefined && value !== 0;
      const classes = ["gov__cell", i === 0 ? "gov__first" : "", bad ? "is-bad" : "", value === 0 ? "is-zero" : ""];
      row.append(
        el("td", {
          className: classes.filter((c) => c !== "").join(" "),
          text: shown,
          dataset: { figure: `${group.service}.${column.field}`, value: value === undefined ? "" : countValue(value), bad: String(bad) },
        }),
      );
    });
  }
  return row;
}
