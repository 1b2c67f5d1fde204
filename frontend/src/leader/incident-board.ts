/**
 * The leader's live incidents: escalated ones and those past their step's deadline first, then
 * by priority and age; each row shows the state and the running step, and opens the incident's
 * drill-down when clicked. Rows carry `data-id` and `data-state` for tests; they are kept per
 * incident and updated in place (`shared/panels/incident-rows.ts`).
 */

import { el } from "../shared/dom";
import { onLocaleChange, t } from "../shared/i18n";
import { getLiveState, onLiveChange } from "../shared/live";
import { IncidentRows, isOverdue } from "../shared/panels/incident-rows";
import type { LiveIncident } from "../shared/types";

/** Escalated or overdue first (escalated before merely overdue), then priority, then oldest. */
export function sortForLeader(incidents: readonly LiveIncident[], nowMs: number): LiveIncident[] {
  const rank = (i: LiveIncident): number => (i.escalated ? 0 : isOverdue(i, nowMs) ? 1 : 2);
  return [...incidents].sort(
    (a, b) => rank(a) - rank(b) || a.priority - b.priority || Date.parse(a.opened_at) - Date.parse(b.opened_at),
  );
}

export function mountIncidentBoard(parent: HTMLElement, onPick: (incident: LiveIncident) => void): { setSelected(id: string | null): void } {
  let selected: string | null = null;
  const count = el("span", { className: "panel__count" });
  const body = el("div", { className: "incidents board", attrs: { "aria-live": "polite", "aria-relevant": "additions removals" } });
  const root = el("section", { className: "panel panel--incidents" }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "leader.board.title" }), count]),
    body,
  ]);
  const newRow = (id: string): HTMLLIElement => {
    const li = el("li", { attrs: { tabindex: "0", role: "button" }, dataset: { id } });
    const pick = (): void => {
      const incident = rows.incident(id);
      if (incident !== undefined) {
        onPick(incident);
      }
    };
    li.addEventListener("click", pick);
    li.addEventListener("keydown", (e) => (e.key === "Enter" || e.key === " ") && pick());
    return li;
  };
  const rows = new IncidentRows(body, newRow, (incident, now) => ({
    classes: `${isOverdue(incident, now) ? " is-overdue" : ""}${incident.id === selected ? " is-selected" : ""}`,
    lateFlag: true,
  }));
  const render = (): void => {
    const incidents = getLiveState().incidents;
    if (incidents === null) {
      count.textContent = "";
      rows.show(el("p", { className: "empty empty--loading", text: t("state.loading") }));
      return;
    }
    count.textContent = String(incidents.length);
    if (incidents.length === 0) {
      rows.show(el("p", { className: "empty", text: t("state.noIncidents") }));
      return;
    }
    const now = Date.now();
    rows.render(sortForLeader(incidents, now), now);
  };
  render();
  onLiveChange((_, part) => part === "incidents" && render());
  onLocaleChange(render);
  window.setInterval(() => (getLiveState().incidents?.length ?? 0) > 0 && render(), 1000);
  parent.append(root);
  return {
    setSelected(id) {
      selected = id;
      render();
    },
  };
}
