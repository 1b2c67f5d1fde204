/**
 * The leader view: KPIs across the top, every live incident in the jurisdiction with
 * escalations first, and the map for drill-down. After-action archives will join it later.
 */

import { el } from "../shared/dom";
import { localName, onLocaleChange, t } from "../shared/i18n";
import { mountLegend } from "../shared/map/legend";
import { startLiveFeed } from "../shared/live-feed";
import { createMapView } from "../shared/map/map-view";
import { mountIncidentsList } from "../shared/panels/incidents-list";
import { mountKpiTiles } from "../shared/panels/kpi-tiles";
import type { Session } from "../shared/session";
import { mountAppHeader } from "../shared/ui/app-header";

export function renderLeader(root: HTMLElement, session: Session): void {
  const shell = el("div", { className: "leader" });
  root.append(shell);
  mountAppHeader(shell, session, { title: "leader.title", current: "leader" });

  const scope = el("p", { className: "leader__scope" });
  const top = el("div", { className: "leader__top" }, [scope]);
  const list = el("aside", { className: "leader__list" });
  const mapArea = el("main", { className: "leader__map" });
  shell.append(el("div", { className: "leader__body" }, [top, list, mapArea]));

  mountKpiTiles(top);
  mountIncidentsList(list);
  const view = createMapView(mapArea, session, { interactive: true });
  if (view !== null) {
    const legendDock = el("div", { className: "leader__legend" });
    mapArea.append(legendDock);
    mountLegend(legendDock, view.stack);
  }

  const renderScope = (): void => {
    scope.textContent = t("leader.scope", { name: localName(session.me.org_unit) });
  };
  renderScope();
  onLocaleChange(renderScope);
  startLiveFeed({ incidentsTopic: "leader" });
}
