/**
 * One incident's timeline: the append-only log from `GET /api/incidents/{id}/timeline`, kept
 * current by the `incident.event` messages of the incident's topic.
 *
 * `TimelineBook` is the pure part: entries by id, so the HTTP page and the stream may overlap
 * or arrive in any order and the result is the same ordered log (ids are the log's own order).
 * After a reconnect the caller fetches `after = book.lastId()` and merges; nothing is guessed.
 * `mountIncidentTimeline` draws it, newest first, each fact worded in the current language.
 */

import { el, replaceChildren } from "../dom";
import { formatClock, onLocaleChange, t, tk, type MessageKey } from "../i18n";
import { incidentStateLabel } from "../incident-events";
import type { TimelineEntry, WsEvent } from "../types";

/** A timeline fact with its time as milliseconds since the epoch. */
export interface TimelineItem {
  id: number;
  atMs: number;
  kind: string;
  actor: string | null;
  data: Record<string, unknown>;
}

/** The log by id; `add` is idempotent, `list` is oldest first. */
export class TimelineBook {
  private readonly byId = new Map<number, TimelineItem>();

  addEntries(entries: readonly TimelineEntry[]): boolean {
    let changed = false;
    for (const e of entries) {
      changed = this.add({ id: e.id, atMs: Date.parse(e.at), kind: e.kind, actor: e.actor_name, data: e.data ?? {} }) || changed;
    }
    return changed;
  }

  /** An `incident.event` message for `incidentId`; false for anything else or a repeat. */
  addEvent(message: WsEvent, incidentId: string): boolean {
    const fact = timelineFact(message, incidentId);
    return fact !== null && this.add(fact);
  }

  add(item: TimelineItem): boolean {
    if (this.byId.has(item.id)) {
      return false;
    }
    this.byId.set(item.id, item);
    return true;
  }

  lastId(): number {
    let last = 0;
    for (const id of this.byId.keys()) {
      last = Math.max(last, id);
    }
    return last;
  }

  list(): TimelineItem[] {
    return [...this.byId.values()].sort((a, b) => a.id - b.id);
  }

  /** Checklist items ticked so far (`<step>.<item>`). */
  tickedItems(): Set<string> {
    const ticked = new Set<string>();
    for (const item of this.byId.values()) {
      if (item.kind === `checklist.ticked` && typeof item.data.item === "string") {
        ticked.add(item.data.item);
      }
    }
    return ticked;
  }
}

/** The timeline fact an `incident.event` carries (`{incident_id, event_id, kind, actor, data}`). */
export function timelineFact(message: WsEvent, incidentId: string): TimelineItem | null {
  if (message.kind !== `incident.event` || message.subject !== incidentId) {
    return null;
  }
  const d = message.data;
  if (typeof d.event_id !== "number" || typeof d.kind !== "string") {
    return null;
  }
  return {
    id: d.event_id,
    atMs: message.at * 1000,
    kind: d.kind,
    actor: typeof d.actor === "string" ? d.actor : null,
    data: typeof d.data === "object" && d.data !== null ? (d.data as Record<string, unknown>) : {},
  };
}

// --- wording ---------------------------------------------------------------------------------

// Server event kinds are written in backticks: they look like message keys ("assignment.…")
// but are not, and the i18n check counts quoted key-shaped strings as uses of a key.

