/**
 * Inspecting a rental house (检查评定), at the door: when (now), how many live there and how many
 * of them are registered, a box per checklist item the inspector ticks, grouped by the department
 * that acts on it (the decisive ones, any of which makes the house red, marked), notes. The grade
 * is previewed as the form is filled in (`grade-preview.ts`); the server grades again and its
 * verdict is the one shown after. The inspection id is made once per opening and goes with every
 * retry, so a double click or a resend is stored once; a refusal is shown at the field the server
 * names (`registered` when more are registered than live there).
 */

import { fromLocalInput, toLocalInput } from "../shared/dates";
import { el } from "../shared/dom";
import { labelOf, onLocaleChange, t } from "../shared/i18n";
import { ITEM_NAMES, RENTAL_DEPARTMENT_NAMES, RENTAL_DEPARTMENTS } from "../shared/rental-terms";
import type { RentalAssessmentCreate, RentalAssessmentRecorded, RentalChecklist, RentalTicked } from "../shared/types";
import { errorLine, FieldErrors, labelled, submitOnce } from "../shared/ui/form-kit";
import { mountGradePreview } from "./grade-preview";
import { recordAssessment } from "./rentals-api";

export interface InspectFormOptions {
  houseId: string;
  checklist: RentalChecklist;
  /** What the block data says of the house, for the preview's derived items and factor. */
  areaM2: number | null;
  keyPersons: number;
  onRecorded(result: RentalAssessmentRecorded): void;
  onCancel(): void;
}

const NOTES_MAX = 2000;
const COUNT_MAX = 500;

