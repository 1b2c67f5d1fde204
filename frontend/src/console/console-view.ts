/**
 * The operator console: the same live map as the wall with full interaction, live incidents on
 * the left and responders on duty on the right. Incident creation and dispatch actions will be
 * added here once their API exists.
 */

import { el } from "../shared/dom";
import { mountLegend } from "../shared/map/legend";
import { startLiveFeed } from "../shared/live-feed";
import { createMapView } from "../shared/map/map-view";
import { mountIncidentsList } from "../shared/panels/incidents-list";
import { mountRespondersList } from "../shared/panels/responders-list";
import type { Session } from "../shared/session";
import { mountAppHeader } from "../shared/ui/app-header";
import { NavigationControl } from "maplibre-gl";

export function renderConsole(root: HTMLElement, session: Session): void {
  const shell = el("div", { className: "console" });
  root.append(shell);
  mountAppHeader(shell, session, { title: "console.title", current: "console" });

  const left = el("aside", { className: "console__side console__side--left" });
  const mapArea = el("main", { className: "console__map" });
  const right = el("aside", { className: "console__side console__side--right" });
  shell.append(el("div", { className: "console__body" }, [left, mapArea, right]));

  mountIncidentsList(left);
  mountRespondersList(right);
  const view = createMapView(mapArea, session, { interactive: true });
  if (view !== null) {
    view.map.addControl(new NavigationControl({ showCompass: false }), "top-right");
    const legendDock = el("div", { className: "console__legend" });
    mapArea.append(legendDock);
    mountLegend(legendDock, view.stack);
  }
  startLiveFeed({ incidentsTopic: "wall" });
}