/** Kinds worth a line by themselves; the engine's bookkeeping facts are shown dimmed. */
const KIND_LABELS: Record<string, MessageKey> = {
  [`incident.created`]: tk("console.tl.created"),
  [`incident.state`]: tk("console.tl.state"),
  [`incident.closed`]: tk("console.tl.closed"),
  [`incident.cancelled`]: tk("console.tl.cancelled"),
  [`assignment.offered`]: tk("console.tl.offered"),
  [`assignment.accepted`]: tk("console.tl.accepted"),
  [`assignment.declined`]: tk("console.tl.declined"),
  [`assignment.expired`]: tk("console.tl.expired"),
  [`assignment.withdrawn`]: tk("console.tl.withdrawn"),
  [`assignment.released`]: tk("console.tl.released"),
  [`assignment.en_route`]: tk("console.tl.enRoute"),
  [`assignment.on_scene`]: tk("console.tl.onScene"),
  [`assignment.cleared`]: tk("console.tl.cleared"),
  [`backup.requested`]: tk("console.tl.backup"),
  [`checklist.required`]: tk("console.tl.checklistRequired"),
  [`checklist.ticked`]: tk("console.tl.ticked"),
  note: tk("console.tl.note"),
  [`priority.changed`]: tk("console.tl.priorityChanged"),
  [`priority.raised`]: tk("console.tl.priorityRaised"),
  [`supervisor.notified`]: tk("console.tl.supervisor"),
  [`leader.notified`]: tk("console.tl.leader"),
  [`search.widened`]: tk("console.tl.widened"),
  [`dispatch.searched`]: tk("console.tl.searched"),
  [`close.rejected`]: tk("console.tl.closeRejected"),
  [`step.waived`]: tk("console.tl.waived"),
  step_started: tk("console.tl.stepStarted"),
  deadline_missed: tk("console.tl.deadlineMissed"),
  quorum_reached: tk("console.tl.quorum"),
  outcome_set: tk("console.tl.outcome"),
  record_sheet_submitted: tk("console.tl.recordSheet"),
  handover_confirmed: tk("console.tl.handover"),
  [`patient.linked`]: tk("console.tl.patientLinked"),
  subject_identified: tk("console.tl.subjectIdentified"),
  [`playbook.switched`]: tk("console.tl.playbookSwitched"),
  responder_carried_over: tk("console.tl.carriedOver"),
  carried_responder_left: tk("console.tl.carriedLeft"),
  run_started: tk("console.tl.runStarted"),
  step_completed: tk("console.tl.stepCompleted"),
  branch_taken: tk("console.tl.branchTaken"),
  fork_started: tk("console.tl.forkStarted"),
  offer_accepted: tk("console.tl.engineAccepted"),
  offer_declined: tk("console.tl.engineDeclined"),
  offer_expired: tk("console.tl.engineExpired"),
  acceptance_withdrawn: tk("console.tl.engineWithdrawn"),
  responder_arrived: tk("console.tl.engineArrived"),
  checklist_ticked: tk("console.tl.engineTicked"),
  deadline_met: tk("console.tl.deadlineMet"),
  deadline_cancelled: tk("console.tl.deadlineCancelled"),
  close_ready: tk("console.tl.closeReady"),
  close_rejected: tk("console.tl.engineCloseRejected"),
  step_waived: tk("console.tl.engineWaived"),
  run_closed: tk("console.tl.runClosed"),
  run_cancelled: tk("console.tl.runCancelled"),
  event_ignored: tk("console.tl.eventIgnored"),
};

/** Kinds shown as prominent lines (people acting); the rest are system bookkeeping. */
const HUMAN_KINDS: ReadonlySet<string> = new Set([
  `incident.created`,
  `incident.closed`,
  `incident.cancelled`,
  `assignment.accepted`,
  `assignment.declined`,
  `assignment.released`,
  `assignment.en_route`,
  `assignment.on_scene`,
  `assignment.cleared`,
  `backup.requested`,
  `checklist.ticked`,
  "note",
  `priority.changed`,
  `close.rejected`,
  `step.waived`,
  `patient.linked`,
  `playbook.switched`,
]);

export interface TimelineWording {
  /** The title of a playbook step (for `step_id`s in facts), or null when unknown. */
  stepTitle(stepId: string): string | null;
  /** The name of a responder role (capability). */
  roleName(role: string): string;
  /** The text of a checklist item `<step>.<item>`, or null when unknown. */
  itemText(item: string): string | null;
  /** The responder's name for an assignment or responder id ("" when unknown). */
  who(assignmentId: string, responderId: string): string;
  /** A playbook's title in the current language (its id until known). */
  playbookTitle(playbookId: string): string;
}

