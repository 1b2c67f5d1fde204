/**
 * Rental-housing grading (出租屋分级分类评定) for the grid workers who inspect the houses and the
 * leaders who follow them. Tabs (`access.ts`): 出租屋 (the overdue warnings across the top, the
 * houses to act on, the house with its rectifications and inspections and, for those who inspect,
 * the inspection form with its live grade), 整改 (each department's open rectifications), 统计
 * (each unit's figures). A tab fetches its data each time it is shown and after the events and
 * writes that touch it. The page borrows the ledger page's layout, forms and chips (its shell is
 * `.ledgers.rentals`); only what is new is in rentals.css.
 */

import { el } from "../shared/dom";
import { labelOf, localName, onLocaleChange, t } from "../shared/i18n";
import { GRADE_NAMES, ITEM_NAMES, RENTAL_DEPARTMENT_NAMES } from "../shared/rental-terms";
import type { Session } from "../shared/session";
import type { RentalAssessmentRecorded, RentalChecklist, RentalSignOffRecorded } from "../shared/types";
import { mountAppHeader } from "../shared/ui/app-header";
import { mountTabs, type Tab } from "../shared/ui/tabs";
import { showToast } from "../shared/ui/toast";
import { startRuleLive } from "../shared/warnings/rule-live";
import { mountRulePanel } from "../shared/warnings/rule-panel";
import { accessOf, type RentalTab } from "./access";
import { mountHazardsTab } from "./hazards-tab";
import { mountHouseList } from "./house-list";
import { mountHousePanel } from "./house-panel";
import { TABS } from "./labels";
import { getChecklist } from "./rentals-api";
import { mountSummaryTab } from "./summary-tab";

const NARROW = "(max-width: 900px)";

