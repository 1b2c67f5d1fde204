/**
 * Recording a session with the person (咨询/危机干预): kind, when (now), how long, the outcome,
 * notes. A crisis intervention resolves the person's live crisis warning on the server, so the
 * form opens on it when the person has one. The session id is made once per opening and goes
 * with every retry; a refusal is shown at the field the server names.
 */

import { el } from "../shared/dom";
import { fromLocalInput, toLocalInput } from "../shared/dates";
import { t } from "../shared/i18n";
import type { PsychOutcome, PsychServiceKind, ServiceCreate, ServiceRecorded } from "../shared/types";
import { errorLine, FieldErrors, labelled, submitOnce } from "../shared/ui/form-kit";
import { OUTCOMES, SERVICE_KINDS } from "./labels";
import { recordService } from "./psych-api";

export interface ServiceFormOptions {
  personId: string;
  /** The person has a live crisis warning: the form opens on a crisis intervention. */
  crisis: boolean;
  onRecorded(result: ServiceRecorded): void;
  onCancel(): void;
}

const NOTES_MAX = 2000;
const DEFAULT_MINUTES = 30;

export function mountServiceForm(parent: HTMLElement, options: ServiceFormOptions): HTMLElement {
  const kinds = (Object.entries(SERVICE_KINDS) as [PsychServiceKind, (typeof SERVICE_KINDS)[PsychServiceKind]][]).map(([value, key]) => {
    const input = el("input", { attrs: { type: "radio", name: "kind", value, id: `psych-service-kind-${value}` } });
    input.checked = value === (options.crisis ? "crisis_intervention" : "counselling");
    return { input, label: el("label", { className: `radio radio--${value}` }, [input, el("span", { i18n: key })]) };
  });
  const at = el("input", { className: "field__input", attrs: { id: "psych-service-at", name: "at", type: "datetime-local", required: "" } });
  at.value = toLocalInput(new Date());
  const minutes = el("input", { className: "field__input", attrs: { id: "psych-service-minutes", name: "minutes", type: "number", min: "1", max: "600", step: "1", inputmode: "numeric" } });
  minutes.value = String(DEFAULT_MINUTES);
  const outcome = el("select", { className: "field__input", attrs: { id: "psych-service-outcome", name: "outcome" } }, [
    el("option", { i18n: "form.choose", attrs: { value: "" } }),
    ...Object.entries(OUTCOMES).map(([value, key]) => el("option", { i18n: key, attrs: { value } })),
  ]);
  const notes = el("textarea", { className: "field__input", attrs: { id: "psych-service-notes", name: "notes", rows: "3", maxlength: String(NOTES_MAX), placeholder: t("psych.service.notesPlaceholder"), "data-i18n-placeholder": "psych.service.notesPlaceholder" } });

  const general = el("p", { className: "psych-form__error", attrs: { role: "alert" } });
  const errors = new FieldErrors(general);
  const kindError = errorLine("psych-service-kind");
  const atError = errorLine("psych-service-at");
  const minutesError = errorLine("psych-service-minutes");
  const outcomeError = errorLine("psych-service-outcome");
  const notesError = errorLine("psych-service-notes");
  errors.add("kind", kindError, kinds[0]?.input ?? null);
  errors.add("at", atError, at);
  errors.add("minutes", minutesError, minutes);
  errors.add("outcome", outcomeError, outcome);
  errors.add("notes", notesError, notes);

  const submit = el("button", { className: "btn btn--primary psych-form__submit", i18n: "psych.service.submit", attrs: { type: "submit" } });
  const cancel = el("button", { className: "btn btn--ghost", i18n: "form.cancel", attrs: { type: "button" } });
  cancel.addEventListener("click", () => options.onCancel());
  const form = el("form", { className: "psych-form service-form", attrs: { novalidate: "", "aria-labelledby": "psych-service-title" } }, [
    el("h3", { className: "section-title", i18n: "psych.service.title", attrs: { id: "psych-service-title" } }),
    el("fieldset", { className: "field psych-form__group" }, [el("legend", { className: "field__label", i18n: "psych.service.kind" }), el("div", { className: "radio-row" }, kinds.map((k) => k.label)), kindError]),
    options.crisis ? el("p", { className: "field__hint", i18n: "psych.service.resolvesHint" }) : null,
    el("div", { className: "psych-form__row" }, [labelled("psych-service-at", "psych.form.at", at, atError), labelled("psych-service-minutes", "psych.service.minutes", minutes, minutesError)]),
    labelled("psych-service-outcome", "psych.service.outcome", outcome, outcomeError),
    labelled("psych-service-notes", "psych.service.notes", notes, notesError),
    general,
    el("div", { className: "psych-form__actions" }, [cancel, submit]),
  ]);
  parent.append(form);

  const request = (id: string): ServiceCreate | null => {
    const kind = kinds.find((k) => k.input.checked)?.input.value as PsychServiceKind | undefined;
    const when = fromLocalInput(at.value);
    const count = Number(minutes.value);
    const missing = [
      kind === undefined ? "kind" : null,
      when === null ? "at" : null,
      minutes.value.trim() === "" || !Number.isInteger(count) ? "minutes" : null,
      outcome.value === "" ? "outcome" : null,
    ].filter((x): x is string => x !== null);
    if (missing.length > 0 || kind === undefined || when === null) {
      errors.required(missing);
      return null;
    }
    const body: ServiceCreate = { id, person_id: options.personId, kind, at: when, minutes: count, outcome: outcome.value as PsychOutcome };
    const text = notes.value.trim();
    if (text !== "") {
      body.notes = text;
    }
    return body; // minutes out of 1–600 are the server's to refuse, at the field
  };

  submitOnce({
    form,
    submit,
    errors,
    request,
    send: recordService,
    done: options.onRecorded,
    idTaken: { code: "session_id_taken" },
  });
  return form;
}
