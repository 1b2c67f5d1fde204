/**
 * The person (个人档案): found by ID number or phone, or opened from the attention list or a
 * crisis warning. Shows the masked person, their live crisis warning if any, the buttons
 * "心理测评" and "咨询/危机干预" (each opens its form with a fresh id; one form at a time), and
 * the record: assessments and sessions, newest first. The panel carries `data-person-id`.
 */

import { el, replaceChildren } from "../shared/dom";
import { describeError, showErrorText } from "../shared/error-text";
import { labelOf, onLocaleChange, t } from "../shared/i18n";
import { BAND_NAMES, SCALE_NAMES } from "../shared/psych-terms";
import { formatDayTime } from "../shared/dates";
import { personName } from "../shared/person-text";
import { mountPersonLookup } from "../shared/ui/person-lookup";
import type { AssessmentRecorded, AssessmentView, PersonPsych, PersonView, ServiceRecorded, ServiceView, WarningNote } from "../shared/types";
import { WARNING_LEVELS } from "../shared/warnings/labels";
import { mountAssessmentForm } from "./assessment-form";
import { OUTCOMES, SERVICE_KINDS } from "./labels";
import { getPerson, getPersonPsych } from "./psych-api";
import { mountServiceForm } from "./service-form";

export interface PersonPanel {
  root: HTMLElement;
  /** Opens a person (fetching what is not given). */
  show(personId: string, person?: PersonView): Promise<void>;
  /** Fetches the shown person's record again when it is `personId` (any: null); an open form stays as typed. */
  refresh(personId: string | null): Promise<void>;
  /** Draws again what comes from elsewhere (the live crisis warning). */
  redraw(): void;
}

export interface PersonPanelOptions {
  /** The person's live crisis warning, as the attention list or the warnings know it. */
  crisisOf(personId: string): WarningNote | null;
  onAssessed(result: AssessmentRecorded): void;
  onServed(result: ServiceRecorded): void;
}

type FormKind = "assessment" | "service";

export function mountPersonPanel(parent: HTMLElement, options: PersonPanelOptions): PersonPanel {
  let personId: string | null = null;
  let person: PersonView | null = null;
  let record: PersonPsych | null = null;
  let problem: unknown = null;
  let asked = 0;

  const lookupHost = el("div", { className: "person__lookup" });
  const head = el("div", { className: "person__head" });
  const assess = el("button", { className: "btn btn--primary person__assess", i18n: "psych.person.assess", attrs: { type: "button" } });
  const serve = el("button", { className: "btn person__serve", i18n: "psych.person.serve", attrs: { type: "button" } });
  const actions = el("div", { className: "person__actions" }, [assess, serve]);
  const formHost = el("div", { className: "person__form" });
  const history = el("div", { className: "person__record" });
  const content = el("div", { className: "person__content", attrs: { "aria-live": "polite" } }, [head, actions, formHost, history]);
  const empty = el("p", { className: "empty", i18n: "psych.person.pick" });
  const body = el("div", { className: "person__body" }, [lookupHost, empty, content]);
  const root = el("section", { className: "panel person", attrs: { "aria-labelledby": "psych-person-title" } }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "psych.person.title", attrs: { id: "psych-person-title" } })]),
    body,
  ]);
  parent.append(root);
  mountPersonLookup(lookupHost, { id: "psych-lookup-value", onFound: (p) => void show(p.id, p) });

  const closeForm = (): void => {
    formHost.replaceChildren();
    assess.setAttribute("aria-expanded", "false");
    serve.setAttribute("aria-expanded", "false");
  };

  const open = (kind: FormKind): void => {
    if (personId === null) {
      return;
    }
    const id = personId;
    closeForm(); // a new opening is a new record: a new id
    (kind === "assessment" ? assess : serve).setAttribute("aria-expanded", "true");
    const form =
      kind === "assessment"
        ? mountAssessmentForm(formHost, {
            personId: id,
            onCancel: closeForm,
            onRecorded: (result) => {
              closeForm();
              options.onAssessed(result);
              void refresh(id);
            },
          })
        : mountServiceForm(formHost, {
            personId: id,
            crisis: options.crisisOf(id) !== null,
            onCancel: closeForm,
            onRecorded: (result) => {
              closeForm();
              options.onServed(result);
              void refresh(id);
            },
          });
    form.scrollIntoView({ block: "nearest" });
    form.querySelector<HTMLElement>("input, select, textarea")?.focus();
  };
  assess.addEventListener("click", () => open("assessment"));
  serve.addEventListener("click", () => open("service"));

  const render = (): void => {
    root.dataset.personId = personId ?? "";
    empty.hidden = personId !== null;
    content.hidden = personId === null;
    if (personId === null) {
      return;
    }
    const failed = problem === null ? null : el("p", { className: "field__error" });
    if (failed !== null) {
      showErrorText(failed, describeError(problem), problem);
    }
    actions.hidden = person === null;
    if (person === null) {
      replaceChildren(head, [failed ?? el("p", { className: "empty", i18n: "state.loading" })]);
      replaceChildren(history, []);
      return;
    }
    renderHead(head, person, options.crisisOf(person.id), failed);
    renderRecord(history, record);
  };

  async function load(id: string, given: PersonView | undefined): Promise<void> {
    const ticket = ++asked;
    try {
      const [p, r] = await Promise.all([given === undefined ? getPerson(id) : Promise.resolve(given), getPersonPsych(id)]);
      if (ticket !== asked) {
        return;
      }
      person = p;
      record = r;
      problem = null;
    } catch (err) {
      if (ticket !== asked) {
        return;
      }
      problem = err; // what was shown stays, under the error
    }
    render();
  }

  async function show(id: string, given?: PersonView): Promise<void> {
    if (id === personId && person !== null) {
      return refresh(id);
    }
    personId = id;
    person = null;
    record = null;
    problem = null;
    closeForm();
    render();
    await load(id, given);
  }

  async function refresh(id: string | null): Promise<void> {
    if (personId === null || (id !== null && id !== personId)) {
      return;
    }
    await load(personId, person ?? undefined);
  }

  render();
  onLocaleChange(render);
  return { root, show, refresh, redraw: render };
}

