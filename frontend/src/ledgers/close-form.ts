/**
 * Taking a person off the ledger (销档) with the reason: a few one-tap starts (moved away, no
 * longer eligible, term served, died) fill the text, which stays editable. The entry leaves the
 * list and its live warning is resolved; the block data still lists the person, so they are back
 * on 待建档. The button is disabled while the request is out (a second close would be refused
 * with `entry_closed`).
 */

import { el } from "../shared/dom";
import { t } from "../shared/i18n";
import type { LedgerEntryView } from "../shared/types";
import { errorLine, FieldErrors, labelled, setBusy } from "../shared/ui/form-kit";
import { CLOSE_REASONS } from "./labels";
import { closeEntry } from "./ledgers-api";

export interface CloseFormOptions {
  entryId: string;
  onClosed(entry: LedgerEntryView): void;
  onCancel(): void;
}

const REASON_MIN = 2;
const REASON_MAX = 500;

/** Appends a close form for the entry to `parent` and returns it. */
export function mountCloseForm(parent: HTMLElement, options: CloseFormOptions): HTMLElement {
  let busy = false;

  const reason = el("textarea", { className: "field__input", attrs: { id: "ledgers-close-reason", name: "reason", rows: "2", maxlength: String(REASON_MAX), placeholder: t("ledgers.close.placeholder"), "data-i18n-placeholder": "ledgers.close.placeholder" } });
  const picks = el(
    "div",
    { className: "close-form__picks", attrs: { role: "group", "aria-label": t("ledgers.close.picks"), "data-i18n-aria-label": "ledgers.close.picks" } },
    CLOSE_REASONS.map((key) => {
      const b = el("button", { className: "btn btn--small btn--ghost close-form__pick", i18n: key, attrs: { type: "button" } });
      b.addEventListener("click", () => {
        reason.value = t(key);
        reason.focus();
      });
      return b;
    }),
  );
  const general = el("p", { className: "ledger-form__error", attrs: { role: "alert" } });
  const errors = new FieldErrors(general);
  const reasonError = errorLine("ledgers-close-reason");
  errors.add("reason", reasonError, reason);

  const submit = el("button", { className: "btn btn--danger ledger-form__submit", i18n: "ledgers.close.submit", attrs: { type: "submit" } });
  const cancel = el("button", { className: "btn btn--ghost", i18n: "form.cancel", attrs: { type: "button" } });
  cancel.addEventListener("click", () => options.onCancel());
  const form = el("form", { className: "ledger-form close-form", attrs: { novalidate: "", "aria-labelledby": "ledgers-close-title" } }, [
    el("h3", { className: "section-title", i18n: "ledgers.close.title", attrs: { id: "ledgers-close-title" } }),
    el("p", { className: "field__hint", i18n: "ledgers.close.hint" }),
    picks,
    labelled("ledgers-close-reason", "ledgers.close.reason", reason, reasonError),
    general,
    el("div", { className: "ledger-form__actions" }, [cancel, submit]),
  ]);
  parent.append(form);

  const send = async (): Promise<void> => {
    if (busy) {
      return;
    }
    errors.clear();
    const text = reason.value.trim();
    if (text.length < REASON_MIN) {
      errors.required(["reason"]);
      return;
    }
    busy = true;
    setBusy(form, submit, true);
    try {
      options.onClosed(await closeEntry(options.entryId, { reason: text }));
    } catch (err) {
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
  return form;
}
