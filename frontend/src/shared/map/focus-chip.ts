/** The drill-down chip on the map: where the view is focused, and the ways back up. */

import { el, replaceChildren } from "../dom";
import { localName, onLocaleChange, t } from "../i18n";
import { getLiveState, onLiveChange } from "../live";

export interface FocusChipActions {
  up(): void;
  whole(): void;
}

export function mountFocusChip(parent: HTMLElement, actions: FocusChipActions): HTMLElement {
  const root = el("div", { className: "focus-chip", attrs: { role: "status" } });
  const render = (): void => {
    const focus = getLiveState().focus;
    root.dataset.focus = focus?.path ?? "";
    if (focus === null) {
      replaceChildren(root, [el("span", { className: "focus-chip__hint", text: t("focus.hint") })]);
      return;
    }
    const up = el("button", { className: "btn btn--ghost focus-chip__btn", text: t("focus.back"), attrs: { type: "button" } });
    up.addEventListener("click", actions.up);
    const whole = el("button", { className: "btn btn--ghost focus-chip__btn", text: t("focus.whole"), attrs: { type: "button" } });
    whole.addEventListener("click", actions.whole);
    replaceChildren(root, [
      el("span", { className: "focus-chip__name", text: t("focus.label", { name: localName(focus) }) }),
      focus.level === "community" ? up : null,
      whole,
    ]);
  };
  render();
  onLiveChange((_, part) => part === "focus" && render());
  onLocaleChange(render);
  parent.append(root);
  return root;
}