function text(value: unknown): string {
  return typeof value === "string" || typeof value === "number" ? String(value) : "";
}

/** One fact in words; unknown kinds say so without looking like an untranslated key. */
export function describeFact(item: TimelineItem, words: TimelineWording): string {
  const d = item.data;
  const stepId = text(d.step_id);
  const params: Record<string, string | number> = {
    step: stepId === "" ? "" : (words.stepTitle(stepId) ?? stepId),
    role: text(d.role) === "" ? "" : words.roleName(text(d.role)),
    reason: text(d.reason),
    text: text(d.text),
    from: text(d.from) === "" ? "" : incidentStateLabel(text(d.from)),
    to: text(d.to) === "" ? "" : incidentStateLabel(text(d.to)),
    priorityFrom: text(d.from),
    priorityTo: text(d.to),
    item: text(d.item) === "" ? "" : (words.itemText(text(d.item)) ?? text(d.item)),
    missing: text(Array.isArray(d.missing) ? d.missing.join(", ") : d.missing),
    offered: text(d.offered),
    needed: text(d.needed),
    outcome: text(d.outcome),
    hospital: text(d.hospital),
    level: text(d.level),
    grade: d.risk_grade === null || d.risk_grade === undefined ? "—" : text(d.risk_grade),
    who: words.who(text(d.assignment_id), text(d.responder_id)),
    playbookFrom: text(d.from),
    playbookTo: text(d.to),
    kept: text(d.kept),
    kind: item.kind.replaceAll(".", " "),
  };
  const key = KIND_LABELS[item.kind];
  if (key === undefined) {
    return t("console.tl.other", params);
  }
  if (item.kind === `patient.linked` && d.replaced === true) {
    return t("console.tl.patientReplaced", params);
  }
  if (item.kind === `playbook.switched`) {
    return t(key, { ...params, from: words.playbookTitle(params.playbookFrom as string), to: words.playbookTitle(params.playbookTo as string) });
  }
  if (item.kind === `priority.changed` || item.kind === `priority.raised`) {
    return t(key, { ...params, from: params.priorityFrom ?? "", to: params.priorityTo ?? "" });
  }
  return t(key, params);
}

export interface TimelineView {
  /** Redraw from the book (after adding to it). */
  render(): void;
  /** Stop following language changes (the view is being replaced). */
  dispose(): void;
}

/** The system's own actors, as the server names them. */
const SYSTEM_ACTORS: Record<string, MessageKey> = {
  playbook: tk("console.actor.playbook"),
  timer: tk("console.actor.timer"),
  system: tk("console.actor.system"),
  dispatch: tk("console.actor.dispatch"),
};

function actorName(actor: string | null): string {
  if (actor === null) {
    return "";
  }
  const key = SYSTEM_ACTORS[actor];
  return key === undefined ? actor : t(key);
}

/** Draws `book` into `parent`, newest first. */
export function mountIncidentTimeline(parent: HTMLElement, book: TimelineBook, words: TimelineWording): TimelineView {
  const list = el("ol", { className: "timeline", attrs: { "aria-live": "polite" } });
  parent.append(list);
  const render = (): void => {
    const items = book.list().reverse();
    if (items.length === 0) {
      replaceChildren(list, [el("li", { className: "timeline__empty", i18n: "console.tl.empty" })]);
      return;
    }
    replaceChildren(
      list,
      items.map((item) =>
        el("li", { className: `timeline__item${HUMAN_KINDS.has(item.kind) ? " is-human" : ""}`, dataset: { kind: item.kind, id: String(item.id) } }, [
          el("time", { className: "timeline__time", text: formatClock(new Date(item.atMs)) }),
          el("span", { className: "timeline__actor", text: actorName(item.actor) }),
          el("span", { className: "timeline__text", text: describeFact(item, words) }),
        ]),
      ),
    );
  };
  render();
  const dispose = onLocaleChange(render);
  return { render, dispose };
}
