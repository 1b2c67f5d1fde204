/** Tiny DOM builders so views read as structure, not as chains of createElement calls. */

import { t, type MessageKey } from "./i18n";

export interface ElementOptions {
  className?: string;
  text?: string;
  /** Static text through the i18n table; re-translated by `translateDom` on language change. */
  i18n?: MessageKey;
  attrs?: Record<string, string>;
  dataset?: Record<string, string>;
}

/** Creates an element with classes, text and attributes, and appends the children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElementOptions = {},
  children: readonly (Node | null | undefined)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (options.className !== undefined) {
    node.className = options.className;
  }
  if (options.i18n !== undefined) {
    node.dataset.i18n = options.i18n;
    node.textContent = t(options.i18n);
  } else if (options.text !== undefined) {
    node.textContent = options.text;
  }
  for (const [name, value] of Object.entries(options.attrs ?? {})) {
    node.setAttribute(name, value);
  }
  for (const [name, value] of Object.entries(options.dataset ?? {})) {
    node.dataset[name] = value;
  }
  for (const child of children) {
    if (child) {
      node.append(child);
    }
  }
  return node;
}

/** Replaces all children of `parent`. */
export function replaceChildren(parent: Element, children: readonly (Node | null | undefined)[]): void {
  parent.replaceChildren(...children.filter((c): c is Node => c !== null && c !== undefined));
}

/** The element with this id, or an Error naming it (markup and code disagree). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) {
    throw new Error(`missing element #${id}`);
  }
  return node as T;
}
