/**
 * Recording a visit (记录随访): kind, when (now by default), condition, risk grade (the
 * patient's by default), medication, notes, and optionally an earlier next visit.
 *
 * The visit id is made once when the form opens and kept for every retry of the submission (a
 * double click, a resend after a network failure), so the server stores the visit once; it is
 * renewed after a success. A refusal is shown at the field the server names, with its name.
 */

import { el } from "../shared/dom";
import { describeError, showErrorText } from "../shared/error-text";
import { ApiError } from "../shared/http";
import { t, type MessageKey } from "../shared/i18n";
import type { FollowUpRecorded, Medication, VisitCondition, VisitKind } from "../shared/types";
import { recordFollowUp } from "./casework-api";
import { toLocalInput } from "../shared/dates";
import { CONDITIONS, MEDICATIONS, RISK_GRADES, VISIT_KINDS } from "./labels";
import { fieldFor, missingChoices, newVisitId, toRequest, type VisitDraft, type VisitField } from "./visit-model";

export interface VisitFormOptions {
  patientId: string;
  riskGrade: number;
  onRecorded(result: FollowUpRecorded): void;
  /** The id was used for another visit: the earlier attempt was stored; show the record again. */
  onTaken(): void;
}

export interface VisitForm {
  root: HTMLElement;
  /** The id the next submission will carry (for tests and support). */
  visitId(): string;
}

const NOTES_MAX = 2000;

function labelled(id: string, label: MessageKey, input: HTMLElement, error: HTMLElement, extra?: HTMLElement): HTMLElement {
  return el("div", { className: "field" }, [el("label", { className: "field__label", i18n: label, attrs: { for: id } }), input, extra, error]);
}

function errorFor(id: string): HTMLElement {
  return el("p", { className: "field__error", attrs: { id: `${id}-error`, role: "alert" } });
}

