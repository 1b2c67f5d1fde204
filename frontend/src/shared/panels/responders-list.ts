/** Responders on duty for the console: status, capabilities and how old each position is. */

import { el, replaceChildren } from "../dom";
import { formatDuration, onLocaleChange, t } from "../i18n";
import { getLiveState, onLiveChange } from "../live";
import { isStale, RESPONDER_STATUS_LABELS } from "../domain";
import type { ResponderPosition } from "../types";

export function mountRespondersList(parent: HTMLElement, options: { limit?: number } = {}): HTMLElement {
  const count = el("span", { className: "panel__count" });
  const body = el("div", { className: "responders" });
  const root = el("section", { className: "panel panel--responders" }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "panel.responders" }), count]),
    body,
  ]);
  const render = (): void => {
    const responders = getLiveState().responders;
    if (responders === null) {
      count.textContent = "";
      replaceChildren(body, [el("div", { className: "empty empty--loading" }, [el("p", { i18n: "state.loading" })])]);
      return;
    }
    count.textContent = String(responders.length);
    if (responders.length === 0) {
      replaceChildren(body, [el("div", { className: "empty" }, [el("p", { i18n: "state.noResponders" })])]);
      return;
    }
    const rows = [...responders].sort((a, b) => a.age_s - b.age_s).slice(0, options.limit ?? 100);
    replaceChildren(body, [el("ul", { className: "responders__list" }, rows.map(row))]);
  };
  render();
  onLiveChange((_, part) => part === "responders" && render());
  onLocaleChange(render);
  parent.append(root);
  return root;
}

function row(r: ResponderPosition): HTMLElement {
  const stale = isStale(r);
  return el("li", { className: `responder responder--${r.status}${stale ? " is-stale" : ""}` }, [
    el("span", { className: "responder__dot", attrs: { "aria-hidden": "true" } }),
    el("span", { className: "responder__id", text: r.id }),
    el("span", { className: "responder__status", text: t(stale ? "responderStatus.stale" : RESPONDER_STATUS_LABELS[r.status]) }),
    el("span", { className: "responder__caps", text: r.capabilities.join(" · ") }),
    el("span", { className: "responder__age", text: formatDuration(r.age_s) }),
  ]);
}