/** Appends an inspection form for the house to `parent` (a new inspection id) and returns it. */
export function mountInspectForm(parent: HTMLElement, options: InspectFormOptions): HTMLElement {
  const checklist = options.checklist;

  const at = el("input", { className: "field__input", attrs: { id: "rentals-inspect-at", name: "at", type: "datetime-local", required: "" } });
  at.value = toLocalInput(new Date());
  const count = (name: string): HTMLInputElement =>
    el("input", { className: "field__input inspect-form__count", attrs: { id: `rentals-inspect-${name}`, name, type: "number", inputmode: "numeric", min: "0", max: String(COUNT_MAX), step: "1", required: "" } });
  const tenants = count("tenants");
  const registered = count("registered");
  const notes = el("textarea", { className: "field__input", attrs: { id: "rentals-inspect-notes", name: "notes", rows: "2", maxlength: String(NOTES_MAX), placeholder: t("rentals.inspect.notesPlaceholder"), "data-i18n-placeholder": "rentals.inspect.notesPlaceholder" } });

  const boxes: HTMLInputElement[] = [];
  const ticked = checklist.items.filter((i) => i.kind === "ticked");
  const groups = RENTAL_DEPARTMENTS.map((department) => {
    const items = ticked.filter((i) => i.department === department);
    if (items.length === 0) {
      return null;
    }
    return el("fieldset", { className: "field ledger-form__group inspect-form__department", dataset: { department } }, [
      el("legend", { className: "field__label", i18n: RENTAL_DEPARTMENT_NAMES[department] }),
      el(
        "div",
        { className: "check-list" },
        items.map((item) => {
          const box = el("input", { attrs: { type: "checkbox", name: "found", value: item.code, id: `rentals-inspect-item-${item.code}` } });
          boxes.push(box);
          return el("label", { className: `check-box${item.decisive ? " check-box--decisive" : ""}`, dataset: { item: item.code } }, [
            box,
            el("span", { className: "check-box__name", text: labelOf(ITEM_NAMES, item.code) }),
            item.decisive ? el("span", { className: "decisive-chip", i18n: "rentals.item.decisive" }) : null,
            el("span", { className: "check-box__weight", text: t("rentals.inspect.weight", { n: item.weight }) }),
          ]);
        }),
      ),
    ]);
  });

  const general = el("p", { className: "ledger-form__error", attrs: { role: "alert" } });
  const errors = new FieldErrors(general);
  const atError = errorLine("rentals-inspect-at");
  const tenantsError = errorLine("rentals-inspect-tenants");
  const registeredError = errorLine("rentals-inspect-registered");
  const foundError = errorLine("rentals-inspect-found");
  const notesError = errorLine("rentals-inspect-notes");
  errors.add("at", atError, at);
  errors.add("tenants", tenantsError, tenants);
  errors.add("registered", registeredError, registered);
  errors.add("found", foundError, boxes[0] ?? null);
  errors.add("notes", notesError, notes);

  const previewHost = el("div", { className: "inspect-form__preview" });
  const submit = el("button", { className: "btn btn--primary ledger-form__submit", i18n: "rentals.inspect.submit", attrs: { type: "submit" } });
  const cancel = el("button", { className: "btn btn--ghost", i18n: "form.cancel", attrs: { type: "button" } });
  cancel.addEventListener("click", () => options.onCancel());
  const form = el("form", { className: "ledger-form inspect-form", attrs: { novalidate: "", "aria-labelledby": "rentals-inspect-title" }, dataset: { houseId: options.houseId } }, [
    el("h3", { className: "section-title", i18n: "rentals.inspect.title", attrs: { id: "rentals-inspect-title" } }),
    labelled("rentals-inspect-at", "rentals.inspect.at", at, atError),
    el("div", { className: "ledger-form__row inspect-form__counts" }, [
      labelled("rentals-inspect-tenants", "rentals.inspect.tenants", tenants, tenantsError),
      labelled("rentals-inspect-registered", "rentals.inspect.registered", registered, registeredError),
    ]),
    el("p", { className: "field__hint", i18n: "rentals.inspect.itemsHint" }),
    ...groups,
    foundError,
    labelled("rentals-inspect-notes", "rentals.inspect.notes", notes, notesError),
    previewHost,
    general,
    el("div", { className: "ledger-form__actions" }, [cancel, submit]),
  ]);
  parent.append(form);

  /** A count as typed: a whole number, 0 when empty (for the preview), null when unreadable. */
  const countOf = (input: HTMLInputElement): number | null => {
    const text = input.value.trim();
    if (text === "") {
      return null;
    }
    const n = Number(text);
    return Number.isInteger(n) && n >= 0 ? n : null;
  };
  const chosen = (): RentalTicked[] => ticked.filter((i) => boxes.some((b) => b.checked && b.value === i.code)).map((i) => i.code as RentalTicked);

  const preview = mountGradePreview(previewHost, checklist, options.areaM2, options.keyPersons);
  const update = (): void => {
    preview.update({ ticked: new Set<string>(chosen()), tenants: countOf(tenants), registered: countOf(registered) });
  };
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();

  const request = (id: string): RentalAssessmentCreate | null => {
    const when = fromLocalInput(at.value);
    const people = countOf(tenants);
    const listed = countOf(registered);
    const missing = [when === null ? "at" : null, people === null ? "tenants" : null, listed === null ? "registered" : null].filter((x): x is string => x !== null);
    if (missing.length > 0 || when === null || people === null || listed === null) {
      errors.required(missing);
      return null;
    }
    // more registered than living there, a time ahead or over a year back: the server's to
    // refuse, at the field
    const body: RentalAssessmentCreate = { id, at: when, tenants: people, registered: listed, found: chosen() };
    const text = notes.value.trim();
    if (text !== "") {
      body.notes = text;
    }
    return body;
  };

  submitOnce({
    form,
    submit,
    errors,
    request,
    send: (body) => recordAssessment(options.houseId, body),
    done: options.onRecorded,
    idTaken: { code: "assessment_id_taken", text: "rentals.inspect.idTaken" },
  });
  const stop = onLocaleChange(() => {
    if (!form.isConnected) {
      stop();
      return;
    }
    for (const label of form.querySelectorAll<HTMLElement>(".check-box")) {
      const code = label.dataset.item ?? "";
      const item = ticked.find((i) => i.code === code);
      const name = label.querySelector(".check-box__name");
      const weight = label.querySelector(".check-box__weight");
      if (item !== undefined && name !== null && weight !== null) {
        name.textContent = labelOf(ITEM_NAMES, code);
        weight.textContent = t("rentals.inspect.weight", { n: item.weight });
      }
    }
    update();
  });
  return form;
}
