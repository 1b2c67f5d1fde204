/**
 * The selected incident, live: state and running step with its countdown, the offers that went
 * out and their answers (release with a reason), the responders' checklists, recommendations
 * with manual assign, notes, priority, waiving a running step that cannot complete (with a
 * reason, kept in the archive), cancel, close (showing what is missing when refused), and the
 * append-only timeline. Everything is redrawn from what the server says; our own actions
 * only ask it again sooner.
 */

import { el, replaceChildren } from "../shared/dom";
import { incidentTitle } from "../shared/domain";
import { describeRefusal, showErrorText } from "../shared/error-text";
import { formatClock, formatDuration, formatEta, getLocale, onLocaleChange, t, tk } from "../shared/i18n";
import { incidentStateLabel } from "../shared/incident-events";
import { getKeyPlaces } from "../shared/api";
import { ApiError } from "../shared/http";
import { addNote, cancelIncident, changePriority, closeIncident, getPatientView, handOver, identifySubject, listPlaybooks, lookupPatient, patientsAt, releaseAssignment, switchPlaybook, waiveStep } from "../shared/incidents-api";
import { mountIncidentTimeline, TimelineBook, type TimelineView, type TimelineWording } from "../shared/panels/incident-timeline";
import type { RealtimeClient } from "../shared/realtime";
import type { AssignmentView, IncidentDetail, IncidentStepInfo, KeyPlace, PatientView, PlaybookSummary, WarningRule } from "../shared/types";
import { openFormDialog } from "../shared/ui/form-dialog";
import { IncidentWatch } from "./incident-watch";
import { ACTIVE_ASSIGNMENT, assignmentStateName, localText, missingName, OUTCOME_LABELS, PRIORITY_NAMES, priorityName, roleName } from "./labels";
import { loadPlaybookInfo, type PlaybookInfo } from "./playbook-info";
import { mountRecommendations, type RecommendationsView } from "./recommendations";
import { refusalText } from "../shared/ui/refusal";

/** How a live warning about the incident's patient or place is named on its chip. */
const CONSOLE_RULE_TEXT = {
  follow_up_overdue: tk("console.warning.followUpOverdue"),
  repeat_calls: tk("console.warning.repeatCalls"),
  psych_crisis: tk("console.warning.psychCrisis"),
  ledger_check_overdue: tk("console.warning.ledgerCheckOverdue"),
  rental_inspection_overdue: tk("console.warning.rentalInspectionOverdue"),
  rental_hazard_overdue: tk("console.warning.rentalHazardOverdue"),
  dispute_high_risk: tk("console.warning.disputeHighRisk"),
  dispute_overdue: tk("console.warning.disputeOverdue"),
} as const satisfies Record<WarningRule, string>;

const ENDED: ReadonlySet<string> = new Set(["closed", "cancelled"]);
/** Our own refusal code (never the server's): the identify dialog was sent with nothing chosen. */
const CHOOSE_PATIENT = "choose_patient";
const SEVERAL_PATIENTS = "several_patients";
const ONE_KEY = "one_key";

export interface IncidentPanel {
  show(incidentId: string | null): void;
  current(): string | null;
  focusNote(): void;
}

export function mountIncidentPanel(parent: HTMLElement, client: RealtimeClient, now: () => number): IncidentPanel {
  const body = el("div", { className: "ipanel__body" });
  const root = el("section", { className: "panel panel--incident ipanel", attrs: { "aria-labelledby": "ipanel-title" } }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "console.panel.title", attrs: { id: "ipanel-title" } })]),
    body,
  ]);
  parent.append(root);

  let session: PanelSession | null = null;
  const idle = (): void => replaceChildren(body, [el("div", { className: "empty" }, [el("p", { i18n: "console.panel.none" })])]);
  idle();

  return {
    show(incidentId) {
      if (session?.incidentId === incidentId) {
        return;
      }
      session?.dispose();
      session = null;
      if (incidentId === null) {
        idle();
        return;
      }
      session = new PanelSession(body, client, incidentId, now);
    },
    current: () => session?.incidentId ?? null,
    focusNote: () => session?.focusNote(),
  };
}