export function mountVisitForm(parent: HTMLElement, options: VisitFormOptions): VisitForm {
  let visitId = newVisitId();
  let busy = false;

  const kind = el("select", { className: "field__input", attrs: { id: "visit-kind", name: "kind" } }, Object.entries(VISIT_KINDS).map(([value, key]) => el("option", { i18n: key, attrs: { value } })));
  const at = el("input", { className: "field__input", attrs: { id: "visit-at", name: "at", type: "datetime-local", required: "" } });
  const grade = el("select", { className: "field__input", attrs: { id: "visit-grade", name: "risk_grade" } }, RISK_GRADES.map((g) => el("option", { text: String(g), attrs: { value: String(g) } })));
  const medication = el("select", { className: "field__input", attrs: { id: "visit-medication", name: "medication" } }, [
    el("option", { i18n: "casework.form.choose", attrs: { value: "" } }),
    ...Object.entries(MEDICATIONS).map(([value, key]) => el("option", { i18n: key, attrs: { value } })),
  ]);
  const notes = el("textarea", { className: "field__input", attrs: { id: "visit-notes", name: "notes", rows: "3", maxlength: String(NOTES_MAX), placeholder: t("casework.form.notesPlaceholder"), "data-i18n-placeholder": "casework.form.notesPlaceholder" } });
  const nextDue = el("input", { className: "field__input", attrs: { id: "visit-next", name: "next_due_at", type: "datetime-local" } });
  const radios = Object.entries(CONDITIONS).map(([value, key]) => {
    const input = el("input", { attrs: { type: "radio", name: "condition", value, id: `visit-condition-${value}` } });
    return { input, label: el("label", { className: "radio" }, [input, el("span", { i18n: key })]) };
  });

  const errors: Record<VisitField, HTMLElement> = {
    kind: errorFor("visit-kind"),
    at: errorFor("visit-at"),
    condition: errorFor("visit-condition"),
    risk_grade: errorFor("visit-grade"),
    medication: errorFor("visit-medication"),
    notes: errorFor("visit-notes"),
    next_due_at: errorFor("visit-next"),
    general: el("p", { className: "visit-form__error", attrs: { role: "alert" } }),
  };
  const inputs: Partial<Record<VisitField, HTMLElement | undefined>> = { kind, at, condition: radios[0]?.input, risk_grade: grade, medication, notes, next_due_at: nextDue };
  for (const [field, input] of Object.entries(inputs)) {
    input?.setAttribute("aria-describedby", errors[field as VisitField].id);
  }

  const submit = el("button", { className: "btn btn--primary visit-form__submit", i18n: "casework.form.submit", attrs: { type: "submit" } });
  const conditionGroup = el("fieldset", { className: "field visit-form__condition", attrs: { "aria-describedby": errors.condition.id } }, [
    el("legend", { className: "field__label", i18n: "casework.form.condition" }),
    el("div", { className: "radio-row" }, radios.map((r) => r.label)),
    errors.condition,
  ]);
  const form = el("form", { className: "visit-form", attrs: { novalidate: "", "aria-labelledby": "visit-form-title" } }, [
    el("h3", { className: "section-title", i18n: "casework.form.title", attrs: { id: "visit-form-title" } }),
    el("div", { className: "visit-form__row" }, [labelled("visit-kind", "casework.form.kind", kind, errors.kind), labelled("visit-at", "casework.form.at", at, errors.at)]),
    conditionGroup,
    el("div", { className: "visit-form__row" }, [labelled("visit-grade", "casework.form.grade", grade, errors.risk_grade), labelled("visit-medication", "casework.form.medication", medication, errors.medication)]),
    labelled("visit-notes", "casework.form.notes", notes, errors.notes),
    labelled("visit-next", "casework.form.next", nextDue, errors.next_due_at, el("p", { className: "field__hint", i18n: "casework.form.nextHint" })),
    errors.general,
    el("div", { className: "visit-form__actions" }, [submit]),
  ]);
  parent.append(form);

  const reset = (riskGrade: number): void => {
    kind.value = "home_visit";
    at.value = toLocalInput(new Date());
    for (const r of radios) {
      r.input.checked = false;
    }
    grade.value = String(riskGrade);
    medication.value = "";
    notes.value = "";
    nextDue.value = "";
    form.dataset.visitId = visitId;
  };

  const clearErrors = (): void => {
    for (const error of Object.values(errors)) {
      error.textContent = "";
      error.removeAttribute("title");
      delete error.dataset.code;
    }
    for (const input of Object.values(inputs)) {
      input?.removeAttribute("aria-invalid");
    }
  };

  const showAt = (field: VisitField, text: string, err: unknown): void => {
    showErrorText(errors[field], text, err);
    const input = inputs[field];
    input?.setAttribute("aria-invalid", "true");
    input?.focus();
  };

  const draft = (): VisitDraft => ({
    kind: kind.value as VisitKind,
    at: at.value,
    condition: (radios.find((r) => r.input.checked)?.input.value ?? null) as VisitCondition | null,
    riskGrade: Number(grade.value),
    medication: medication.value === "" ? null : (medication.value as Medication),
    notes: notes.value,
    nextDue: nextDue.value,
  });

  const send = async (): Promise<void> => {
    if (busy) {
      return; // a second click while the first is out: the same id would be stored once anyway
    }
    clearErrors();
    const current = draft();
    const missing = missingChoices(current);
    const body = toRequest(visitId, current);
    if (body === null || missing.length > 0) {
      for (const field of missing) {
        errors[field].textContent = t("casework.form.required");
      }
      inputs[missing[0] ?? "general"]?.focus();
      return;
    }
    busy = true;
    submit.disabled = true;
    form.setAttribute("aria-busy", "true");
    try {
      const result = await recordFollowUp(options.patientId, body);
      visitId = newVisitId();
      reset(result.follow_up.risk_grade);
      options.onRecorded(result);
    } catch (err) {
      if (err instanceof ApiError && err.code === "follow_up_id_taken") {
        // Stored already with other content (an earlier try got through): a new visit needs a new id.
        visitId = newVisitId();
        form.dataset.visitId = visitId;
        showAt("general", describeError(err), err);
        options.onTaken();
      } else if (err instanceof ApiError && err.isUnavailable) {
        showAt("general", t("casework.form.unavailable"), err); // the same id goes with the retry
      } else {
        showAt(fieldFor(err instanceof ApiError ? err.field : null), describeError(err), err);
      }
    } finally {
      busy = false;
      submit.disabled = false;
      form.removeAttribute("aria-busy");
    }
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void send();
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void send();
    }
  });

  reset(options.riskGrade);
  return { root: form, visitId: () => visitId };
}
