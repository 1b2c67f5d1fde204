/**
 * The selected patient (随访对象): the record header (name, risk grade, address, care team), when
 * the next visit is due, the form to record one, and the visit history, newest first. Notes are
 * shown to those who may record visits; others see that there are notes.
 */

import { el, replaceChildren } from "../shared/dom";
import { describeError, showErrorText } from "../shared/error-text";
import { labelOf, onLocaleChange, t } from "../shared/i18n";
import { getPatientView } from "../shared/incidents-api";
import type { FollowUpPage, FollowUpRecorded, FollowUpView, PatientView } from "../shared/types";
import { getFollowUps } from "./casework-api";
import { daysOverdue, formatDay, formatDayTime } from "../shared/dates";
import { CARE_ROLES, CONDITIONS, gradeChip, gradeText, MEDICATIONS, VISIT_KINDS } from "./labels";
import { mountVisitForm } from "./visit-form";

export interface PatientPanel {
  root: HTMLElement;
  /** Shows this patient (fetching the record and the visits). */
  show(patientId: string): Promise<void>;
  /** Fetches the shown patient again when it is `patientId` (any: null); keeps the form as typed. */
  refresh(patientId: string | null): Promise<void>;
  shown(): string | null;
}

export interface PatientPanelOptions {
  onRecorded(result: FollowUpRecorded): void;
  now(): number;
}

interface Loaded {
  patient: PatientView;
  visits: FollowUpPage;
}

export function mountPatientPanel(parent: HTMLElement, options: PatientPanelOptions): PatientPanel {
  let patientId: string | null = null;
  let loaded: Loaded | null = null;
  let problem: unknown = null;
  let asked = 0;

  const header = el("div", { className: "record__header" });
  const due = el("div", { className: "record__due" });
  const formHost = el("div", { className: "record__form" });
  const history = el("div", { className: "record__history" });
  const empty = el("p", { className: "empty", i18n: "casework.patient.pick" });
  // The form before the history: side by side on a wide screen, the form first when stacked.
  const content = el("div", { className: "record", attrs: { "aria-live": "polite" } }, [header, due, el("div", { className: "record__work" }, [formHost, history])]);
  content.hidden = true;
  const scroller = el("div", { className: "patient__body" }, [empty, content]);
  const root = el("section", { className: "panel patient", attrs: { "aria-labelledby": "patient-title" } }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "casework.patient.title", attrs: { id: "patient-title" } })]),
    scroller,
  ]);
  parent.append(root);

  const render = (): void => {
    root.dataset.patientId = patientId ?? "";
    empty.hidden = patientId !== null;
    content.hidden = patientId === null;
    if (patientId === null) {
      return;
    }
    const failed = problem === null ? null : el("p", { className: "field__error" });
    if (failed !== null) {
      showErrorText(failed, describeError(problem), problem);
    }
    if (loaded === null) {
      replaceChildren(header, [failed ?? el("p", { className: "empty", i18n: "state.loading" })]);
      replaceChildren(due, []);
      replaceChildren(history, []);
      return;
    }
    renderHeader(header, loaded.patient, failed);
    renderDue(due, loaded.visits.due_at, options.now());
    renderHistory(history, loaded.visits.items);
  };

  const fetchBoth = async (id: string): Promise<void> => {
    const ticket = ++asked;
    try {
      const [patient, visits] = await Promise.all([getPatientView(id), getFollowUps(id)]);
      if (ticket !== asked) {
        return;
      }
      const first = loaded === null;
      loaded = { patient, visits };
      problem = null;
      if (first) {
        mountForm(id, patient.risk_grade ?? 0);
      }
    } catch (err) {
      if (ticket !== asked) {
        return;
      }
      problem = err;
    }
    render();
  };

  const mountForm = (id: string, riskGrade: number): void => {
    formHost.replaceChildren();
    mountVisitForm(formHost, {
      patientId: id,
      riskGrade,
      onRecorded: (result) => {
        options.onRecorded(result);
        void refresh(id);
      },
      onTaken: () => void refresh(id),
    });
  };

  async function show(id: string): Promise<void> {
    if (id === patientId && loaded !== null) {
      return refresh(id);
    }
    patientId = id;
    loaded = null;
    problem = null;
    formHost.replaceChildren();
    scroller.scrollTop = 0;
    render();
    await fetchBoth(id);
  }

  async function refresh(id: string | null): Promise<void> {
    if (patientId === null || (id !== null && id !== patientId)) {
      return;
    }
    await fetchBoth(patientId);
  }

  onLocaleChange(render);
  return { root, show, refresh, shown: () => patientId };
}

