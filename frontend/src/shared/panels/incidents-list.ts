/**
 * The live incidents list: escalated first, then by priority, then oldest first, each with a
 * running "open for" timer and where it stands. Shows "loading…" before the feed's first
 * snapshot and "no live incidents" when the snapshot is empty.
 */

import { el } from "../dom";
import { onLocaleChange } from "../i18n";
import { getLiveState, onLiveChange } from "../live";
import type { LiveIncident } from "../types";
import { IncidentRows } from "./incident-rows";

/** Escalated first, then priority 1 → 4, then the longest open. */
export function sortIncidents(incidents: readonly LiveIncident[]): LiveIncident[] {
  return [...incidents].sort(
    (a, b) =>
      Number(b.escalated) - Number(a.escalated) ||
      a.priority - b.priority ||
      Date.parse(a.opened_at) - Date.parse(b.opened_at),
  );
}

export function mountIncidentsList(parent: HTMLElement, options: { limit?: number } = {}): HTMLElement {
  const count = el("span", { className: "panel__count" });
  // Only rows coming and going are announced, not every second's timer text.
  const body = el("div", { className: "incidents", attrs: { "aria-live": "polite", "aria-relevant": "additions removals" } });
  const root = el("section", { className: "panel panel--incidents" }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "panel.incidents" }), count]),
    body,
  ]);
  const rows = new IncidentRows(body);
  const render = (): void => {
    const incidents = getLiveState().incidents;
    if (incidents === null) {
      count.textContent = "";
      rows.show(emptyState("state.loading", true));
      return;
    }
    count.textContent = String(incidents.length);
    if (incidents.length === 0) {
      rows.show(emptyState("state.noIncidents", false));
      return;
    }
    rows.render(sortIncidents(incidents).slice(0, options.limit ?? 50), Date.now());
  };
  render();
  onLiveChange((_, part) => part === "incidents" && render());
  onLocaleChange(render);
  // Tick the "open for" timers; loading and empty states have nothing to tick.
  window.setInterval(() => (getLiveState().incidents?.length ?? 0) > 0 && render(), 1000);
  parent.append(root);
  return root;
}

function emptyState(key: "state.loading" | "state.noIncidents", loading: boolean): HTMLElement {
  return el("div", { className: `empty${loading ? " empty--loading" : ""}` }, [
    loading ? el("span", { className: "spinner spinner--small", attrs: { "aria-hidden": "true" } }) : null,
    el("p", { i18n: key }),
  ]);
}
