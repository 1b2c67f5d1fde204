/**
 * The console's live incidents, selectable: escalated first, then by priority, then oldest,
 * each with its state, running step and countdown. A roving tabindex makes it one tab stop;
 * ArrowUp/ArrowDown (or k/j) move, Home/End jump, Enter or a click selects.
 */

import { el, replaceChildren } from "../shared/dom";
import { incidentTitle, PRIORITY_LABELS } from "../shared/domain";
import { formatDuration, onLocaleChange, t } from "../shared/i18n";
import { getLiveState, onLiveChange } from "../shared/live";
import { sortIncidents } from "../shared/panels/incidents-list";
import { isOverdue, statusText } from "../shared/panels/incident-rows";
import type { LiveIncident } from "../shared/types";

export interface IncidentList {
  root: HTMLElement;
  /** Marks `id` as the selected row (without calling `onSelect`). */
  setSelected(id: string | null): void;
  focus(): void;
}

export function mountIncidentList(parent: HTMLElement, onSelect: (id: string) => void, now: () => number): IncidentList {
  const count = el("span", { className: "panel__count" });
  const body = el("div", { className: "incidents" });
  const root = el("section", { className: "panel panel--incidents" }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "panel.incidents", attrs: { id: "console-incidents-title" } }), count]),
    body,
  ]);
  parent.append(root);

  let selected: string | null = null;
  let focusedId: string | null = null;
  let order: string[] = [];

  // Rows are kept by id and updated in place: the list re-renders every second (countdowns),
  // and a row replaced under the pointer would swallow the operator's click.
  const rows = new Map<string, HTMLElement>();
  const list = el("ol", { className: "incidents__list", attrs: { role: "listbox", "aria-labelledby": "console-incidents-title" } });

  const render = (): void => {
    const incidents = getLiveState().incidents;
    if (incidents === null || incidents.length === 0) {
      count.textContent = incidents === null ? "" : "0";
      order = [];
      rows.clear();
      list.replaceChildren();
      const key = incidents === null ? "state.loading" : "state.noIncidents";
      replaceChildren(body, [el("div", { className: `empty${incidents === null ? " empty--loading" : ""}` }, [el("p", { i18n: key })])]);
      return;
    }
    count.textContent = String(incidents.length);
    const sorted = sortIncidents(incidents);
    order = sorted.map((i) => i.id);
    const tabStop = focusedId !== null && order.includes(focusedId) ? focusedId : selected !== null && order.includes(selected) ? selected : order[0];
    const at = now();
    for (const id of [...rows.keys()]) {
      if (!order.includes(id)) {
        rows.get(id)?.remove();
        rows.delete(id);
      }
    }
    sorted.forEach((incident, index) => {
      let li = rows.get(incident.id);
      if (li === undefined) {
        li = el("li", { attrs: { role: "option" }, dataset: { incidentId: incident.id } });
        rows.set(incident.id, li);
      }
      fillRow(li, incident, at, incident.id === selected, incident.id === tabStop);
      if (list.children[index] !== li) {
        list.insertBefore(li, list.children[index] ?? null);
      }
    });
    if (list.parentElement !== body) {
      replaceChildren(body, [list]);
    }
  };

  const move = (from: string, delta: number | "start" | "end"): void => {
    const index = order.indexOf(from);
    const next = delta === "start" ? 0 : delta === "end" ? order.length - 1 : Math.min(order.length - 1, Math.max(0, index + delta));
    focusedId = order[next] ?? null;
    render();
    body.querySelector<HTMLElement>(`[data-incident-id="${CSS.escape(focusedId ?? "")}"]`)?.focus();
  };

  body.addEventListener("click", (event) => {
    const target = (event.target as HTMLElement).closest<HTMLElement>("[data-incident-id]");
    const id = target?.dataset.incidentId;
    if (id !== undefined) {
      focusedId = id;
      onSelect(id);
    }
  });
  body.addEventListener("keydown", (event) => {
    const id = (event.target as HTMLElement).closest<HTMLElement>("[data-incident-id]")?.dataset.incidentId;
    if (id === undefined) {
      return;
    }
    const keys: Record<string, number | "start" | "end"> = { ArrowDown: 1, j: 1, ArrowUp: -1, k: -1, Home: "start", End: "end" };
    const delta = keys[event.key];
    if (delta !== undefined) {
      event.preventDefault();
      move(id, delta);
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      onSelect(id);
    }
  });

  render();
  onLiveChange((_, part) => part === "incidents" && render());
  onLocaleChange(render);
  window.setInterval(() => (getLiveState().incidents?.length ?? 0) > 0 && render(), 1000);

  return {
    root,
    setSelected(id) {
      selected = id;
      render();
    },
    focus() {
      const target = body.querySelector<HTMLElement>("[tabindex='0']");
      target?.focus();
    },
  };
}

function fillRow(li: HTMLElement, incident: LiveIncident, now: number, isSelected: boolean, isTabStop: boolean): void {
  const openFor = (now - Date.parse(incident.opened_at)) / 1000;
  li.className = `incident incident--p${incident.priority}${incident.escalated ? " is-escalated" : ""}${isSelected ? " is-selected" : ""}`;
  li.tabIndex = isTabStop ? 0 : -1;
  li.setAttribute("aria-selected", String(isSelected));
  replaceChildren(li, [
    el("span", { className: "incident__priority", text: t(PRIORITY_LABELS[incident.priority]) }),
    el("div", { className: "incident__main" }, [
      el("p", { className: "incident__title", text: incidentTitle(incident) }),
      el("p", { className: "incident__address", text: incident.address }),
      stepLine(incident, now),
    ]),
    el("div", { className: "incident__side" }, [
      el("span", { className: "incident__timer", text: formatDuration(openFor) }),
      incident.escalated ? el("span", { className: "incident__flag", i18n: "incidentRow.escalated" }) : null,
      incident.repeat_call === true ? el("span", { className: "incident__flag incident__flag--repeat", i18n: "incidentRow.repeat" }) : null,
    ]),
  ]);
}

function stepLine(incident: LiveIncident, now: number): HTMLElement {
  return el("p", { className: `incident__step${isOverdue(incident, now) ? " is-overdue" : ""}`, text: statusText(incident, now) });
}