function renderHead(target: HTMLElement, p: PersonView, crisis: WarningNote | null, failed: HTMLElement | null): void {
  const facts = [p.id_number, p.phone, p.birth_year === null ? null : t("person.born", { year: p.birth_year })].filter((x): x is string => x !== null && x !== "");
  replaceChildren(target, [
    failed,
    el("div", { className: "person__title-row" }, [
      el("h3", { className: "person__name", text: personName(p) }),
      crisis === null
        ? null
        : el("span", { className: "crisis-chip", text: t("psych.person.crisis", { level: labelOf(WARNING_LEVELS, crisis.level) }), dataset: { level: crisis.level, state: crisis.state } }),
    ]),
    facts.length === 0 ? null : el("p", { className: "person__facts", text: facts.join(" · ") }),
    el("p", { className: "person__address", text: p.address ?? "—" }),
  ]);
}

function renderRecord(target: HTMLElement, record: PersonPsych | null): void {
  if (record === null) {
    replaceChildren(target, []);
    return;
  }
  replaceChildren(target, [
    el("h3", { className: "section-title", text: t("psych.record.assessments", { n: record.assessments.length }) }),
    record.assessments.length === 0 ? el("p", { className: "record__muted", i18n: "psych.record.noAssessments" }) : el("ol", { className: "psych-history" }, record.assessments.map(assessmentItem)),
    el("h3", { className: "section-title", text: t("psych.record.services", { n: record.services.length }) }),
    record.services.length === 0 ? el("p", { className: "record__muted", i18n: "psych.record.noServices" }) : el("ol", { className: "psych-history" }, record.services.map(serviceItem)),
  ]);
}

function assessmentItem(a: AssessmentView): HTMLElement {
  return el("li", { className: `psych-entry assessment${a.self_harm ? " is-self-harm" : ""}`, dataset: { assessmentId: a.id, band: a.band, selfHarm: String(a.self_harm) } }, [
    el("div", { className: "psych-entry__top" }, [
      el("time", { className: "psych-entry__time", text: formatDayTime(a.at), attrs: { datetime: a.at } }),
      el("span", { className: "psych-entry__what", text: labelOf(SCALE_NAMES, a.scale) }),
      el("span", { className: "psych-entry__by", text: t("psych.record.by", { name: a.by_name }) }),
    ]),
    el("div", { className: "psych-entry__facts" }, [
      el("strong", { className: "score", text: t("psych.record.score", { score: a.score }) }),
      el("span", { className: "band-chip", text: labelOf(BAND_NAMES, a.band), dataset: { band: a.band } }),
      a.self_harm ? el("span", { className: "self-harm-chip", i18n: "psych.selfHarm" }) : null,
    ]),
  ]);
}

function serviceItem(s: ServiceView): HTMLElement {
  return el("li", { className: `psych-entry service service--${s.kind}`, dataset: { serviceId: s.id, kind: s.kind } }, [
    el("div", { className: "psych-entry__top" }, [
      el("time", { className: "psych-entry__time", text: formatDayTime(s.at), attrs: { datetime: s.at } }),
      el("span", { className: "psych-entry__what", text: labelOf(SERVICE_KINDS, s.kind) }),
      el("span", { className: "psych-entry__by", text: t("psych.record.by", { name: s.by_name }) }),
    ]),
    el("div", { className: "psych-entry__facts" }, [
      el("span", { text: t("psych.record.minutes", { n: s.minutes }) }),
      el("span", { className: "outcome", text: t("psych.record.outcome", { outcome: labelOf(OUTCOMES, s.outcome) }) }),
    ]),
    s.notes === null ? null : el("p", { className: "psych-entry__notes", text: s.notes }),
  ]);
}
