/**
 * Finding a person (查找人员) by ID number or phone: the key goes in the request body, never
 * in a URL (`POST /api/persons/lookup`, person:lookup). One match is handed over at once; several
 * (a phone a family shares) are listed to pick from; none is said at the input
 * (`unknown_person`). Used by the psych page's person panel and a dispute's party form.
 */

import { el, replaceChildren } from "../dom";
import { onLocaleChange, t } from "../i18n";
import { personLine } from "../person-text";
import { lookupPerson } from "../persons-api";
import type { PersonLookupRequest, PersonView } from "../types";
import { errorLine, FieldErrors, setBusy } from "./form-kit";

type Key = "id_number" | "phone";

export interface PersonLookupOptions {
  /** The input's id (its error line is `<id>-error`). */
  id: string;
  onFound(person: PersonView): void;
}

/** Appends the lookup form to `parent` and returns it. */
export function mountPersonLookup(parent: HTMLElement, options: PersonLookupOptions): HTMLElement {
  const { onFound } = options;
  let key: Key = "id_number";
  let busy = false;

  const input = el("input", { className: "field__input", attrs: { id: options.id, name: "value", type: "text", autocomplete: "off", spellcheck: "false" } });
  const label = el("label", { className: "field__label", attrs: { for: input.id } });
  const keys = el("div", { className: "seg", attrs: { role: "group", "aria-label": t("person.lookup.by"), "data-i18n-aria-label": "person.lookup.by" } });
  const error = errorLine(options.id);
  const general = el("p", { className: "lookup__error", attrs: { role: "alert" } });
  const errors = new FieldErrors(general);
  errors.add("id_number", error, input);
  errors.add("phone", error, input);
  const found = el("ul", { className: "lookup__found" });
  const submit = el("button", { className: "btn btn--primary lookup__submit", i18n: "person.lookup.submit", attrs: { type: "submit" } });
  const form = el("form", { className: "lookup", attrs: { novalidate: "", role: "search" } }, [
    keys,
    el("div", { className: "lookup__row" }, [el("div", { className: "field lookup__field" }, [label, input, error]), submit]),
    general,
    found,
  ]);
  parent.append(form);

  const drawKeys = (): void => {
    label.textContent = t(key === "id_number" ? "person.lookup.idNumber" : "person.lookup.phone");
    input.placeholder = t(key === "id_number" ? "person.lookup.idPlaceholder" : "person.lookup.phonePlaceholder");
    input.inputMode = key === "phone" ? "tel" : "text";
    keys.replaceChildren(
      ...(["id_number", "phone"] as const).map((k) => {
        const b = el("button", { className: `seg__btn${k === key ? " is-active" : ""}`, text: t(k === "id_number" ? "person.lookup.idNumber" : "person.lookup.phone"), attrs: { type: "button", "aria-pressed": String(k === key) }, dataset: { key: k } });
        b.addEventListener("click", () => {
          key = k;
          errors.clear();
          drawKeys();
          input.focus();
        });
        return b;
      }),
    );
  };

  const send = async (): Promise<void> => {
    if (busy) {
      return;
    }
    errors.clear();
    replaceChildren(found, []);
    const value = input.value.trim();
    if (value === "") {
      errors.required([key]);
      return;
    }
    const body: PersonLookupRequest = key === "id_number" ? { id_number: value } : { phone: value };
    busy = true;
    setBusy(form, submit, true);
    try {
      const page = await lookupPerson(body);
      const [only] = page.items;
      input.value = ""; // the full number stays on screen no longer than needed: the record shows it masked
      if (page.items.length === 1 && only !== undefined) {
        onFound(only);
      } else {
        replaceChildren(
          found,
          page.items.map((p) => {
            const pick = el("button", { className: "lookup__pick", text: personLine(p), attrs: { type: "button" }, dataset: { personId: p.id } });
            pick.addEventListener("click", () => {
              replaceChildren(found, []);
              onFound(p);
            });
            return el("li", {}, [pick]);
          }),
        );
      }
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
  drawKeys();
  const stop = onLocaleChange(() => {
    if (!form.isConnected) {
      stop();
      return;
    }
    drawKeys();
  });
  return form;
}
