/**
 * Registering a person in a group's ledger (建档): the group (the one the person is listed in),
 * since when (today), who answers for them (the user by default, or another who keeps ledgers over
 * the person, from `GET /api/ledgers/officers`; the server refuses anyone else with
 * `officer_outside`, shown at the field), notes. The
 * entry id is made once per opening and goes with every retry: a double click or a resend is
 * stored once (200 `duplicate`). `already_registered` (someone was faster) is shown at the group.
 */

import { toLocalDateInput } from "../shared/dates";
import { el } from "../shared/dom";
import { onLocaleChange, t } from "../shared/i18n";
import type { LedgerEntryCreate, LedgerEntryRecorded, LedgerGroup } from "../shared/types";
import { errorLine, FieldErrors, labelled, submitOnce } from "../shared/ui/form-kit";
import { groupOption } from "./entry-text";
import { getOfficers, registerEntry } from "./ledgers-api";

export interface RegisterFormOptions {
  personId: string;
  /** Who the form is about, as the list shows them. */
  personLabel: string;
  group: LedgerGroup;
  /** The signed-in user, who answers for the person unless another is chosen. */
  me: { id: string; display_name: string };
  onRegistered(result: LedgerEntryRecorded): void;
  onCancel(): void;
}

const NOTES_MAX = 2000;

/** Appends a register form for the person to `parent` (a new entry id) and returns it. */
export function mountRegisterForm(parent: HTMLElement, options: RegisterFormOptions): HTMLElement {

  const group = el("output", { className: "field__input register-form__group", attrs: { id: "ledgers-register-group", name: "group" } });
  const since = el("input", { className: "field__input", attrs: { id: "ledgers-register-since", name: "since", type: "date", required: "" } });
  since.value = toLocalDateInput(new Date());
  since.max = since.value;
  const me = el("option", { attrs: { value: "" } });
  const officer = el("select", { className: "field__input", attrs: { id: "ledgers-register-officer", name: "officer_id" } }, [me]);
  // The others who may answer for the person; the form works without them (the user answers).
  void getOfficers(options.personId, options.group)
    .then((page) => {
      for (const o of page.items) {
        if (o.user_id !== options.me.id) {
          officer.append(el("option", { text: o.display_name, attrs: { value: o.user_id } }));
        }
      }
    })
    .catch(() => undefined);
  const notes = el("textarea", { className: "field__input", attrs: { id: "ledgers-register-notes", name: "notes", rows: "2", maxlength: String(NOTES_MAX), placeholder: t("ledgers.register.notesPlaceholder"), "data-i18n-placeholder": "ledgers.register.notesPlaceholder" } });

  const general = el("p", { className: "ledger-form__error", attrs: { role: "alert" } });
  const errors = new FieldErrors(general);
  const groupError = errorLine("ledgers-register-group");
  const sinceError = errorLine("ledgers-register-since");
  const officerError = errorLine("ledgers-register-officer");
  const notesError = errorLine("ledgers-register-notes");
  errors.add("group", groupError, group);
  errors.add("since", sinceError, since);
  errors.add("officer_id", officerError, officer);
  errors.add("notes", notesError, notes);

  const submit = el("button", { className: "btn btn--primary ledger-form__submit", i18n: "ledgers.register.submit", attrs: { type: "submit" } });
  const cancel = el("button", { className: "btn btn--ghost", i18n: "form.cancel", attrs: { type: "button" } });
  cancel.addEventListener("click", () => options.onCancel());
  const title = el("h3", { className: "section-title", attrs: { id: "ledgers-register-title" } });
  const form = el("form", { className: "ledger-form register-form", attrs: { novalidate: "", "aria-labelledby": title.id }, dataset: { personId: options.personId } }, [
    title,
    labelled("ledgers-register-group", "ledgers.register.group", group, groupError),
    el("div", { className: "ledger-form__row" }, [
      labelled("ledgers-register-since", "ledgers.register.since", since, sinceError),
      labelled("ledgers-register-officer", "ledgers.register.officer", officer, officerError, "ledgers.register.officerHint"),
    ]),
    labelled("ledgers-register-notes", "ledgers.register.notes", notes, notesError),
    general,
    el("div", { className: "ledger-form__actions" }, [cancel, submit]),
  ]);
  parent.append(form);

  const draw = (): void => {
    title.textContent = t("ledgers.register.title", { person: options.personLabel });
    group.textContent = groupOption(options.group);
    me.textContent = t("ledgers.register.me", { name: options.me.display_name });
  };

  const request = (id: string): LedgerEntryCreate | null => {
    if (since.value === "") {
      errors.required(["since"]);
      return null;
    }
    const body: LedgerEntryCreate = { id, person_id: options.personId, group: options.group, since: since.value };
    if (officer.value !== "") {
      body.officer_id = officer.value;
    }
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
    send: registerEntry,
    done: options.onRegistered,
    idTaken: { code: "entry_id_taken" },
  });
  draw();
  const stop = onLocaleChange(() => {
    if (!form.isConnected) {
      stop();
      return;
    }
    draw();
  });
  return form;
}
