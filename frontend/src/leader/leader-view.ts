/**
 * The leader view: today's KPIs across the top; on the left every live incident of the
 * jurisdiction (escalated and overdue first); the map in the middle (SLA heat per H3 cell,
 * drill-down by clicking a street or community); on the right, tabs for KPI trends, the
 * after-action archives with review notes, the early warnings (with a badge of the live count
 * that stays current while the tab is hidden), each unit's outstanding work across the services
 * (治理概览), and the drill-down into one incident.
 */

import { el } from "../shared/dom";
import { localName, onLocaleChange, t, tk, type MessageKey } from "../shared/i18n";
import { startLiveFeed } from "../shared/live-feed";
import { onLiveChange, getLiveState } from "../shared/live";
import { mountLegend } from "../shared/map/legend";
import { createMapView } from "../shared/map/map-view";
import { mountKpiTiles } from "../shared/panels/kpi-tiles";
import type { Session } from "../shared/session";
import type { WarningTotals } from "../shared/warnings/warnings-api";
import { startTodayKpis } from "../shared/today-kpis";
import { mountAppHeader } from "../shared/ui/app-header";
import { mountArchives } from "./archives";
import { mountGovernanceTab } from "./governance-tab";
import { mountIncidentBoard } from "./incident-board";
import { mountIncidentDetail } from "./incident-detail";
import { getSlaCells } from "./leader-api";
import { slaHeatLayer, type SlaData, type SlaMetric } from "./sla-heat-layer";
import { mountTrends } from "./trends";
import { mountWarningsTab } from "./warnings-tab";

type Tab = "trends" | "archives" | "warnings" | "governance" | "incident";
const TABS: readonly [Tab, MessageKey][] = [
  ["trends", tk("leader.tab.trends")],
  ["archives", tk("leader.tab.archives")],
  ["warnings", tk("leader.tab.warnings")],
  ["governance", tk("leader.tab.governance")],
  ["incident", tk("leader.tab.incident")],
];

