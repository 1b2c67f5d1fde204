/**
 * Finding a person (查找人员) by ID number or phone: the key goes in the request body, never
 * in a URL (`POST /api/persons/lookup`). One match opens the person; several (a phone a family
 * shares) are listed to pick from; none is said at the input (`unknown_person`).
 */

import { el, replaceChildren } from "../shared/dom";
import { t } from "../shared/i18n";
import type { PersonLookupRequest, PersonView } from "../shared/types";
import { errorLine, FieldErrors, setBusy } from "../shared/ui/form-kit";
import { personLine } from "./person-text";
import { lookupPerson } from "./psych-api";

type Key = "id_number" | "phone";

export function mountPersonLookup(parent: HTMLElement, onFound: (person: PersonView) => void): HTMLElement {
  let key: Key = "id_number";
  let busy = false;

  const input = el("input", { className: "field__input", attrs: { id: "psych-lookup-value", name: "value", type: "text", autocomplete: "off", spellcheck: "false" } });
  const label = el("label", { className: "field__label", attrs: { for: input.id } });
  const keys = el("div", { className: "seg", attrs: { role: "group", "aria-label": t("psych.lookup.by"), "data-i18n-aria-label": "psych.lookup.by" } });
  const error = errorLine("psych-lookup-value");
  const general = el("p", { className: "psych-form__error", attrs: { role: "alert" } });
  const errors = new FieldErrors(general);
  errors.add("id_number", error, input);
  errors.add("phone", error, input);
  const found = el("ul", { className: "lookup__found" });
  const submit = el("button", { className: "btn btn--primary lookup__submit", i18n: "psych.lookup.submit", attrs: { type: "submit" } });
  const form = el("form", { className: "lookup", attrs: { novalidate: "", role: "search" } }, [
    keys,
    el("div", { className: "lookup__row" }, [el("div", { className: "field lookup__field" }, [label, input, error]), submit]),
    general,
    found,
  ]);
  parent.append(form);

  const drawKeys = (): void => {
    label.textContent = t(key === "id_number" ? "psych.lookup.idNumber" : "psych.lookup.phone");
    input.placeholder = t(key === "id_number" ? "psych.lookup.idPlaceholder" : "psych.lookup.phonePlaceholder");
    input.inputMode = key === "phone" ? "tel" : "text";
    keys.replaceChildren(
      ...(["id_number", "phone"] as const).map((k) => {
        const b = el("button", { className: `seg__btn${k === key ? " is-active" : ""}`, text: t(k === "id_number" ? "psych.lookup.idNumber" : "psych.lookup.phone"), attrs: { type: "button", "aria-pressed": String(k === key) }, dataset: { key: k } });
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
  return form;
}
