/** The event ticker: the newest events scrolling along the bottom of the wall. */

import { el, replaceChildren } from "../dom";
import { formatClock, onLocaleChange } from "../i18n";
import { getLiveState, onLiveChange } from "../live";

const SHOWN = 12;

export function mountTicker(parent: HTMLElement): HTMLElement {
  const track = el("div", { className: "ticker__track" });
  const root = el("section", { className: "ticker", attrs: { "aria-live": "off" } }, [
    el("h2", { className: "ticker__label", i18n: "panel.ticker" }),
    el("div", { className: "ticker__viewport" }, [track]),
  ]);
  const render = (): void => {
    const events = getLiveState().ticker;
    if (events === null || events.length === 0) {
      root.classList.remove("is-running");
      replaceChildren(track, [
        el("span", { className: "ticker__empty", i18n: events === null ? "state.waitingForEvents" : "state.noEvents" }),
      ]);
      return;
    }
    root.classList.add("is-running");
    // The items are repeated once so the CSS marquee loops without a gap.
    const items = events.slice(0, SHOWN).map((e) =>
      el("span", { className: `ticker__item ticker__item--${e.severity}` }, [
        el("time", { className: "ticker__time", text: formatClock(new Date(e.at), false), attrs: { datetime: e.at } }),
        el("span", { text: e.text }),
      ]),
    );
    replaceChildren(track, [...items, ...items.map((n) => n.cloneNode(true))]);
  };
  render();
  onLiveChange((_, part) => part === "ticker" && render());
  onLocaleChange(render);
  parent.append(root);
  return root;
}
