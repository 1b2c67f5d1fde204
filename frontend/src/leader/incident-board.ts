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
  const render = (): void => {
    const incidents = getLiveState().incidents;
    if (incidents === null) {
      count.textContent = "";
      replaceChildren(body, [el("p", { className: "empty empty--loading", text: t("state.loading") })]);
      return;
    }
    count.textContent = String(incidents.length);
    if (incidents.length === 0) {
      replaceChildren(body, [el("p", { className: "empty", text: t("state.noIncidents") })]);
      return;
    }
    const now = Date.now();
    replaceChildren(body, [el("ol", { className: "incidents__list" }, sortForLeader(incidents, now).map((i) => row(i, now)))]);
  };
  const row = (incident: LiveIncident, now: number): HTMLElement => {
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
    const li = el(
      "li",
      {
        className: `incident incident--p${incident.priority}${incident.escalated ? " is-escalated" : ""}${overdue ? " is-overdue" : ""}${incident.id === selected ? " is-selected" : ""}`,
        attrs: { tabindex: "0", role: "button" },
        dataset: { id: incident.id, state: incident.state },
      },
      [
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
      ],
    );
    const pick = (): void => onPick(incident);
    li.addEventListener("click", pick);
    li.addEventListener("keydown", (e) => (e.key === "Enter" || e.key === " ") && pick());
    return li;
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
