/**
 * The leader's live incidents: escalated ones and those past their step's deadline first, then
 * by priority and age; each row shows the state and the running step, and opens the incident's
 * drill-down when clicked. Rows carry `data-id` and `data-state` for tests.
 */

import { incidentTitle, PRIORITY_LABELS } from "../shared/domain";
import { el, replaceChildren } from "../shared/dom";
import { formatDuration, getLocale, onLocaleChange, t } from "../shared/i18n";
import { incidentStateLabel } from "../shared/incident-events";
import { getLiveState, onLiveChange } from "../shared/live";
import type { LiveIncident } from "../shared/types";

/** True when the incident's current step is past its deadline at `nowMs`. */
export function isOverdue(incident: LiveIncident, nowMs: number): boolean {
  const due = incident.step?.deadline_at;
  return due !== null && due !== undefined && Date.parse(due) < nowMs;
}

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
  const body = el("div", { className: "incidents board", attrs: { "aria-live": "polite" } });
  const root = el("section", { className: "panel panel--incidents" }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "leader.board.title" }), count]),
    body,
  ]);
  // Rows are kept per incident and updated in place: the board redraws every second (the
  // timers), and a list rebuilt each time would drop a click that straddles a redraw and throw
  // keyboard focus away.
  const rows = new Map<string, { li: HTMLLIElement; incident: LiveIncident }>();
  let list: HTMLOListElement | null = null;
  const show = (message: HTMLElement): void => {
    list = null;
    rows.clear();
    replaceChildren(body, [message]);
  };
  const render = (): void => {
    const incidents = getLiveState().incidents;
    if (incidents === null) {
      count.textContent = "";
      show(el("p", { className: "empty empty--loading", text: t("state.loading") }));
      return;
    }
    count.textContent = String(incidents.length);
    if (incidents.length === 0) {
      show(el("p", { className: "empty", text: t("state.noIncidents") }));
      return;
    }
    if (list === null) {
      list = el("ol", { className: "incidents__list" });
      replaceChildren(body, [list]);
    }
    const now = Date.now();
    const ordered = sortForLeader(incidents, now);
    const present = new Set(ordered.map((i) => i.id));
    for (const [id, entry] of rows) {
      if (!present.has(id)) {
        entry.li.remove();
        rows.delete(id);
      }
    }
    ordered.forEach((incident, index) => {
      let entry = rows.get(incident.id);
      if (entry === undefined) {
        entry = { li: newRow(incident.id), incident };
        rows.set(incident.id, entry);
      }
      entry.incident = incident;
      fillRow(entry.li, incident, now);
      const at = list?.children[index] ?? null;
      if (at !== entry.li) {
        list?.insertBefore(entry.li, at);
      }
    });
  };
  const newRow = (id: string): HTMLLIElement => {
    const li = el("li", { attrs: { tabindex: "0", role: "button" }, dataset: { id } });
    const pick = (): void => {
      const entry = rows.get(id);
      if (entry !== undefined) {
        onPick(entry.incident);
      }
    };
    li.addEventListener("click", pick);
    li.addEventListener("keydown", (e) => (e.key === "Enter" || e.key === " ") && pick());
    return li;
  };
  const fillRow = (li: HTMLLIElement, incident: LiveIncident, now: number): void => {
    const overdue = isOverdue(incident, now);
    const step = incident.step;
    const parts = [incidentStateLabel(incident.state)];
    const title = step === null ? null : getLocale() === "zh-CN" ? step.title_zh : step.title_en;
    if (title !== null && title !== "") {
      parts.push(title);
    }
    if (step?.deadline_at !== null && step?.deadline_at !== undefined) {
      const left = (Date.parse(step.deadline_at) - now) / 1000;
      parts.push(left < 0 ? t("incidentRow.overdue", { time: formatDuration(-left) }) : t("incidentRow.due", { time: formatDuration(left) }));
    }
    li.className = `incident incident--p${incident.priority}${incident.escalated ? " is-escalated" : ""}${overdue ? " is-overdue" : ""}${incident.id === selected ? " is-selected" : ""}`;
    li.dataset.state = incident.state;
    replaceChildren(li, [
      el("span", { className: "incident__priority", text: t(PRIORITY_LABELS[incident.priority]) }),
      el("div", { className: "incident__main" }, [
        el("p", { className: "incident__title", text: incidentTitle(incident) }),
        el("p", { className: "incident__address", text: incident.address }),
        el("p", { className: `incident__step${overdue ? " is-overdue" : ""}`, text: parts.join(" · ") }),
      ]),
      el("div", { className: "incident__side" }, [
        el("span", { className: "incident__timer", text: formatDuration((now - Date.parse(incident.opened_at)) / 1000) }),
        incident.escalated ? el("span", { className: "incident__flag", i18n: "incidentRow.escalated" }) : null,
        !incident.escalated && overdue ? el("span", { className: "incident__flag incident__flag--late", i18n: "leader.board.late" }) : null,
      ]),
    ]);
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
