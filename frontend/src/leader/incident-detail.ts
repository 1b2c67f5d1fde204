/**
 * Drill-down into one incident: its summary and responders, and the live timeline — the
 * append-only log from `GET /api/incidents/{id}/timeline`, kept current by the `incident:<id>`
 * topic (its `incident.event` facts and `incident.updated` summaries). The map flies to it.
 * Facts are merged by id, so the HTTP page and the stream may overlap in any order.
 */

import { incidentTitle, PRIORITY_LABELS } from "../shared/domain";
import { el, replaceChildren } from "../shared/dom";
import { formatClock, getLocale, onLocaleChange, t, tk, type MessageKey } from "../shared/i18n";
import { incidentStateLabel, parseSummary, toLiveIncident } from "../shared/incident-events";
import type { RealtimeClient } from "../shared/realtime";
import type { LiveIncident } from "../shared/types";
import { getIncident, getTimeline, type TimelineItem } from "./leader-api";

// Keyed by the kind with "_" for ".", so the i18n checker does not read kinds as keys.
const KIND_LABELS: Record<string, MessageKey> = {
  incident_created: tk("leader.timeline.created"),
  incident_state: tk("leader.timeline.state"),
  incident_closed: tk("leader.timeline.closed"),
  incident_cancelled: tk("leader.timeline.cancelled"),
  assignment_offered: tk("leader.timeline.offered"),
  assignment_accepted: tk("leader.timeline.accepted"),
  assignment_declined: tk("leader.timeline.declined"),
  assignment_expired: tk("leader.timeline.expired"),
  assignment_withdrawn: tk("leader.timeline.withdrawn"),
  assignment_released: tk("leader.timeline.released"),
  assignment_ended: tk("leader.timeline.ended"),
  assignment_en_route: tk("leader.timeline.enRoute"),
  assignment_on_scene: tk("leader.timeline.onScene"),
  checklist_ticked: tk("leader.timeline.ticked"),
  checklist_required: tk("leader.timeline.checklist"),
  priority_changed: tk("leader.timeline.priority"),
  priority_raised: tk("leader.timeline.priority"),
  timer_fired: tk("leader.timeline.deadline"),
  leader_notified: tk("leader.timeline.leaderNotified"),
  archive_noted: tk("leader.timeline.noted"),
  archive_reviewed: tk("leader.timeline.reviewed"),
  step_waived: tk("leader.timeline.waived"),
};

/** A fact's words; kinds this build does not know are named by their last part. */
export function timelineText(item: Pick<TimelineItem, "kind" | "data">): string {
  const key = KIND_LABELS[item.kind.replace(".", "_")];
  if (key === undefined) {
    return t("leader.timeline.other", { kind: item.kind.split(".").join(" ") });
  }
  const to = item.data.to;
  const text = (name: string): string => (typeof item.data[name] === "string" ? String(item.data[name]) : "");
  return t(key, { state: typeof to === "string" ? incidentStateLabel(to) : "", step: text("step_id"), reason: text("reason") });
}

export interface IncidentDetailPanel {
  show(incident: LiveIncident): void;
  close(): void;
}

