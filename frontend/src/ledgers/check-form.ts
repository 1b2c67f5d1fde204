/**
 * Recording a check (走访核查): how (a home visit, a call, a report-in, an office visit), when
 * (now), what was found (normal, in need, or — for the groups under legal supervision — in
 * violation of the terms), notes. The check id is made once per opening and goes with every
 * retry, so a double click or a resend is stored once; a refusal is shown at the field the
 * server names. The latest check moves the due date on and resolves the overdue warning.
 */

import { fromLocalInput, toLocalInput } from "../shared/dates";
import { el } from "../shared/dom";
import { t, type MessageKey } from "../shared/i18n";
import { GROUP_POLICIES } from "../shared/ledger-terms";
import type { LedgerCheckCreate, LedgerCheckKind, LedgerCheckRecorded, LedgerFinding, LedgerGroup } from "../shared/types";
import { errorLine, FieldErrors, labelled, submitOnce } from "../shared/ui/form-kit";
import { CHECK_KINDS, FINDINGS } from "./labels";
import { recordCheck } from "./ledgers-api";

export interface CheckFormOptions {
  entryId: string;
  group: LedgerGroup;
  onRecorded(result: LedgerCheckRecorded): void;
  onCancel(): void;
}

const NOTES_MAX = 2000;

/** Appends a check form for the entry to `parent` (a new check id) and returns it. */
export function mountCheckForm(parent: HTMLElement, options: CheckFormOptions): HTMLElement {
  const kinds = radios("kind", CHECK_KINDS, "home_visit");
  // a violation of terms is a finding for people under supervision (correction, rehabilitation)
  const findingTable = GROUP_POLICIES[options.group].strict ? FINDINGS : { normal: FINDINGS.normal, needs_help: FINDINGS.needs_help };
  const findings = radios("finding", findingTable, "normal");
  const at = el("input", { className: "field__input", attrs: { id: "ledgers-check-at", name: "at", type: "datetime-local", required: "" } });
  at.value = toLocalInput(new Date());
  const notes = el("textarea", { className: "field__input", attrs: { id: "ledgers-check-notes", name: "notes", rows: "3", maxlength: String(NOTES_MAX), placeholder: t("ledgers.check.notesPlaceholder"), "data-i18n-placeholder": "ledgers.check.notesPlaceholder" } });

  const general = el("p", { className: "ledger-form__error", attrs: { role: "alert" } });
  const errors = new FieldErrors(general);
  const kindError = errorLine("ledgers-check-kind");
  const findingError = errorLine("ledgers-check-finding");
  const atError = errorLine("ledgers-check-at");
  const notesError = errorLine("ledgers-check-notes");
  errors.add("kind", kindError, kinds.inputs[0] ?? null);
  errors.add("finding", findingError, findings.inputs[0] ?? null);
  errors.add("at", atError, at);
  errors.add("notes", notesError, notes);

  const submit = el("button", { className: "btn btn--primary ledger-form__submit", i18n: "ledgers.check.submit", attrs: { type: "submit" } });
  const cancel = el("button", { className: "btn btn--ghost", i18n: "form.cancel", attrs: { type: "button" } });
  cancel.addEventListener("click", () => options.onCancel());
  const form = el("form", { className: "ledger-form check-form", attrs: { novalidate: "", "aria-labelledby": "ledgers-check-title" } }, [
    el("h3", { className: "section-title", i18n: "ledgers.check.title", attrs: { id: "ledgers-check-title" } }),
    fieldset("ledgers.check.kind", kinds.row, kindError),
    labelled("ledgers-check-at", "ledgers.check.at", at, atError),
    fieldset("ledgers.check.finding", findings.row, findingError),
    labelled("ledgers-check-notes", "ledgers.check.notes", notes, notesError),
    general,
    el("div", { className: "ledger-form__actions" }, [cancel, submit]),
  ]);
  parent.append(form);

  const request = (id: string): LedgerCheckCreate | null => {
    const kind = kinds.value() as LedgerCheckKind | null;
    const finding = findings.value() as LedgerFinding | null;
    const when = fromLocalInput(at.value);
    const missing = [kind === null ? "kind" : null, when === null ? "at" : null, finding === null ? "finding" : null].filter((x): x is string => x !== null);
    if (missing.length > 0 || kind === null || finding === null || when === null) {
      errors.required(missing);
      return null;
    }
    const body: LedgerCheckCreate = { id, at: when, kind, finding };
    const text = notes.value.trim();
    if (text !== "") {
      body.notes = text;
    }
    return body; // a time in the future or over a year back is the server's to refuse, at the field
  };

  submitOnce({
    form,
    submit,
    errors,
    request,
    send: (body) => recordCheck(options.entryId, body),
    done: options.onRecorded,
    // an earlier try was stored with other content: this is another check
    idTaken: { code: "check_id_taken" },
  });
  return form;
}

interface Radios {
  row: HTMLElement;
  inputs: HTMLInputElement[];
  value(): string | null;
}

/** A row of radio buttons named `name`, one per entry of `table`, `checked` chosen. */
function radios(name: string, table: Readonly<Record<string, MessageKey>>, checked: string): Radios {
  const inputs: HTMLInputElement[] = [];
  const labels = Object.entries(table).map(([value, key]) => {
    const input = el("input", { attrs: { type: "radio", name, value, id: `ledgers-check-${name}-${value}` } });
    input.checked = value === checked;
    inputs.push(input);
    return el("label", { className: `radio radio--${value}` }, [input, el("span", { i18n: key })]);
  });
  return { row: el("div", { className: "radio-row" }, labels), inputs, value: () => inputs.find((i) => i.checked)?.value ?? null };
}

function fieldset(legend: MessageKey, row: HTMLElement, error: HTMLElement): HTMLElement {
  return el("fieldset", { className: "field ledger-form__group" }, [el("legend", { className: "field__label", i18n: legend }), row, error]);
}