/** Builds the page in `root` for the signed-in user and starts its live link. */
export function renderRentals(root: HTMLElement, session: Session): void {
  const access = accessOf(session.me);
  // data-live: "socket", or "polling" once the warnings topic was refused
  const shell = el("div", { className: "ledgers rentals", dataset: { level: access.level, write: String(access.write), live: "socket" } });
  root.append(shell);
  mountAppHeader(shell, session, { title: "rentals.title", current: "rentals" });

  const unit = el("p", { className: "ledgers__unit", attrs: { id: "rentals-unit" } });
  const tabBar = el("div", { className: "tabs ledgers__tabs", attrs: { role: "tablist", "aria-labelledby": "rentals-unit" } });
  const panes = new Map<RentalTab, HTMLElement>();
  for (const id of access.tabs) {
    panes.set(id, el("div", { className: `rentals__pane rentals__pane--${id}`, attrs: { role: "tabpanel", id: `rentals-pane-${id}` }, dataset: { tab: id } }));
  }
  shell.append(el("div", { className: "ledgers__top" }, [el("div", { className: "ledgers__head" }, [unit]), tabBar]), el("div", { className: "ledgers__body" }, [...panes.values()]));

  const now = (): number => client.serverNow();
  const tabs = new Map<RentalTab, Tab>();

  // The checklist, fetched once (the form waits for it; a failure is asked again next time).
  let checklist: Promise<RentalChecklist> | null = null;
  const loadChecklist = (): Promise<RentalChecklist> => {
    checklist ??= getChecklist().catch((err: unknown) => {
      checklist = null;
      throw err;
    });
    return checklist;
  };
  if (access.write) {
    void loadChecklist().catch(() => undefined); // ready before the first inspection
  }

  // 出租屋: warnings across the top, the list | the house.
  let reloadHouses: (() => void) | null = null;
  let refreshHouse: ((id: string | null) => void) | null = null;
  let openHouse: ((id: string) => void) | null = null;
  const housesPane = panes.get("houses");
  if (housesPane !== undefined) {
    const top = el("div", { className: "ledger-work__warnings rental-warnings" });
    const left = el("aside", { className: "ledger-work__list" });
    const right = el("main", { className: "ledger-work__entry" });
    housesPane.append(el("div", { className: "ledger-work" }, [top, left, right]));
    const select = (houseId: string): void => {
      list.setSelected(houseId);
      void panel.show(houseId);
      if (window.matchMedia(NARROW).matches) {
        panel.root.scrollIntoView({ block: "start", behavior: "smooth" });
      }
    };
    // The list first: the warnings then know the addresses of the houses it holds.
    const reload = (): void => {
      void list.load().then(() => Promise.all(warnings.map((w) => w.load())));
    };
    const list = mountHouseList(left, { onSelect: select, now });
    const panelOptions = { className: "rental-warnings__panel", countText: "rentals.warnings.count", limit: 200, take: access.takeWarnings, onChanged: reload, now } as const;
    const warnings = access.readWarnings
      ? [
          mountRulePanel(top, {
            ...panelOptions,
            rule: "rental_inspection_overdue",
            titleId: "rentals-warnings-inspection-title",
            title: "rentals.warnings.inspection.title",
            none: "rentals.warnings.inspection.none",
            onSelect: select,
            nameOf: (id) => list.addressOf(id),
          }),
          mountRulePanel(top, {
            ...panelOptions,
            rule: "rental_hazard_overdue",
            titleId: "rentals-warnings-hazard-title",
            title: "rentals.warnings.hazard.title",
            none: "rentals.warnings.hazard.none",
            // a rectification opens its house
            onSelect: (_id, w) => (typeof w.details.house_id === "string" ? select(w.details.house_id) : undefined),
            nameOf: (_id, w) => (typeof w.details.house_id === "string" ? list.addressOf(w.details.house_id) : null),
          }),
        ]
      : [];
    const panel = mountHousePanel(right, {
      write: access.write,
      checklist: loadChecklist,
      now,
      onRecorded: (result) => {
        showToast(recordedText(result));
        reload();
      },
    });
    reloadHouses = reload;
    refreshHouse = (id) => void panel.refresh(id);
    openHouse = select;
    tabs.set("houses", { root: housesPane, load: async () => reload() });
  }
  const hazardsPane = panes.get("hazards");
  const hazards =
    hazardsPane === undefined
      ? null
      : mountHazardsTab(hazardsPane, {
          now,
          onOpen: (houseId) => {
            bar.show("houses");
            openHouse?.(houseId);
          },
          departments: access.departments,
          rectify: access.rectify,
          onSignedOff: (result) => showToast(signedOffText(result)),
        });
  if (hazards !== null) {
    tabs.set("hazards", hazards);
  }
  const summaryPane = panes.get("summary");
  if (summaryPane !== undefined) {
    tabs.set("summary", mountSummaryTab(summaryPane, access.summaryLevels));
  }

  const bar = mountTabs(shell, tabBar, {
    ids: access.tabs,
    labels: TABS,
    panes,
    paneId: (id) => `rentals-pane-${id}`,
    load: (id) => void tabs.get(id)?.load(),
  });

  // The two rules' warnings, and every inspection made elsewhere (topic `rentals`): the shown
  // list again, and the house shown when it is the one.
  const client = startRuleLive(
    access.readWarnings ? ["rental_inspection_overdue", "rental_hazard_overdue"] : [],
    {
      lists: () => {
        const shown = bar.shown();
        if (shown === "houses") {
          reloadHouses?.();
        } else if (shown === "hazards") {
          void hazards?.load();
        }
      },
      subject: (id) => refreshHouse?.(id),
      polling: () => {
        shell.dataset.live = "polling";
      },
      // both rules are about a house: an inspection's subject is the house, a rectification's names it
      about: (event) => {
        const details = event.data.details;
        const house = typeof details === "object" && details !== null ? (details as Record<string, unknown>).house_id : undefined;
        if (typeof house === "string") {
          return house;
        }
        return typeof event.data.subject_id === "string" && event.data.rule === "rental_inspection_overdue" ? event.data.subject_id : null;
      },
    },
    { topic: "rentals", subjectKey: "house_id" },
  );

  const drawUnit = (): void => {
    const where = localName(session.me.org_unit);
    const own = access.departments.length === 1 ? access.departments[0] : undefined;
    if (own !== undefined) {
      unit.textContent = t("rentals.unitDepartment", { unit: where, department: t(RENTAL_DEPARTMENT_NAMES[own]) });
      return;
    }
    unit.textContent = t(access.write ? "rentals.unit" : "rentals.unitReadOnly", { unit: where });
  };
  drawUnit();
  onLocaleChange(drawUnit);
  const first = bar.shown();
  if (first === undefined) {
    shell.append(el("p", { className: "empty", i18n: "rentals.noTabs" }));
    return;
  }
  bar.show(first);
}

/** The toast after an inspection: the server's grade and score, and the rectifications opened and cleared. */
function recordedText(r: RentalAssessmentRecorded): string {
  if (r.duplicate) {
    return t("rentals.recorded.duplicate");
  }
  const parts = [t("rentals.recorded.graded", { grade: labelOf(GRADE_NAMES, r.assessment.grade), score: r.assessment.score })];
  if (r.opened_hazards.length > 0) {
    parts.push(t("rentals.recorded.opened", { n: r.opened_hazards.length }));
  }
  if (r.cleared_hazards.length > 0) {
    parts.push(t("rentals.recorded.cleared", { n: r.cleared_hazards.length }));
  }
  if (!r.latest) {
    parts.push(t("rentals.recorded.notLatest"));
  }
  return parts.join(t("rentals.recorded.sep"));
}

/** The toast after a sign-off: the item closed (and its warning), or a resend. */
function signedOffText(r: RentalSignOffRecorded): string {
  if (r.duplicate) {
    return t("rentals.signoff.duplicate");
  }
  const item = labelOf(ITEM_NAMES, r.hazard.item);
  return r.resolved_warnings.length > 0 ? t("rentals.signoff.doneResolved", { item }) : t("rentals.signoff.done", { item });
}