function renderHeader(target: HTMLElement, p: PatientView, failed: HTMLElement | null): void {
  const team = p.care_team ?? [];
  replaceChildren(target, [
    failed,
    el("div", { className: "record__title-row" }, [
      el("h3", { className: "record__name", text: p.person.name ?? t("casework.patient.nameHidden") }),
      p.risk_grade === null ? null : gradeChip(p.risk_grade),
    ]),
    el("p", { className: "record__address", text: p.person.address ?? "—" }),
    el("div", { className: "record__team" }, [
      el("span", { className: "record__label", i18n: "casework.patient.team" }),
      team.length === 0
        ? el("span", { className: "record__muted", i18n: "casework.patient.noTeam" })
        : el(
            "ul",
            { className: "team-list" },
            team.map((m) =>
              el("li", { className: `team-list__item${m.is_primary ? " is-primary" : ""}` }, [
                el("span", { className: "team-list__name", text: m.display_name }),
                el("span", { className: "team-list__role", text: labelOf(CARE_ROLES, m.role) + (m.is_primary ? t("casework.patient.primary") : "") }),
              ]),
            ),
          ),
    ]),
  ]);
}

function renderDue(target: HTMLElement, dueAt: string, now: number): void {
  const late = daysOverdue(dueAt, now);
  const state = late === null ? "upcoming" : late > 0 ? "overdue" : late === 0 ? "today" : "upcoming";
  const words =
    late === null ? "" : late > 0 ? t("casework.due.overdue", { n: late }) : late === 0 ? t("casework.due.today") : t("casework.due.left", { n: -late });
  target.dataset.state = state;
  replaceChildren(target, [
    el("span", { className: "record__label", i18n: "casework.patient.nextDue" }),
    el("strong", { className: "record__due-date", text: formatDay(dueAt) }),
    el("span", { className: "due-chip", text: words, dataset: { state } }),
  ]);
}

function renderHistory(target: HTMLElement, visits: readonly FollowUpView[]): void {
  const title = el("h3", { className: "section-title", text: t("casework.history.title", { n: visits.length }) });
  if (visits.length === 0) {
    replaceChildren(target, [title, el("p", { className: "record__muted", i18n: "casework.history.none" })]);
    return;
  }
  replaceChildren(target, [
    title,
    el(
      "ol",
      { className: "visits" },
      visits.map((v) =>
        el("li", { className: "visit", dataset: { visitId: v.id } }, [
          el("div", { className: "visit__top" }, [
            el("time", { className: "visit__time", text: formatDayTime(v.at), attrs: { datetime: v.at } }),
            el("span", { className: "visit__kind", text: labelOf(VISIT_KINDS, v.kind) }),
            el("span", { className: "visit__by", text: t("casework.history.by", { name: v.by_name }) }),
          ]),
          el("div", { className: "visit__facts" }, [
            el("span", { className: `visit__condition visit__condition--${v.condition}`, text: labelOf(CONDITIONS, v.condition) }),
            el("span", { text: gradeText(v.risk_grade) }),
            el("span", { className: `visit__medication visit__medication--${v.medication}`, text: t("casework.history.medication", { value: labelOf(MEDICATIONS, v.medication) }) }),
          ]),
          v.notes !== null
            ? el("p", { className: "visit__notes", text: v.notes })
            : v.notes_hidden
              ? el("p", { className: "visit__notes visit__notes--hidden", i18n: "casework.history.notesHidden" })
              : null,
          el("p", { className: "visit__next", text: t("casework.history.next", { date: formatDay(v.next_due_at) }) }),
        ]),
      ),
    ),
  ]);
}