export function renderLeader(root: HTMLElement, session: Session): void {
  const shell = el("div", { className: "leader" });
  root.append(shell);
  mountAppHeader(shell, session, { title: "leader.title", current: "leader" });

  const scope = el("p", { className: "leader__scope" });
  const top = el("div", { className: "leader__top" }, [scope]);
  const list = el("aside", { className: "leader__list" });
  const mapArea = el("main", { className: "leader__map" });
  const tabBar = el("div", { className: "tabs", attrs: { role: "tablist" } });
  const panes: Record<Tab, HTMLElement> = {
    trends: el("div", { className: "leader__pane", dataset: { pane: "trends" } }),
    archives: el("div", { className: "leader__pane", dataset: { pane: "archives" } }),
    warnings: el("div", { className: "leader__pane", dataset: { pane: "warnings" } }),
    governance: el("div", { className: "leader__pane", dataset: { pane: "governance" } }),
    incident: el("div", { className: "leader__pane", dataset: { pane: "incident" } }),
  };
  const side = el("aside", { className: "leader__side" }, [tabBar, panes.trends, panes.archives, panes.warnings, panes.governance, panes.incident]);
  shell.append(el("div", { className: "leader__body" }, [top, list, mapArea, side]));

  mountKpiTiles(top);
  let warningTotals: WarningTotals | null = null;
  const warnings = mountWarningsTab(panes.warnings, {
    me: session.me,
    now: () => client.serverNow(),
    onTotals(totals) {
      warningTotals = totals;
      renderTabs();
    },
  });
  const governance = mountGovernanceTab(panes.governance, { me: session.me, openWarnings: () => showTab("warnings") });
  const client = startLiveFeed({ incidentsTopic: "leader", listeners: [warnings.handler, governance.handler] });
  startTodayKpis();

  const view = createMapView(mapArea, session, { interactive: true, drillDown: true, underlays: [slaHeatLayer] });
  const sla = view?.underlays[0];
  let slaData: SlaData = { cells: [], metric: "accept" };
  const metricBox = el("div", { className: "sla-metric", attrs: { role: "group" } });
  if (view !== null) {
    const legendDock = el("div", { className: "leader__legend" });
    mapArea.append(legendDock, metricBox);
    mountLegend(legendDock, view.stack, { collapsed: true });
  }
  const renderMetric = (): void => {
    metricBox.replaceChildren(
      el("span", { className: "sla-metric__label", text: t("leader.sla.metric") }),
      ...(["accept", "arrive"] as SlaMetric[]).map((m) => {
        const b = el("button", { className: `seg__btn${slaData.metric === m ? " is-active" : ""}`, text: t(m === "accept" ? "leader.sla.accept" : "leader.sla.arrive"), attrs: { type: "button" }, dataset: { metric: m } });
        b.addEventListener("click", () => {
          slaData = { ...slaData, metric: m };
          sla?.setData(slaData);
          renderMetric();
        });
        return b;
      }),
    );
  };
  const loadSla = async (): Promise<void> => {
    try {
      const answer = await getSlaCells(getLiveState().focus?.path ?? null);
      slaData = { ...slaData, cells: answer.cells };
      sla?.setData(slaData);
      mapArea.dataset.slaCells = String(answer.cells.length); // mapArea is the .map-view
    } catch (err) {
      console.warn("SLA heat failed to load", err);
    }
  };
  renderMetric();
  void loadSla();
  onLiveChange((_, part) => part === "focus" && void loadSla());
  onLocaleChange(renderMetric);

  let tab: Tab = "trends";
  const showTab = (next: Tab): void => {
    tab = next;
    for (const [id] of TABS) {
      panes[id].hidden = id !== tab;
    }
    warnings.setVisible(tab === "warnings");
    governance.setVisible(tab === "governance");
    renderTabs();
  };
  const renderTabs = (): void => {
    tabBar.replaceChildren(
      ...TABS.map(([id, label]) => {
        const b = el("button", { className: `tabs__btn${id === tab ? " is-active" : ""}`, text: t(label), attrs: { type: "button", role: "tab", "aria-selected": String(id === tab) }, dataset: { tab: id } });
        if (id === "warnings" && warningTotals !== null) {
          b.append(warningBadge(warningTotals));
        }
        b.addEventListener("click", () => showTab(id));
        return b;
      }),
    );
  };
  onLocaleChange(renderTabs);

  mountTrends(panes.trends);
  mountArchives(panes.archives);
  const emptyDetail = el("p", { className: "empty", i18n: "leader.detail.pick" });
  panes.incident.append(emptyDetail);
  const detail = mountIncidentDetail(
    panes.incident,
    client,
    (incident) => view?.flyTo(incident.lon, incident.lat),
    () => {
      detail.close();
      board.setSelected(null);
      emptyDetail.hidden = false;
    },
  );
  const board = mountIncidentBoard(list, (incident) => {
    board.setSelected(incident.id);
    emptyDetail.hidden = true;
    detail.show(incident);
    showTab("incident");
  });
  showTab("trends");

  const renderScope = (): void => {
    scope.textContent = t("leader.scope", { name: localName(session.me.org_unit) });
  };
  renderScope();
  onLocaleChange(renderScope);
}

/** The warnings tab's badge: the live count (open and in hand), red with a serious count when any. */
function warningBadge(totals: WarningTotals): HTMLElement {
  const live = totals.open + totals.acknowledged;
  const serious = totals.serious > 0;
  return el("span", { className: `tabs__badge${serious ? " is-serious" : ""}${live === 0 ? " is-zero" : ""}`, attrs: { title: t("leader.warnings.badge", { n: live, serious: totals.serious }) }, dataset: { count: String(live), serious: String(totals.serious) } }, [
    el("span", { className: "tabs__badge-count", text: String(live) }),
    serious ? el("span", { className: "tabs__badge-serious", text: t("leader.warnings.seriousMark", { n: totals.serious }) }) : null,
  ]);
}