/** One incident shown in the panel, until another is selected. */
class PanelSession {
  private detail: IncidentDetail | null = null;
  /** The operator opened the fold of ended offers: it stays open as the list redraws. */
  private endedOpen = false;
  private playbook: PlaybookInfo | null = null;
  private readonly watch: IncidentWatch;
  private readonly timeline: TimelineView;
  private readonly recs: RecommendationsView;
  private readonly head = el("div", { className: "ipanel__head" });
  private readonly subject = el("div", { className: "ipanel__subject", attrs: { "aria-live": "polite" } });
  private readonly book = new TimelineBook();
  /** The linked patient as this operator may see them (fetched once per patient: each read is audited). */
  private subjectView: { id: string; view: PatientView | null } | null = null;
  /** The title of a playbook the timeline suggests, once loaded. */
  /** Playbooks other than the one running (run before a switch, or suggested), by id;
   * undefined while loading. */
  private readonly others = new Map<string, PlaybookInfo | undefined>();
  /** What the subject line was drawn from: redrawn only when it changes (its warning is an alert). */
  private drawnSubject = "";
  private readonly step = el("div", { className: "ipanel__step" });
  private readonly actions = el("div", { className: "ipanel__actions" });
  private readonly assignments = el("div", { className: "ipanel__assignments" });
  private readonly checklists = el("div", { className: "ipanel__checklists" });
  private readonly noteInput = el("textarea", { className: "field__input field__input--small", attrs: { id: "note-text", rows: "2", "data-i18n-placeholder": "console.note.placeholder" } });
  private readonly noteError = el("p", { className: "field__error", attrs: { id: "note-text-error", role: "alert" } });
  private readonly closeInfo = el("div", { className: "ipanel__close-info", attrs: { role: "status" } });
  private readonly offLocale: () => void;
  /** What the action bar and the offers list were drawn from (redrawn only when it changes). */
  private drawnActions = "";
  private drawnOffers = "";
  private readonly ticker: number;

