/**
 * The wall (大屏): header with the district name, the live early warnings, clock and live
 * indicator; KPI tiles on the left, the map in the middle, live incidents on the right, the
 * event ticker along the bottom.
 * Laid out for 16:9 screens; every size is in rem and the root font scales with the viewport,
 * so 1920×1080 and 3840×2160 show the same picture, just sharper.
 */

import { el } from "../shared/dom";
import { localName, onLocaleChange, t } from "../shared/i18n";
import { mountLegend } from "../shared/map/legend";
import { startLiveFeed } from "../shared/live-feed";
import { createMapView } from "../shared/map/map-view";
import { mountIncidentsList } from "../shared/panels/incidents-list";
import { mountKpiTiles } from "../shared/panels/kpi-tiles";
import { mountResponderSummary } from "../shared/panels/responder-summary";
import { mountTicker } from "../shared/panels/ticker";
import type { Session } from "../shared/session";
import { mountClock } from "../shared/ui/clock";
import { mountConnectionIndicator } from "../shared/ui/connection-indicator";
import { mountLanguageSwitch } from "../shared/ui/language-switch";
import { startTodayKpis } from "../shared/today-kpis";
import { mountWarningFigure } from "./warning-figure";

export function renderWall(root: HTMLElement, session: Session): void {
  const headerStatus = el("div", { className: "wall-header__status" });
  const jurisdiction = el("p", { className: "wall-header__jurisdiction" });
  const header = el("header", { className: "wall-header" }, [
    el("div", { className: "wall-header__emblem", attrs: { "aria-hidden": "true" } }, [
      el("img", { attrs: { src: "/icons/icon.svg", alt: "" } }),
    ]),
    el("div", { className: "wall-header__titles" }, [
      el("h1", { className: "wall-header__title", i18n: "wall.title" }),
      el("p", { className: "wall-header__subtitle", i18n: "wall.subtitle" }),
    ]),
    el("div", { className: "wall-header__center" }, [jurisdiction]),
    headerStatus,
  ]);
  const warnings = mountWarningFigure(headerStatus);
  mountClock(headerStatus, { withDate: true });
  mountConnectionIndicator(headerStatus);
  mountLanguageSwitch(headerStatus);

  const left = el("aside", { className: "wall-side wall-side--left" });
  const right = el("aside", { className: "wall-side wall-side--right" });
  const mapArea = el("main", { className: "wall-map" });
  const footer = el("footer", { className: "wall-footer" });
  root.append(el("div", { className: "wall" }, [header, left, mapArea, right, footer]));

  mountKpiTiles(left);
  mountResponderSummary(left);
  mountIncidentsList(right, { limit: 14 });
  mountTicker(footer);

  const view = createMapView(mapArea, session, { interactive: true, drillDown: true, blockLayers: true, placeLayers: true });
  if (view !== null) {
    const legendDock = el("div", { className: "wall-map__legend" });
    mapArea.append(legendDock);
    mountLegend(legendDock, view.stack);
  }

  const renderJurisdiction = (): void => {
    jurisdiction.textContent = t("wall.jurisdiction", { name: localName(session.me.org_unit) });
  };
  renderJurisdiction();
  onLocaleChange(renderJurisdiction);
  startLiveFeed({ incidentsTopic: "wall", listeners: [warnings] });
  startTodayKpis();
}
