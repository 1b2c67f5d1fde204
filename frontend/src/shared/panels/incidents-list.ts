/**
 * The live incidents list: escalated first, then by priority, then oldest first, each with a
 * running "open for" timer. Shows "loading…" before the feed's first snapshot and
 * "no live incidents" when the snapshot is empty.
 */

import { el, replaceChildren } from "../dom";
import { formatDuration, getLocale, onLocaleChange, t } from "../i18n";
import { incidentStateLabel } from "../incident-events";
import { getLiveState, onLiveChange } from "../live";
import { incidentTitle, PRIORITY_LABELS } from "../domain";
import type { LiveIncident } from "../types";

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
  const body = el("div", { className: "incidents", attrs: { "aria-live": "polite" } });
  const root = el("section", { className: "panel panel--incidents" }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "panel.incidents" }), count]),
    body,
  ]);
  const render = (): void => {
    const incidents = getLiveState().incidents;
    if (incidents === null) {
      count.textContent = "";
      replaceChildren(body, [emptyState("state.loading", true)]);
      return;
    }
    count.textContent = String(incidents.length);
    if (incidents.length === 0) {
      replaceChildren(body, [emptyState("state.noIncidents", false)]);
      return;
    }
    const now = Date.now();
    const rows = sortIncidents(incidents).slice(0, options.limit ?? 50);
    replaceChildren(body, [el("ol", { className: "incidents__list" }, rows.map((i) => row(i, now)))]);
  };
  render();
  onLiveChange((_, part) => part === "incidents" && render());
  onLocaleChange(render);
  // Tick the "open for" timers; loading and empty states have nothing to tick.
  window.setInterval(() => (getLiveState().incidents?.length ?? 0) > 0 && render(), 1000);
  parent.append(root);
  return root;
}

function row(incident: LiveIncident, now: number): HTMLElement {
  const openFor = (now - Date.parse(incident.opened_at)) / 1000;
  return el("li", { className: `incident incident--p${incident.priority}${incident.escalated ? " is-escalated" : ""}` }, [
    el("span", { className: "incident__priority", text: t(PRIORITY_LABELS[incident.priority]) }),
    el("div", { className: "incident__main" }, [
      el("p", { className: "incident__title", text: incidentTitle(incident) }),
      el("p", { className: "incident__address", text: incident.address }),
      statusLine(incident, now),
    ]),
    el("div", { className: "incident__side" }, [
      el("span", { className: "incident__timer", text: formatDuration(openFor) }),
      incident.escalated ? el("span", { className: "incident__flag", i18n: "incidentRow.escalated" }) : null,
    ]),
  ]);
}

/**
 * "responding · notify the guardian · due in 3:20" (or "overdue 0:45"), so the wall shows where
 * each incident stands and which are running late. Step ids are never shown, only titles.
 */
function statusLine(incident: LiveIncident, now: number): HTMLElement {
  const step = incident.step;
  const parts = [incidentStateLabel(incident.state)];
  let overdue = false;
  if (step !== null) {
    const title = getLocale() === "zh-CN" ? step.title_zh : step.title_en;
    if (title !== null && title !== "") {
      parts.push(title);
    }
    if (step.deadline_at !== null) {
      const left = (Date.parse(step.deadline_at) - now) / 1000;
      overdue = left < 0;
      parts.push(overdue ? t("incidentRow.overdue", { time: formatDuration(-left) }) : t("incidentRow.due", { time: formatDuration(left) }));
    }
  }
  return el("p", { className: `incident__step${overdue ? " is-overdue" : ""}`, text: parts.join(" · ") });
}

function emptyState(key: "state.loading" | "state.noIncidents", loading: boolean): HTMLElement {
  return el("div", { className: `empty${loading ? " empty--loading" : ""}` }, [
    loading ? el("span", { className: "spinner spinner--small", attrs: { "aria-hidden": "true" } }) : null,
    el("p", { i18n: key }),
  ]);
}