  constructor(
    body: HTMLElement,
    client: RealtimeClient,
    readonly incidentId: string,
    private readonly now: () => number,
  ) {
    const timelineHost = el("section", { className: "ipanel__section" }, [el("h3", { className: "ipanel__section-title", i18n: "console.panel.timeline" })]);
    this.recs = mountRecommendations(incidentId, () => this.watch.refresh());
    const noteForm = el("form", { className: "note-form", attrs: { novalidate: "" } }, [
      el("label", { className: "visually-hidden", i18n: "console.note.label", attrs: { for: "note-text" } }),
      this.noteInput,
      el("button", { className: "btn btn--small", i18n: "console.note.add", attrs: { type: "submit" } }),
    ]);
    this.noteInput.placeholder = t("console.note.placeholder");
    this.noteInput.setAttribute("aria-describedby", this.noteError.id);
    noteForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.submitNote();
    });
    this.noteInput.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        void this.submitNote();
      }
    });
    replaceChildren(body, [
      el("div", { className: "ipanel", dataset: { incidentId } }, [
        this.head,
        this.subject,
        this.step,
        this.actions,
        this.closeInfo,
        el("section", { className: "ipanel__section" }, [el("h3", { className: "ipanel__section-title", i18n: "console.panel.offers" }), this.assignments]),
        this.checklists,
        this.recs.root,
        el("section", { className: "ipanel__section" }, [el("h3", { className: "ipanel__section-title", i18n: "console.note.title" }), noteForm, this.noteError]),
        timelineHost,
      ]),
    ]);
    this.head.append(el("p", { className: "ipanel__loading", i18n: "state.loading" }));
    this.timeline = mountIncidentTimeline(timelineHost, this.book, this.words());
    this.watch = new IncidentWatch(client, incidentId, this.book, {
      detail: (detail) => this.setDetail(detail),
      timeline: () => {
        this.timeline.render();
        this.renderChecklists();
        this.renderSubject();
      },
      gone: (code) => {
        this.head.replaceChildren(el("p", { className: "ipanel__error", text: t("console.panel.gone", { reason: describeRefusal({ code, message: code }) }), dataset: { code } }));
      },
    });
    this.offLocale = onLocaleChange(() => this.renderAll(true));
    this.ticker = window.setInterval(() => this.renderStep(), 1000);
  }

  dispose(): void {
    this.watch.dispose();
    this.recs.dispose();
    this.timeline.dispose();
    this.offLocale();
    window.clearInterval(this.ticker);
  }

  focusNote(): void {
    this.noteInput.focus();
  }

  private words(): TimelineWording {
    return {
      stepTitle: (id) => this.playbook?.stepTitle(id) ?? this.formerStepTitle(id),
      roleName,
      itemText: (item) => this.playbook?.itemText(item) ?? null,
      who: (assignmentId, responderId) =>
        this.detail?.assignments.find((a) => a.id === assignmentId || (responderId !== "" && a.responder_id === responderId))?.display_name ?? "",
      playbookTitle: (id) => {
        const info = this.playbook?.id === id ? this.playbook : this.otherBook(id);
        return (info === undefined ? null : localText(info.title)) ?? id;
      },
    };
  }

  /** A step of a playbook the incident ran before a switch (its early timeline names them). */
  private formerStepTitle(stepId: string): string | null {
    for (const item of this.book.list()) {
      if (item.kind === `playbook.switched` && typeof item.data.from === "string") {
        const title = this.otherBook(item.data.from)?.stepTitle(stepId) ?? null;
        if (title !== null) {
          return title;
        }
      }
    }
    return null;
  }

  /** Another playbook's definition, for the timeline's words and the suggestion's title:
   * undefined until fetched (then both are drawn again). */
  private otherBook(id: string): PlaybookInfo | undefined {
    if (!this.others.has(id)) {
      this.others.set(id, undefined);
      void loadPlaybookInfo(id)
        .then((loaded) => {
          this.others.set(id, loaded);
          this.timeline.render();
          this.renderSubject();
        })
        .catch(() => this.others.delete(id));
    }
    return this.others.get(id);
  }

  private setDetail(detail: IncidentDetail): void {
    const previous = this.detail;
    if (previous !== null && previous.summary.version > detail.summary.version) {
      return; // an older answer overtaken by a newer one
    }
    this.detail = detail;
    if (this.playbook === null || this.playbook.id !== detail.summary.playbook_id) {
      void loadPlaybookInfo(detail.summary.playbook_id)
        .then((info) => {
          this.playbook = info;
          this.renderAll();
          this.timeline.render(); // its step names may have waited for these words
        })
        .catch((err: unknown) => console.warn("playbook", err));
    }
    this.renderAll();
  }

  private renderAll(force = false): void {
    this.renderHead();
    this.renderSubject();
    this.renderStep();
    this.renderActions(force);
    this.renderAssignments(force);
    this.renderChecklists();
    this.timeline.render();
    const d = this.detail;
    if (d !== null && !ENDED.has(d.summary.state)) {
      this.recs.root.hidden = false;
      this.recs.update(this.playbook?.rolesFor(d.summary.step?.id ?? null) ?? [], d.summary.version);
    } else {
      this.recs.root.hidden = true;
    }
  }

  private renderHead(): void {
    const d = this.detail;
    if (d === null) {
      return;
    }
    const s = d.summary;
    replaceChildren(this.head, [
      el("div", { className: "ipanel__title-row" }, [
        el("span", { className: `prio prio--${Math.min(4, s.priority)}`, text: priorityName(s.priority), dataset: { priority: String(s.priority) } }),
        el("h3", { className: "ipanel__title", text: incidentTitle({ title: "", kind: s.kind }) }),
        el("span", { className: `state-chip state-chip--${s.state}`, text: incidentStateLabel(s.state), dataset: { state: s.state } }),
      ]),
      el("p", { className: "ipanel__address", text: s.address ?? `${s.lat.toFixed(5)}, ${s.lon.toFixed(5)}` }),
      el("p", { className: "ipanel__meta" }, [
        el("span", { className: "ipanel__id", text: s.id }),
        el("span", { text: t("console.panel.opened", { time: formatClock(new Date(s.opened_at * 1000)) }) }),
        s.has_patient ? el("span", { className: "tag", i18n: "console.panel.hasPatient" }) : null,
        d.violent ? el("span", { className: "tag tag--danger", i18n: "console.panel.violent" }) : null,
        s.escalations > 0 ? el("span", { className: "tag tag--danger", text: t("console.panel.escalations", { n: s.escalations }) }) : null,
      ]),
      this.placeHistory(d),
      this.warningNotes(d),
      d.description === null ? null : el("p", { className: "ipanel__description", text: d.description }),
    ]);
  }

  /** Earlier calls from the same place in the last weeks: a crisis building up shows here. */
  private placeHistory(d: IncidentDetail): HTMLElement | null {
    const earlier = d.earlier;
    if (earlier === undefined || earlier.count === 0) {
      return null;
    }
    const lines = earlier.latest.map((e) => {
      const at = new Date(e.created_at);
      const key = e.outcome === null ? undefined : OUTCOME_LABELS[e.outcome];
      const ended = key === undefined ? incidentStateLabel(e.state) : t(key);
      // month and day only: the window is 30 days, a weekday and the year are noise here
      const date = new Intl.DateTimeFormat(getLocale(), { month: "numeric", day: "numeric" }).format(at);
      return t("console.history.item", { date, time: formatClock(at, false), kind: incidentTitle({ title: "", kind: e.kind }), ended });
    });
    return el("p", { className: "ipanel__history", dataset: { earlier: String(earlier.count) }, attrs: { role: "note" } }, [
      el("strong", { text: t("console.history.count", { n: earlier.count + 1, days: 30 }) }),
      el("span", { text: lines.join("；") }),
    ]);
  }

  /** Live early warnings about the patient or the place: the crisis was foreseen, and whether
   * someone in the community has taken it in hand. */
  private warningNotes(d: IncidentDetail): HTMLElement | null {
    const notes = d.warnings ?? [];
    if (notes.length === 0) {
      return null;
    }
    return el(
      "p",
      { className: "ipanel__warnings", attrs: { role: "note" } },
      notes.map((w) =>
        el("span", {
          className: w.level === "serious" ? "tag tag--danger" : "tag tag--warn",
          dataset: { rule: w.rule, level: w.level, state: w.state },
          text: t(w.state === "acknowledged" ? "console.warning.handled" : "console.warning.open", {
            rule: t(CONSOLE_RULE_TEXT[w.rule]),
          }),
        }),
      ),
    );
  }

  /** Who the incident concerns: the linked patient (masked for this operator), or that nobody is
   * identified yet; and, when identifying them made the library prefer another playbook, says so. */
  private renderSubject(): void {
    const d = this.detail;
    if (d === null) {
      return;
    }
    if (d.patient_id === null) {
      replaceChildren(this.subject, ENDED.has(d.summary.state) ? [] : [el("p", { className: "ipanel__subject-line is-unknown", i18n: "console.subject.unknown" })]);
      return;
    }
    const id = d.patient_id;
    if (this.subjectView?.id !== id) {
      this.subjectView = { id, view: null };
      replaceChildren(this.subject, [el("p", { className: "ipanel__subject-line", i18n: "console.subject.loading" })]);
      void getPatientView(id)
        .then((view) => {
          if (this.subjectView?.id === id) {
            this.subjectView = { id, view };
            this.renderSubject();
          }
        })
        .catch(() => {
          if (this.subjectView?.id === id) {
            replaceChildren(this.subject, [el("p", { className: "ipanel__subject-line", i18n: "console.subject.hidden" })]);
          }
        });
      return;
    }
    const view = this.subjectView.view;
    if (view === null) {
      return; // still loading, or not visible to this operator (shown above)
    }
    const facts = [
      view.person.name ?? t("console.patient.nameHidden"),
      view.risk_grade === null ? null : t("console.patient.risk", { grade: view.risk_grade }),
      view.guardian_name === null ? null : t("console.patient.guardian", { name: view.guardian_name, phone: view.guardian_phone ?? "—" }),
    ].filter((x): x is string => x !== null);
    const suggested = ENDED.has(d.summary.state) ? null : this.suggestedPlaybook(d.summary.playbook_id);
    const shape = JSON.stringify([id, facts, view.de_escalation_notes, suggested]);
    if (shape === this.drawnSubject && this.subject.querySelector("[data-patient-id]") !== null) {
      return;
    }
    this.drawnSubject = shape;
    replaceChildren(this.subject, [
      el("p", { className: "ipanel__subject-line", text: t("console.subject.label", { facts: facts.join(" · ") }), dataset: { patientId: id } }),
      view.de_escalation_notes === null ? null : el("p", { className: "patient-card__notes", text: view.de_escalation_notes }),
      suggested === null ? null : this.suggestionWarning(suggested),
    ]);
  }

  /** The library would now run another playbook: says so, with the one click that does it. */
  private suggestionWarning(suggested: { id: string; title: string }): HTMLElement {
    const run = el("button", { className: "btn btn--small", i18n: "console.switch.useSuggested", attrs: { type: "button" }, dataset: { switchTo: suggested.id } });
    run.addEventListener("click", () => void this.askSwitch(suggested));
    return el("div", { className: "ipanel__warning", dataset: { suggested: suggested.id }, attrs: { role: "alert" } }, [el("p", { text: t("console.subject.suggested", { playbook: suggested.title }) }), run]);
  }

  /** The playbook the latest identification would have chosen, if it is not the one running. */
  private suggestedPlaybook(running: string): { id: string; title: string } | null {
    const linked = this.book.list().filter((item) => item.kind === `patient.linked`);
    const last = linked[linked.length - 1];
    const id = last?.data.playbook_suggested;
    if (typeof id !== "string" || id === running) {
      return null;
    }
    const info = this.otherBook(id);
    return { id, title: (info === undefined ? null : localText(info.title)) ?? id };
  }

  private renderStep(): void {
    const d = this.detail;
    const step = d?.summary.step ?? null;
    if (d === null || step === null) {
      replaceChildren(this.step, d !== null && ENDED.has(d.summary.state) ? [el("p", { className: "ipanel__ended", text: t("console.panel.ended", { state: incidentStateLabel(d.summary.state) }) })] : []);
      return;
    }
    const title = (getLocale() === "zh-CN" ? step.title_zh : step.title_en) ?? this.playbook?.stepTitle(step.id) ?? "";
    const parts: HTMLElement[] = [el("span", { className: "ipanel__step-label", i18n: "console.panel.step" }), el("strong", { className: "ipanel__step-title", text: title, dataset: { stepId: step.id } })];
    if (step.deadline_at !== null) {
      const left = step.deadline_at - this.now() / 1000;
      parts.push(
        el("span", {
          className: `countdown${left < 0 ? " is-overdue" : left < 60 ? " is-soon" : ""}`,
          text: left < 0 ? t("incidentRow.overdue", { time: formatDuration(-left) }) : t("incidentRow.due", { time: formatDuration(left) }),
          attrs: { role: "timer" },
        }),
      );
    }
    replaceChildren(this.step, parts);
  }

  private renderActions(force = false): void {
    const d = this.detail;
    const waivable = this.waivableSteps();
    // The playbook's words name a step without a title of its own: redraw when they arrive.
    const shape = d === null ? "" : `${ENDED.has(d.summary.state)}|${waivable.map((s) => s.id).join(",")}|${this.playbook?.id ?? ""}`;
    if (!force && shape === this.drawnActions) {
      return;
    }
    this.drawnActions = shape;
    if (d === null || ENDED.has(d.summary.state)) {
      replaceChildren(this.actions, []);
      return;
    }
    const button = (key: Parameters<typeof t>[0], cls: string, onClick: () => void): HTMLButtonElement => {
      const b = el("button", { className: `btn btn--small ${cls}`, i18n: key, attrs: { type: "button" } });
      b.addEventListener("click", onClick);
      return b;
    };
    // One waive button per running step the server says may be waived (a fork waits on several).
    const waives = waivable.map((step) => {
      const b = el("button", { className: "btn btn--small btn--ghost", text: t("console.action.waiveStep", { step: this.stepName(step) }), dataset: { waiveStep: step.id }, attrs: { type: "button" } });
      b.addEventListener("click", () => void this.askWaive(step));
      return b;
    });
    replaceChildren(this.actions, [
      button("console.action.priority", "", () => void this.askPriority()),
      ...waives,
      button("console.action.identify", "", () => void this.askIdentify()),
      button("console.action.switchPlaybook", "", () => void this.askSwitch(null)),
      button("console.action.handover", "", () => void this.askHandover()),
      button("console.action.close", "btn--success", () => void this.askClose()),
      button("console.action.cancel", "btn--danger", () => void this.askCancel()),
    ]);
  }

  /** Running steps the operator may waive (the close step never: closing is its own action). */
  private waivableSteps(): IncidentStepInfo[] {
    const d = this.detail;
    if (d === null || ENDED.has(d.summary.state)) {
      return [];
    }
    return (d.running_steps ?? []).filter((s) => s.waivable === true);
  }

  private stepName(step: IncidentStepInfo): string {
    return (getLocale() === "zh-CN" ? step.title_zh : step.title_en) ?? this.playbook?.stepTitle(step.id) ?? step.id;
  }

  private renderAssignments(force = false): void {
    const d = this.detail;
    if (d === null) {
      return;
    }
    const shape = `${d.summary.state}|${JSON.stringify(d.assignments)}`;
    if (!force && shape === this.drawnOffers) {
      return;
    }
    this.drawnOffers = shape;
    if (d.assignments.length === 0) {
      replaceChildren(this.assignments, [el("p", { className: "ipanel__empty", i18n: "console.panel.noOffers" })]);
      return;
    }
    // Who is working now comes first; offers withdrawn, declined or released fold away under
    // a count (at 3 a.m. they pushed the working responders out of sight). With nobody working
    // any more, or when the operator opened it, the fold stays open.
    const rows = [...d.assignments].reverse();
    const current = rows.filter((a) => ACTIVE_ASSIGNMENT.has(a.state));
    const ended = rows.filter((a) => !ACTIVE_ASSIGNMENT.has(a.state));
    const parts: HTMLElement[] = [];
    if (current.length > 0) {
      parts.push(el("ol", { className: "offers" }, current.map((a) => this.assignmentRow(a))));
    }
    if (ended.length > 0) {
      const fold = el("details", { className: "offers-ended" }, [
        el("summary", { className: "offers-ended__summary", text: t("console.offer.ended", { n: ended.length }) }),
        el("ol", { className: "offers" }, ended.map((a) => this.assignmentRow(a))),
      ]);
      fold.open = this.endedOpen || current.length === 0;
      fold.addEventListener("toggle", () => {
        if (current.length > 0) {
          this.endedOpen = fold.open;
        }
      });
      parts.push(fold);
    }
    replaceChildren(this.assignments, parts);
  }

  private assignmentRow(a: AssignmentView): HTMLElement {
    const facts: string[] = [roleName(a.role)];
    if (a.distance_m !== null && a.distance_m > 0) {
      facts.push(t("console.recs.distance", { km: (a.distance_m / 1000).toFixed(1) }));
    }
    if (a.eta_s !== null && a.eta_s > 0) {
      facts.push(t("console.recs.eta", { time: formatEta(a.eta_s) }));
    }
    facts.push(t("console.offer.at", { time: formatClock(new Date(a.offered_at)) }));
    if (a.manual) {
      facts.push(t("console.offer.manual"));
    }
    let release: HTMLButtonElement | null = null;
    if (ACTIVE_ASSIGNMENT.has(a.state) && this.detail !== null && !ENDED.has(this.detail.summary.state)) {
      release = el("button", { className: "btn btn--small btn--ghost", i18n: "console.action.release", attrs: { type: "button" } });
      release.addEventListener("click", () => void this.askRelease(a));
    }
    return el("li", { className: `offer offer--${a.state}`, dataset: { assignmentId: a.id, state: a.state } }, [
      el("div", { className: "offer__main" }, [
        el("p", { className: "offer__name" }, [el("span", { text: a.display_name }), el("span", { className: `offer__state offer__state--${a.state}`, text: assignmentStateName(a.state) })]),
        el("p", { className: "offer__facts", text: facts.join(" · ") }),
        a.reason === null ? null : el("p", { className: "offer__reason", text: t("console.offer.reason", { reason: a.reason }) }),
      ]),
      release,
    ]);
  }

  private renderChecklists(): void {
    const d = this.detail;
    const lists = d === null ? [] : Object.entries(d.checklists);
    if (lists.length === 0) {
      replaceChildren(this.checklists, []);
      return;
    }
    const ticked = this.watch.book.tickedItems();
    replaceChildren(this.checklists, [
      el("section", { className: "ipanel__section" }, [
        el("h3", { className: "ipanel__section-title", i18n: "console.panel.checklists" }),
        ...lists.map(([role, raw]) => {
          const list = (raw ?? {}) as { step_id?: unknown; items?: unknown };
          const stepId = typeof list.step_id === "string" ? list.step_id : "";
          const items = Array.isArray(list.items) ? (list.items as { id?: unknown; text?: unknown; role?: unknown }[]) : [];
          return el("div", { className: "checklist" }, [
            el("p", { className: "checklist__role", text: roleName(role) }),
            el(
              "ul",
              { className: "checklist__items" },
              items.map((item) => {
                const ref = `${stepId}.${String(item.id ?? "")}`;
                const done = ticked.has(ref);
                return el("li", { className: `checklist__item${done ? " is-done" : ""}`, dataset: { item: ref } }, [
                  el("span", { className: "checklist__mark", text: done ? "✓" : "○", attrs: { "aria-hidden": "true" } }),
                  el("span", { text: localText(item.text) ?? ref }),
                  el("span", { className: "visually-hidden", i18n: done ? "console.checklist.done" : "console.checklist.open" }),
                ]);
              }),
            ),
          ]);
        }),
      ]),
    ]);
  }

  private async submitNote(): Promise<void> {
    const text = this.noteInput.value.trim();
    this.noteError.textContent = "";
    this.noteError.removeAttribute("title");
    this.noteInput.removeAttribute("aria-invalid");
    try {
      await addNote(this.incidentId, text);
      this.noteInput.value = "";
      this.watch.refresh();
    } catch (err) {
      showErrorText(this.noteError, refusalText(err), err);
      this.noteInput.setAttribute("aria-invalid", "true");
    }
  }

  private subtitle(): string {
    const s = this.detail?.summary;
    return s === undefined ? this.incidentId : `${s.id} · ${incidentTitle({ title: "", kind: s.kind })} · ${s.address ?? ""}`;
  }

  private async askPriority(): Promise<void> {
    const current = this.detail?.summary.priority ?? 3;
    await openFormDialog({
      title: t("console.action.priority"),
      subtitle: this.subtitle(),
      fields: [
        { name: "priority", label: "console.field.priority", kind: "select", value: String(current), options: Object.entries(PRIORITY_NAMES).map(([value, key]) => ({ value, label: t(key) })) },
        { name: "reason", label: "console.field.reason", kind: "text" },
      ],
      submit: "console.action.priority",
      onSubmit: async (v) => changePriority(this.incidentId, Number(v.priority), v.reason ?? ""),
    });
    this.watch.refresh();
  }

  private async askCancel(): Promise<void> {
    await openFormDialog({
      title: t("console.action.cancel"),
      subtitle: this.subtitle(),
      fields: [{ name: "reason", label: "console.field.reason", kind: "text", placeholder: "console.cancel.placeholder" }],
      submit: "console.action.cancelConfirm",
      danger: true,
      onSubmit: async (v) => cancelIncident(this.incidentId, v.reason ?? ""),
    });
    this.watch.refresh();
  }

  private async askRelease(a: AssignmentView): Promise<void> {
    await openFormDialog({
      title: t("console.release.title", { name: a.display_name }),
      subtitle: this.subtitle(),
      fields: [{ name: "reason", label: "console.field.reason", kind: "text" }],
      submit: "console.action.release",
      danger: true,
      onSubmit: async (v) => releaseAssignment(this.incidentId, a.id, v.reason ?? ""),
    });
    this.watch.refresh();
  }

  private async askWaive(step: IncidentStepInfo): Promise<void> {
    const name = this.stepName(step);
    await openFormDialog({
      title: t("console.waive.title", { step: name }),
      subtitle: this.subtitle(),
      fields: [{ name: "reason", label: "console.field.reason", kind: "textarea", placeholder: "console.waive.placeholder" }],
      submit: "console.action.waive",
      danger: true,
      onSubmit: async (v) => {
        await waiveStep(this.incidentId, step.id, v.reason ?? "");
      },
      describeError: (err) => (err.code === "step_not_running" ? t("console.waive.notRunning", { step: name }) : null),
    });
    this.watch.refresh();
  }

  /** Links the registered patient the incident concerns: one registered at its address, or any in
   * the jurisdiction by the ID number read on scene (looked up first, in the request body). */
  private async askIdentify(): Promise<void> {
    const d = this.detail;
    if (d === null) {
      return;
    }
    let here: PatientView[] = [];
    if (d.address_id) {
      replaceChildren(this.closeInfo, [el("p", { text: t("console.identify.loading"), dataset: { loading: "patients" } })]);
      try {
        here = (await patientsAt(d.address_id)).items;
      } catch (err) {
        console.warn("patients at address", err); // the ID number still works
      }
      replaceChildren(this.closeInfo, []);
    }
    const label = (p: PatientView): string =>
      [p.person.name ?? t("console.patient.nameHidden"), p.risk_grade === null ? null : t("console.patient.risk", { grade: p.risk_grade })].filter((x) => x !== null).join(" · ");
    const replacing = d.patient_id !== null;
    const done = await openFormDialog({
      title: t("console.identify.title"),
      subtitle: replacing ? `${this.subtitle()} · ${t("console.identify.replaceHint")}` : this.subtitle(),
      fields: [
        {
          name: "patient_id",
          label: "console.field.patient",
          kind: "select",
          options: [{ value: "", label: t(here.length > 0 ? "console.identify.byIdNumber" : "console.identify.noneHere") }, ...here.map((p) => ({ value: p.person.id, label: label(p) }))],
          value: here.some((p) => p.person.id === d.patient_id) ? "" : (here[0]?.person.id ?? ""),
        },
        { name: "id_number", label: "console.field.idNumber", kind: "text", placeholder: "console.identify.idNumberHint" },
        { name: "phone", label: "console.field.lookupPhone", kind: "text", placeholder: "console.identify.phoneHint" },
        ...(replacing ? [{ name: "reason", label: "console.field.reason" as const, kind: "textarea" as const }] : []),
      ],
      submit: "console.action.identify",
      onSubmit: async (v) => {
        let patientId = v.patient_id ?? "";
        if (v.id_number && v.phone) {
          // Two keys may name two people: the operator says which one to trust.
          throw new ApiError(400, ONE_KEY, t("console.identify.oneKey"), "phone");
        }
        if (v.id_number) {
          // The number read on scene wins over a pick from the address's list.
          patientId = (await lookupPatient({ id_number: v.id_number.toUpperCase() })).items[0]?.person.id ?? "";
        } else if (v.phone) {
          // The caller's number: a guardian may look after two patients, so one match only.
          const found = (await lookupPatient({ phone: v.phone })).items;
          if (found.length > 1) {
            throw new ApiError(409, SEVERAL_PATIENTS, t("console.identify.several", { n: found.length, names: found.map(label).join("、") }), "phone");
          }
          patientId = found[0]?.person.id ?? "";
        }
        if (patientId === "") {
          throw new ApiError(400, CHOOSE_PATIENT, t("console.identify.choose"), "patient_id");
        }
        await identifySubject(this.incidentId, patientId, v.reason || undefined);
      },
      describeError: (err) => ([CHOOSE_PATIENT, SEVERAL_PATIENTS, ONE_KEY].includes(err.code) ? err.message : null),
    });
    if (done) {
      replaceChildren(this.closeInfo, []);
    }
    this.watch.refresh();
  }

  /** Runs another playbook instead of the current one: the suggested one (preselected, with
   * its reason written out), or any of the library. Who is working stays on the incident. */
  private async askSwitch(suggested: { id: string; title: string } | null): Promise<void> {
    const d = this.detail;
    if (d === null) {
      return;
    }
    let books: PlaybookSummary[];
    replaceChildren(this.closeInfo, [el("p", { text: t("console.switch.loading"), dataset: { loading: "playbooks" } })]);
    try {
      books = (await listPlaybooks()).filter((b) => b.id !== d.summary.playbook_id);
      replaceChildren(this.closeInfo, []);
    } catch (err) {
      showErrorText(this.closeInfo, t("console.switch.loadFailed"), err);
      return;
    }
    const done = await openFormDialog({
      title: t("console.switch.title"),
      subtitle: `${this.subtitle()} · ${t("console.switch.keeps")}`,
      fields: [
        {
          name: "playbook_id",
          label: "console.field.playbook",
          kind: "select",
          options: books.map((b) => ({ value: b.id, label: localText(b.title) ?? b.id })),
          value: suggested?.id ?? books[0]?.id ?? "",
        },
        {
          name: "reason",
          label: "console.field.reason",
          kind: "textarea",
          ...(suggested === null ? {} : { value: t("console.switch.suggestedReason", { playbook: suggested.title }) }),
        },
      ],
      submit: "console.action.switchPlaybook",
      onSubmit: async (v) => {
        await switchPlaybook(this.incidentId, v.playbook_id ?? "", v.reason ?? "");
      },
    });
    if (done) {
      replaceChildren(this.closeInfo, []);
    }
    this.watch.refresh();
  }

  /** The hospitals of the register to choose from, with their free beds; a hand-over holds one until the incident ends. */
  private async askHandover(): Promise<void> {
    let hospitals: KeyPlace[];
    // One small GET, but on a slow link the click must not look like it did nothing.
    replaceChildren(this.closeInfo, [el("p", { text: t("console.handover.loading"), dataset: { loading: "hospitals" } })]);
    try {
      hospitals = (await getKeyPlaces("hospital")).items;
      replaceChildren(this.closeInfo, []);
    } catch (err) {
      showErrorText(this.closeInfo, t("console.handover.loadFailed"), err);
      return;
    }
    if (hospitals.length === 0) {
      replaceChildren(this.closeInfo, [el("p", { text: t("console.handover.none") })]);
      return;
    }
    const label = (h: KeyPlace): string => (h.capacity === null ? h.name : t("console.handover.beds", { name: h.name, free: h.free ?? 0, capacity: h.capacity }));
    // Psychiatric hospitals first, then the most free beds: the usual destination leads the list.
    const ordered = [...hospitals].sort((a, b) => Number(b.psychiatric) - Number(a.psychiatric) || (b.free ?? -1) - (a.free ?? -1) || a.name.localeCompare(b.name));
    const done = await openFormDialog({
      title: t("console.handover.title"),
      subtitle: this.subtitle(),
      fields: [{ name: "hospital_id", label: "console.field.hospital", kind: "select", options: ordered.map((h) => ({ value: h.id, label: label(h) })) }],
      submit: "console.action.handover",
      onSubmit: async (v) => {
        await handOver(this.incidentId, v.hospital_id ?? "");
      },
    });
    if (done) {
      replaceChildren(this.closeInfo, []);
    }
    this.watch.refresh();
  }

  private async askClose(): Promise<void> {
    const words = { stepTitle: (id: string) => this.playbook?.stepTitle(id) ?? null, itemText: (item: string) => this.playbook?.itemText(item) ?? null };
    const closed = await openFormDialog({
      title: t("console.action.close"),
      subtitle: this.subtitle(),
      fields: [
        { name: "outcome", label: "console.field.outcome", kind: "select", options: [{ value: "", label: t("console.close.noOutcome") }, ...Object.entries(OUTCOME_LABELS).map(([value, key]) => ({ value, label: t(key) }))] },
        { name: "record_sheet_id", label: "console.field.recordSheet", kind: "text" },
        { name: "handover_hospital", label: "console.field.hospital", kind: "text" },
      ],
      submit: "console.action.close",
      onSubmit: async (v) => {
        await closeIncident(this.incidentId, {
          ...(v.outcome ? { outcome: v.outcome } : {}),
          ...(v.record_sheet_id ? { record_sheet_id: v.record_sheet_id } : {}),
          ...(v.handover_hospital ? { handover_hospital: v.handover_hospital } : {}),
        });
      },
      describeError: (err) => {
        if (err.code !== "close_refused" || !Array.isArray(err.details.missing)) {
          return null;
        }
        const missing = (err.details.missing as unknown[]).map((m) => missingName(String(m), words));
        this.showMissing(missing);
        return t("console.close.missing", { items: missing.join("、") });
      },
    });
    if (closed) {
      replaceChildren(this.closeInfo, []);
    }
    this.watch.refresh();
  }

  private showMissing(missing: string[]): void {
    replaceChildren(this.closeInfo, [
      el("p", { className: "ipanel__close-title", i18n: "console.close.missingTitle" }),
      el("ul", { className: "ipanel__missing" }, missing.map((m) => el("li", { text: m }))),
    ]);
  }
}
