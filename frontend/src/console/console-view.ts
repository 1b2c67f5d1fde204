/**
 * The operator console: intake and the live incidents on the left, the interactive map in the
 * middle (a click places the incident being written), the selected incident on the right,
 * followed live over its own topic. One realtime client feeds the shared live store (wall
 * topic and positions) and the selected incident's topic.
 *
 * Keys (when not typing): n or / → the address field of a new incident, l → the incidents
 * list, t → the note of the selected incident; Ctrl+Enter submits the form being written.
 */

import { Marker, NavigationControl } from "maplibre-gl";
import { el } from "../shared/dom";
import { getLiveState } from "../shared/live";
import { startLiveFeed } from "../shared/live-feed";
import { mountLegend } from "../shared/map/legend";
import { createMapView } from "../shared/map/map-view";
import type { Session } from "../shared/session";
import { mountAppHeader } from "../shared/ui/app-header";
import { mountIncidentList } from "./incident-list";
import { mountIncidentPanel } from "./incident-panel";
import { mountIntakeForm } from "./intake-form";

export function renderConsole(root: HTMLElement, session: Session): void {
  const shell = el("div", { className: "console" });
  root.append(shell);
  mountAppHeader(shell, session, { title: "console.title", current: "console" });

  const left = el("aside", { className: "console__side console__side--left" });
  const mapArea = el("main", { className: "console__map" });
  const right = el("aside", { className: "console__side console__side--right" });
  shell.append(el("div", { className: "console__body" }, [left, mapArea, right]));

  const client = startLiveFeed({ incidentsTopic: "wall" });
  const now = (): number => client.serverNow();
  const view = createMapView(mapArea, session, { interactive: true });
  const placeMarker = new Marker({ color: "#22d3ee" });

  const panel = mountIncidentPanel(right, client, now);
  const select = (id: string): void => {
    list.setSelected(id);
    panel.show(id);
    const incident = getLiveState().incidents?.find((i) => i.id === id);
    if (incident !== undefined && view !== null) {
      view.map.easeTo({ center: [incident.lon, incident.lat], zoom: Math.max(view.map.getZoom(), 13), duration: 600 });
    }
  };
  const intake = mountIntakeForm(left, {
    onCreated: (detail) => select(detail.summary.id),
    onPlace: (point) => {
      if (view === null) {
        return;
      }
      if (point === null) {
        placeMarker.remove();
      } else {
        placeMarker.setLngLat([point.lon, point.lat]).addTo(view.map);
        view.map.easeTo({ center: [point.lon, point.lat], duration: 400 });
      }
    },
  });
  const list = mountIncidentList(left, select, now);

  if (view !== null) {
    view.map.addControl(new NavigationControl({ showCompass: false }), "top-right");
    view.map.on("click", (event) => intake.setPoint(event.lngLat.lat, event.lngLat.lng));
    const legendDock = el("div", { className: "console__legend" });
    mapArea.append(legendDock);
    mountLegend(legendDock, view.stack);
  }

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) {
      return;
    }
    const action: Record<string, () => void> = {
      n: () => intake.focus(),
      "/": () => intake.focus(),
      l: () => list.focus(),
      t: () => panel.focusNote(),
    };
    const run = action[event.key];
    if (run !== undefined) {
      event.preventDefault();
      run();
    }
  });
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) {
    return false;
  }
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName) || target.closest("dialog") !== null;
}