export function mountIncidentDetail(
  parent: HTMLElement,
  client: RealtimeClient,
  onLocate: (incident: LiveIncident) => void,
  onClose: () => void,
): IncidentDetailPanel {
  const head = el("div", { className: "detail__head" });
  const people = el("ul", { className: "detail__people" });
  const list = el("ol", { className: "detail__timeline" });
  const root = el("section", { className: "panel detail", attrs: { hidden: "" } }, [
    head,
    el("h3", { className: "detail__section", i18n: "leader.detail.responders" }),
    people,
    el("h3", { className: "detail__section", i18n: "leader.detail.timeline" }),
    list,
  ]);
  let current: LiveIncident | null = null;
  let responders: { display_name: string; role: string; state: string }[] = [];
  const facts = new Map<number, TimelineItem>();
  let unsubscribe: (() => void) | null = null;

  const render = (): void => {
    if (current === null) {
      return;
    }
    const incident = current;
    const closeButton = el("button", { className: "btn btn--ghost", text: t("leader.detail.close"), attrs: { type: "button" } });
    closeButton.addEventListener("click", onClose);
    const locate = el("button", { className: "btn btn--ghost", text: t("leader.detail.locate"), attrs: { type: "button" } });
    locate.addEventListener("click", () => onLocate(incident));
    const step = incident.step;
    const stepTitle = step === null ? null : getLocale() === "zh-CN" ? step.title_zh : step.title_en;
    replaceChildren(head, [
      el("div", { className: "detail__titles" }, [
        el("h2", { className: "panel__title", text: `${t(PRIORITY_LABELS[incident.priority])} · ${incidentTitle(incident)}` }),
        el("p", { className: "detail__meta", text: `${incident.id} · ${incident.address}` }),
        el("p", { className: "detail__state", dataset: { state: incident.state }, text: [incidentStateLabel(incident.state), stepTitle].filter((x) => x !== null && x !== "").join(" · ") }),
      ]),
      el("div", { className: "detail__actions" }, [locate, closeButton]),
    ]);
    replaceChildren(
      people,
      responders.length === 0
        ? [el("li", { className: "empty", text: t("leader.detail.nobody") })]
        : responders.map((a) => el("li", { className: "detail__person", dataset: { state: a.state } }, [el("span", { text: a.display_name }), el("span", { className: "detail__role", text: `${a.role} · ${a.state}` })])),
    );
    const items = [...facts.values()].sort((a, b) => b.id - a.id);
    replaceChildren(
      list,
      items.length === 0
        ? [el("li", { className: "empty", text: t("state.loading") })]
        : items.map((f) =>
            el("li", { className: "detail__fact", dataset: { kind: f.kind } }, [
              el("time", { className: "detail__time", text: formatClock(new Date(f.at)) }),
              el("span", { className: "detail__text", text: timelineText(f) }),
              f.actor_name === null ? null : el("span", { className: "detail__actor", text: f.actor_name }),
            ]),
          ),
    );
  };

  const refreshPeople = async (id: string): Promise<void> => {
    try {
      const detail = await getIncident(id);
      if (current?.id === id) {
        responders = detail.assignments;
        render();
      }
    } catch (err) {
      console.warn("incident detail failed to load", err);
    }
  };
  const loadTimeline = async (id: string): Promise<void> => {
    try {
      for (const item of await getTimeline(id)) {
        facts.set(item.id, item);
      }
      if (current?.id === id) {
        render();
      }
    } catch (err) {
      console.warn("timeline failed to load", err);
    }
  };

  onLocaleChange(render);
  parent.append(root);
  return {
    show(incident) {
      unsubscribe?.();
      current = incident;
      responders = [];
      facts.clear();
      root.hidden = false;
      root.dataset.incident = incident.id;
      render();
      onLocate(incident);
      void loadTimeline(incident.id);
      void refreshPeople(incident.id);
      unsubscribe = client.subscribe(`incident:${incident.id}`, {
        snapshot() {
          // After a (re)subscription, fetch what may have been missed; merging by id is idempotent.
          void loadTimeline(incident.id);
        },
        event(message) {
          if (current?.id !== incident.id) {
            return;
          }
          if (message.kind === "incident.event") {
            const d = message.data;
            if (typeof d.event_id === "number" && typeof d.kind === "string") {
              facts.set(d.event_id, {
                id: d.event_id,
                at: new Date(message.at * 1000).toISOString(),
                kind: d.kind,
                actor_name: typeof d.actor === "string" ? d.actor : null,
                data: typeof d.data === "object" && d.data !== null ? (d.data as Record<string, unknown>) : {},
              });
              render();
            }
          } else if (message.kind === "incident.updated") {
            const summary = parseSummary(message.data);
            if (summary !== null) {
              current = toLiveIncident(summary);
              render();
              void refreshPeople(incident.id);
            }
          }
        },
      });
    },
    close() {
      unsubscribe?.();
      unsubscribe = null;
      current = null;
      root.hidden = true;
      delete root.dataset.incident;
    },
  };
}
