/**
 * Live incident rows kept per incident and updated in place, for the wall's list and the
 * leader's board. Both redraw every second for their timers: rebuilding the list each time
 * would drop a click that straddles a redraw, throw keyboard focus away, and make a screen
 * reader re-read the whole list (it is `aria-live`). Here a second's tick only rewrites the
 * texts that changed.
 */

import { incidentTitle, PRIORITY_LABELS } from "../domain";
import { el, replaceChildren } from "../dom";
import { formatDuration, getLocale, t } from "../i18n";
import { incidentStateLabel } from "../incident-events";
import type { LiveIncident } from "../types";

/** True when the incident's current step is past its deadline at `nowMs`. */
export function isOverdue(incident: LiveIncident, nowMs: number): boolean {
  const due = incident.step?.deadline_at;
  return due !== null && due !== undefined && Date.parse(due) < nowMs;
}

/**
 * "responding · notify the guardian · due in 3:20" (or "overdue 0:45"): where the incident
 * stands and whether it runs late. Step ids are never shown, only titles.
 */
export function statusText(incident: LiveIncident, nowMs: number): string {
  const step = incident.step;
  const parts = [incidentStateLabel(incident.state)];
  const title = step === null ? null : getLocale() === "zh-CN" ? step.title_zh : step.title_en;
  if (title !== null && title !== "") {
    parts.push(title);
  }
  if (step !== null && step.deadline_at !== null) {
    const left = (Date.parse(step.deadline_at) - nowMs) / 1000;
    parts.push(left < 0 ? t("incidentRow.overdue", { time: formatDuration(-left) }) : t("incidentRow.due", { time: formatDuration(left) }));
  }
  return parts.join(" · ");
}

export interface RowLook {
  /** Extra classes of the row (`is-selected`, `is-overdue`, …). */
  classes?: string;
  /** Show "late" beside an overdue incident that is not escalated (the leader's board). */
  lateFlag?: boolean;
}

/** One row's elements, so a tick sets texts instead of building nodes. */
class Row {
  readonly li: HTMLLIElement;
  private readonly priority = el("span", { className: "incident__priority" });
  private readonly title = el("p", { className: "incident__title" });
  private readonly address = el("p", { className: "incident__address" });
  private readonly status = el("p", { className: "incident__step" });
  private readonly timer = el("span", { className: "incident__timer" });
  private readonly escalatedFlag = el("span", { className: "incident__flag" });
  private readonly lateFlag = el("span", { className: "incident__flag incident__flag--late" });
  private readonly repeatFlag = el("span", { className: "incident__flag incident__flag--repeat" });
  private readonly side: HTMLDivElement;
  private flags = "";

  constructor(li: HTMLLIElement) {
    this.li = li;
    this.side = el("div", { className: "incident__side" }, [this.timer]);
    replaceChildren(li, [this.priority, el("div", { className: "incident__main" }, [this.title, this.address, this.status]), this.side]);
  }

  fill(incident: LiveIncident, nowMs: number, look: RowLook): void {
    const overdue = isOverdue(incident, nowMs);
    setClass(this.li, `incident incident--p${incident.priority}${incident.escalated ? " is-escalated" : ""}${look.classes ?? ""}`);
    this.li.dataset.state = incident.state;
    setText(this.priority, t(PRIORITY_LABELS[incident.priority]));
    setText(this.title, incidentTitle(incident));
    setText(this.address, incident.address);
    setClass(this.status, `incident__step${overdue ? " is-overdue" : ""}`);
    setText(this.status, statusText(incident, nowMs));
    setText(this.timer, formatDuration((nowMs - Date.parse(incident.opened_at)) / 1000));
    const late = look.lateFlag === true && !incident.escalated && overdue;
    const repeat = incident.repeat_call === true;
    const flags = `${incident.escalated ? "e" : ""}${late ? "l" : ""}${repeat ? "r" : ""}`;
    if (flags !== this.flags) {
      this.flags = flags;
      replaceChildren(this.side, [this.timer, incident.escalated ? this.escalatedFlag : null, late ? this.lateFlag : null, repeat ? this.repeatFlag : null]);
    }
    // Set here, not through data-i18n: a flag not shown now is detached, and a language change
    // would not reach it.
    setText(this.escalatedFlag, t("incidentRow.escalated"));
    setText(this.lateFlag, t("leader.board.late"));
    setText(this.repeatFlag, t("incidentRow.repeat"));
  }
}

function setText(node: HTMLElement, text: string): void {
  if (node.textContent !== text) {
    node.textContent = text;
  }
}

function setClass(node: HTMLElement, className: string): void {
  if (node.className !== className) {
    node.className = className;
  }
}

/**
 * An ordered list of incident rows inside `body`: `render(ordered, now)` adds, moves, updates
 * and removes rows by incident id; `show(message)` replaces the list by an empty or loading
 * state. `newRow(id)` makes a row's `<li>` (with its handlers); `look` styles one incident.
 */
export class IncidentRows {
  private readonly rows = new Map<string, { row: Row; incident: LiveIncident }>();
  private list: HTMLOListElement | null = null;

  constructor(
    private readonly body: HTMLElement,
    private readonly newRow: (id: string) => HTMLLIElement = (id) => el("li", { dataset: { id } }),
    private readonly look: (incident: LiveIncident, nowMs: number) => RowLook = () => ({}),
  ) {}

  /** The incident last drawn under this id (a click handler's view of its row). */
  incident(id: string): LiveIncident | undefined {
    return this.rows.get(id)?.incident;
  }

  show(message: HTMLElement): void {
    this.list = null;
    this.rows.clear();
    replaceChildren(this.body, [message]);
  }

  render(ordered: readonly LiveIncident[], nowMs: number): void {
    if (this.list === null) {
      this.list = el("ol", { className: "incidents__list" });
      replaceChildren(this.body, [this.list]);
    }
    const list = this.list;
    const present = new Set(ordered.map((i) => i.id));
    for (const [id, entry] of this.rows) {
      if (!present.has(id)) {
        entry.row.li.remove();
        this.rows.delete(id);
      }
    }
    ordered.forEach((incident, index) => {
      let entry = this.rows.get(incident.id);
      if (entry === undefined) {
        entry = { row: new Row(this.newRow(incident.id)), incident };
        this.rows.set(incident.id, entry);
      }
      entry.incident = incident;
      entry.row.fill(incident, nowMs, this.look(incident, nowMs));
      const at = list.children[index] ?? null;
      if (at !== entry.row.li) {
        list.insertBefore(entry.row.li, at);
      }
    });
  }
}
