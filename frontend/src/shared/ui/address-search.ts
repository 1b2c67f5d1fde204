/**
 * Address autocomplete against the unified address registry (`/api/addresses/search`), as an
 * ARIA combobox: typing asks the server after a short pause (answers that arrive out of order
 * are dropped), ArrowUp/ArrowDown move through the suggestions, Enter picks, Escape closes.
 * The caller learns of a pick (`onPick`) and of typing that un-picks (`onText`). Used by the
 * console's intake and the dispute page's register form; the server searches the user's
 * jurisdiction only (`address:read`).
 */

import { el, replaceChildren } from "../dom";
import { t, type MessageKey } from "../i18n";
import { searchAddresses } from "../incidents-api";
import type { AddressCandidate } from "../types";

const DEBOUNCE_MS = 180;
const MIN_CHARS = 2;

export interface AddressSearchOptions {
  /** The input's id (the list's and options' ids derive from it). */
  id: string;
  /** The placeholder, and the line shown when nothing matches. */
  placeholder: MessageKey;
  none: MessageKey;
  onPick(candidate: AddressCandidate): void;
  /** The text changed by typing (whatever was picked before no longer holds). */
  onText(text: string): void;
}

export interface AddressSearch {
  input: HTMLInputElement;
  root: HTMLElement;
  /** Shows `text` without searching (after a pick from elsewhere, or to clear). */
  setText(text: string): void;
  close(): void;
}

export function mountAddressSearch(options: AddressSearchOptions): AddressSearch {
  const { id, placeholder, none } = options;
  const input = el("input", {
    className: "field__input",
    attrs: {
      id,
      type: "text",
      role: "combobox",
      autocomplete: "off",
      "aria-autocomplete": "list",
      "aria-expanded": "false",
      "aria-controls": `${id}-list`,
      "data-i18n-placeholder": placeholder,
      placeholder: t(placeholder),
    },
  });
  const list = el("ul", { className: "suggest", attrs: { id: `${id}-list`, role: "listbox" } });
  list.hidden = true;
  const root = el("div", { className: "suggest-host" }, [input, list]);

  let items: AddressCandidate[] = [];
  let active = -1;
  let timer: number | undefined;
  let asked = 0;

  const close = (): void => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };

  const render = (): void => {
    if (items.length === 0) {
      replaceChildren(list, [el("li", { className: "suggest__empty", text: t(none) })]);
    } else {
      replaceChildren(
        list,
        items.map((item, i) => {
          const option = el("li", {
            className: `suggest__item${i === active ? " is-active" : ""}`,
            text: item.text,
            attrs: { id: `${id}-opt-${i}`, role: "option", "aria-selected": String(i === active) },
          });
          // mousedown, not click: the input must not lose focus (and close the list) first.
          option.addEventListener("mousedown", (event) => {
            event.preventDefault();
            pick(i);
          });
          return option;
        }),
      );
    }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    if (active >= 0) {
      input.setAttribute("aria-activedescendant", `${id}-opt-${active}`);
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  };

  const pick = (index: number): void => {
    const item = items[index];
    if (item === undefined) {
      return;
    }
    input.value = item.text;
    close();
    options.onPick(item);
  };

  const search = (text: string): void => {
    const ticket = ++asked;
    searchAddresses(text)
      .then((page) => {
        if (ticket !== asked || document.activeElement !== input) {
          return; // a newer question is out, or the operator moved on
        }
        items = page.items;
        active = items.length > 0 ? 0 : -1;
        render();
      })
      .catch((err: unknown) => console.warn("address search failed", err));
  };

  input.addEventListener("input", () => {
    const text = input.value.trim();
    options.onText(text);
    window.clearTimeout(timer);
    if (text.length < MIN_CHARS) {
      asked += 1;
      close();
      return;
    }
    timer = window.setTimeout(() => search(text), DEBOUNCE_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (list.hidden) {
      if (event.key === "ArrowDown" && input.value.trim().length >= MIN_CHARS) {
        event.preventDefault();
        search(input.value.trim());
      }
      return;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (items.length > 0) {
        active = (active + (event.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
        render();
      }
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      pick(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });
  input.addEventListener("blur", () => window.setTimeout(close, 120));

  return {
    input,
    root,
    setText(text) {
      asked += 1;
      window.clearTimeout(timer);
      input.value = text;
      close();
    },
    close,
  };
}
