/**
 * A small modal form for the operator's actions that need words (a reason, a priority, an
 * outcome). Native `<dialog>`: focus stays inside, Esc cancels, Enter submits. The action runs
 * on submit; a refusal from the server is shown at the field it names (or above the buttons),
 * and the dialog stays open so the operator can correct it.
 */

import { el } from "../dom";
import { showErrorText } from "../error-text";
import { ApiError } from "../http";
import { t, type MessageKey } from "../i18n";
import { refusalText } from "./refusal";

export interface DialogField {
  /** The name the server uses for it (`reason`, `priority`, `outcome`, …). */
  name: string;
  label: MessageKey;
  kind: "text" | "textarea" | "select";
  options?: readonly { value: string; label: string }[];
  value?: string;
  placeholder?: MessageKey;
}

export interface FormDialogOptions {
  title: string;
  /** A line under the title (what the action is about). */
  subtitle?: string;
  fields: readonly DialogField[];
  submit: MessageKey;
  danger?: boolean;
  /** Runs the action; throw an `ApiError` to keep the dialog open showing the refusal. */
  onSubmit(values: Record<string, string>): Promise<void>;
  /** Turns a refusal into the text to show (default: "Refused by the server: <its code's text>", see error-text.ts). */
  describeError?(error: ApiError): string | null;
}

/** Opens the dialog; resolves true when the action succeeded, false when cancelled. */
export function openFormDialog(options: FormDialogOptions): Promise<boolean> {
  const inputs = new Map<string, HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>();
  const errors = new Map<string, HTMLElement>();
  const rows = options.fields.map((field) => {
    const id = `dlg-${field.name}`;
    let input: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
    if (field.kind === "select") {
      input = el("select", { className: "field__input", attrs: { id, name: field.name } }, (field.options ?? []).map((o) => el("option", { text: o.label, attrs: { value: o.value } })));
    } else if (field.kind === "textarea") {
      input = el("textarea", { className: "field__input", attrs: { id, name: field.name, rows: "3" } });
    } else {
      input = el("input", { className: "field__input", attrs: { id, name: field.name, type: "text", autocomplete: "off" } });
    }
    if (field.value !== undefined) {
      input.value = field.value;
    }
    if (field.placeholder !== undefined && !(input instanceof HTMLSelectElement)) {
      input.placeholder = t(field.placeholder);
    }
    inputs.set(field.name, input);
    const error = el("p", { className: "field__error", attrs: { id: `${id}-error`, role: "alert" } });
    input.setAttribute("aria-describedby", error.id);
    errors.set(field.name, error);
    return el("div", { className: "field" }, [el("label", { className: "field__label", text: t(field.label), attrs: { for: id } }), input, error]);
  });
  const general = el("p", { className: "dialog__error", attrs: { role: "alert" } });
  const submit = el("button", { className: `btn ${options.danger === true ? "btn--danger" : "btn--primary"}`, text: t(options.submit), attrs: { type: "submit" } });
  const cancel = el("button", { className: "btn btn--ghost", text: t("console.action.cancelDialog"), attrs: { type: "button" } });
  const form = el("form", { className: "dialog__form", attrs: { method: "dialog", novalidate: "" } }, [
    el("h2", { className: "dialog__title", text: options.title }),
    options.subtitle === undefined ? null : el("p", { className: "dialog__subtitle", text: options.subtitle }),
    ...rows,
    general,
    el("div", { className: "dialog__actions" }, [cancel, submit]),
  ]);
  const dialog = el("dialog", { className: "dialog" }, [form]);
  document.body.append(dialog);

  return new Promise<boolean>((resolve) => {
    let done = false;
    const finish = (ok: boolean): void => {
      if (done) {
        return;
      }
      done = true;
      dialog.close();
      dialog.remove();
      resolve(ok);
    };
    cancel.addEventListener("click", () => finish(false));
    dialog.addEventListener("close", () => finish(false));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (submit.disabled) {
        return;
      }
      const values: Record<string, string> = {};
      for (const [name, input] of inputs) {
        values[name] = input.value.trim();
      }
      for (const [name, error] of errors) {
        error.textContent = "";
        error.removeAttribute("title");
        delete error.dataset.code;
        inputs.get(name)?.removeAttribute("aria-invalid");
      }
      general.textContent = "";
      general.removeAttribute("title");
      delete general.dataset.code;
      submit.disabled = true;
      options
        .onSubmit(values)
        .then(() => finish(true))
        .catch((err: unknown) => {
          submit.disabled = false;
          const message = (err instanceof ApiError && !err.isUnavailable ? options.describeError?.(err) : null) ?? refusalText(err);
          const name = err instanceof ApiError && err.field !== null ? err.field.split(".").pop() ?? "" : "";
          // The code goes into `data-code` (and the server's words into the tooltip) either way.
          showErrorText(errors.get(name) ?? general, message, err);
          const input = inputs.get(name);
          input?.setAttribute("aria-invalid", "true");
          input?.focus();
        });
    });
    dialog.showModal();
    const first = inputs.values().next().value;
    first?.focus();
  });
}
