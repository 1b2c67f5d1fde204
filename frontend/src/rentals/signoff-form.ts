/**
 * A department's sign-off of a rectification it verified on site (整改销号): when (now, editable)
 * and what was seen. Once per opening whatever the clicks (`submitOnce`); the server closes the
 * item and its overdue warning, and the house keeps its grade until the next inspection, which
 * the form says. A refusal shows at its field (`before_found` at the time; `hazard_cleared` when
 * someone was faster).
 */

import { fromLocalInput, toLocalInput } from "../shared/dates";
import { el } from "../shared/dom";
import { t } from "../shared/i18n";
import type { RentalHazardView, RentalSignOffCreate, RentalSignOffRecorded } from "../shared/types";
import { errorLine, FieldErrors, labelled, submitOnce } from "../shared/ui/form-kit";
import { signOffHazard } from "./rentals-api";

export interface SignOffFormOptions {
  hazard: RentalHazardView;
  onSignedOff(result: RentalSignOffRecorded): void;
  onCancel(): void;
}

const NOTES_MAX = 2000;

/** Appends the sign-off form for `hazard` to `parent` and returns it. */
export function mountSignOffForm(parent: HTMLElement, options: SignOffFormOptions): HTMLFormElement {
  const { hazard } = options;
  const at = el("input", { className: "field__input", attrs: { id: `rentals-signoff-at-${hazard.id}`, name: "at", type: "datetime-local", required: "" } });
  at.value = toLocalInput(new Date());
  const notes = el("textarea", { className: "field__input", attrs: { id: `rentals-signoff-notes-${hazard.id}`, name: "notes", rows: "2", maxlength: String(NOTES_MAX), placeholder: t("rentals.signoff.notesPlaceholder"), "data-i18n-placeholder": "rentals.signoff.notesPlaceholder" } });
  const general = el("p", { className: "ledger-form__error", attrs: { role: "alert" } });
  const errors = new FieldErrors(general);
  const atError = errorLine(at.id);
  const notesError = errorLine(notes.id);
  errors.add("at", atError, at);
  errors.add("notes", notesError, notes);
  errors.add("hazard_id", general, at);

  const submit = el("button", { className: "btn btn--primary ledger-form__submit signoff-form__submit", i18n: "rentals.signoff.submit", attrs: { type: "submit" } });
  const cancel = el("button", { className: "btn btn--ghost", i18n: "form.cancel", attrs: { type: "button" } });
  cancel.addEventListener("click", () => options.onCancel());
  const form = el("form", { className: "ledger-form signoff-form", attrs: { novalidate: "", "aria-label": t("rentals.signoff.title") }, dataset: { hazardId: hazard.id } }, [
    el("p", { className: "field__hint", i18n: "rentals.signoff.hint" }),
    labelled(at.id, "rentals.signoff.at", at, atError),
    labelled(notes.id, "rentals.signoff.notes", notes, notesError),
    general,
    el("div", { className: "ledger-form__actions" }, [cancel, submit]),
  ]);
  parent.append(form);

  submitOnce<RentalSignOffCreate, RentalSignOffRecorded>({
    form,
    submit,
    errors,
    request(id) {
      const when = fromLocalInput(at.value);
      if (when === null) {
        errors.required(["at"]);
        return null;
      }
      const words = notes.value.trim();
      return { id, at: when, ...(words === "" ? {} : { notes: words }) };
    },
    send: (body) => signOffHazard(hazard.id, body),
    done: (result) => options.onSignedOff(result),
    idTaken: { code: "signoff_id_taken" },
  });
  return form;
}
