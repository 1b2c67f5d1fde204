/** A short confirmation at the bottom of the screen ("已记录随访"), read out by screen readers. */

import { el } from "../dom";

const SHOWN_MS = 4_000;
let region: HTMLElement | null = null;

/** Shows `text` for a few seconds; a newer message replaces an older one. */
export function showToast(text: string): void {
  if (region === null) {
    region = el("div", { className: "toast", attrs: { role: "status", "aria-live": "polite" } });
    document.body.append(region);
  }
  const item = el("p", { className: "toast__item", text });
  region.replaceChildren(item);
  window.setTimeout(() => item.remove(), SHOWN_MS);
}
