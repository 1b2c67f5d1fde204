/**
 * What the forms of the psych, ledger, rental and dispute pages share: a labelled field, an error
 * line under each input, a record's once-per-opening id and busy button (`submitOnce`), and the
 * refusal placed at the input the server names (`answers[3]`, `$.due_at`,
 * `officer_id`), or above the buttons when it names none of the form's. The error lines carry
 * the code in `data-code` (and the server's words in the tooltip) for support and tests.
 */

import { el } from "../dom";
import { describeError, showErrorText } from "../error-text";
import { ApiError } from "../http";
import { t, type MessageKey } from "../i18n";
import { newUuid } from "../uuid";

/** A label above `input`, an optional hint, and the field's error line. */
export function labelled(id: string, label: MessageKey, input: HTMLElement, error: HTMLElement, hint?: MessageKey): HTMLElement {
  return el("div", { className: "field" }, [
    el("label", { className: "field__label", i18n: label, attrs: { for: id } }),
    input,
    hint === undefined ? null : el("p", { className: "field__hint", i18n: hint }),
    error,
  ]);
}

/** The error line of the input `id` (`<id>-error`). */
export function errorLine(id: string): HTMLElement {
  return el("p", { className: "field__error", attrs: { id: `${id}-error`, role: "alert" } });
}

interface Slot {
  error: HTMLElement;
  input: HTMLElement | null;
}

/** The error lines of one form, by the server's field names. */
export class FieldErrors {
  private readonly slots = new Map<string, Slot>();

  constructor(readonly general: HTMLElement) {}

  /** Registers the field the server calls `name`; its input gets `aria-describedby`. */
  add(name: string, error: HTMLElement, input: HTMLElement | null = null): void {
    this.slots.set(name, { error, input });
    input?.setAttribute("aria-describedby", error.id);
  }

  clear(): void {
    for (const line of [this.general, ...[...this.slots.values()].map((s) => s.error)]) {
      line.textContent = "";
      line.removeAttribute("title");
      delete line.dataset.code;
    }
    for (const slot of this.slots.values()) {
      slot.input?.removeAttribute("aria-invalid");
    }
  }

  /** Shows `text` at the field `name` (or above the buttons) and moves the focus there. */
  showAt(name: string | null, text: string, err: unknown): void {
    const slot = name === null ? undefined : this.slots.get(name);
    showErrorText(slot?.error ?? this.general, text, err);
    slot?.input?.setAttribute("aria-invalid", "true");
    slot?.input?.focus();
  }

  /** "Required" at each of `names`, the focus on the first. */
  required(names: readonly string[]): void {
    for (const name of names) {
      const slot = this.slots.get(name);
      if (slot !== undefined) {
        slot.error.textContent = t("form.required");
        slot.input?.setAttribute("aria-invalid", "true");
      }
    }
    const first = names[0];
    (first === undefined ? null : this.slots.get(first)?.input)?.focus();
  }

  /**
   * The refusal at the field it names: the exact name (`answers[3]`), else the bare one
   * (`answers`), else above the buttons. Unreachable: the "try again, it is stored once" line.
   */
  showRefusal(err: unknown): void {
    if (err instanceof ApiError && err.isUnavailable) {
      this.showAt(null, t("form.unavailable"), err);
      return;
    }
    this.showAt(this.slotFor(err instanceof ApiError ? err.field : null), describeError(err), err);
  }

  private slotFor(serverField: string | null): string | null {
    if (serverField === null) {
      return null;
    }
    const exact = serverField.replace(/^\$\./, "");
    if (this.slots.has(exact)) {
      return exact;
    }
    const bare = exact.replace(/\[\d+\]$/, "");
    return this.slots.has(bare) ? bare : null;
  }
}

/** A submit button's busy state: disabled while the request is out, so a double click sends once. */
export function setBusy(form: HTMLElement, submit: HTMLButtonElement, busy: boolean): void {
  submit.disabled = busy;
  if (busy) {
    form.setAttribute("aria-busy", "true");
  } else {
    form.removeAttribute("aria-busy");
  }
}

export interface SubmitOnceOptions<B, R> {
  form: HTMLFormElement;
  submit: HTMLButtonElement;
  errors: FieldErrors;
  /** The body for the record's `id`, or null when the form refused it itself (errors shown). */
  request(id: string): B | null;
  send(body: B): Promise<R>;
  done(answer: R): void;
  /** The 409 code saying an earlier try with this id was stored with other content, and the words to show then (none: the server's refusal). */
  idTaken: { code: string; text?: MessageKey };
  /** The form stays open for the next record after a success: a new id, made before `done`. */
  staysOpen?: boolean;
  /** A refusal the form deals with itself rather than at a field (e.g. the record moved on meanwhile): true when it did. */
  handled?(err: unknown): boolean;
}

/**
 * Wires a form that records one thing: its id is made once per opening (`form.dataset.formId`)
 * and goes with every retry, so a double click or a resend is stored once; the button is busy
 * while the request is out; a refusal is shown at its field (unless `handled` takes it); only the
 * id-taken 409 makes a new id (the earlier try was another record), and a success when the form
 * `staysOpen` for the next one.
 */
export function submitOnce<B, R>(options: SubmitOnceOptions<B, R>): void {
  const { form, submit, errors } = options;
  let id = newUuid();
  let busy = false;
  form.dataset.formId = id;
  const renew = (): void => {
    id = newUuid();
    form.dataset.formId = id;
  };
  const send = async (): Promise<void> => {
    if (busy) {
      return;
    }
    errors.clear();
    const body = options.request(id);
    if (body === null) {
      return;
    }
    busy = true;
    setBusy(form, submit, true);
    try {
      const answer = await options.send(body);
      if (options.staysOpen === true) {
        renew();
      }
      options.done(answer);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && err.code === options.idTaken.code) {
        renew();
        if (options.idTaken.text !== undefined) {
          errors.showAt(null, t(options.idTaken.text), err);
          return;
        }
      }
      if (options.handled?.(err) === true) {
        return;
      }
      errors.showRefusal(err);
    } finally {
      busy = false;
      setBusy(form, submit, false);
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void send();
  });
}
