/** Responders by status (stale positions counted apart), as bars: how much force is free now. */

import { el, replaceChildren } from "../dom";
import { isStale, RESPONDER_STATUS_LABELS } from "../domain";
import { onLocaleChange, t } from "../i18n";
import { getLiveState, onLiveChange } from "../live";
import type { ResponderPosition, ResponderStatus } from "../types";

const SHOWN: readonly ResponderStatus[] = ["available", "offered", "assigned", "en_route", "on_scene", "busy"];

/** Counts per status among fresh positions, plus the number of stale ones. */
export function countByStatus(responders: readonly ResponderPosition[]): { counts: Record<ResponderStatus, number>; stale: number } {
  const counts: Record<ResponderStatus, number> = { available: 0, offered: 0, assigned: 0, en_route: 0, on_scene: 0, busy: 0, off_duty: 0 };
  let stale = 0;
  for (const r of responders) {
    if (isStale(r)) {
      stale += 1;
    } else if (r.status in counts) {
      counts[r.status] += 1;
    }
  }
  return { counts, stale };
}

export function mountResponderSummary(parent: HTMLElement): HTMLElement {
  const body = el("div", { className: "force" });
  const root = el("section", { className: "panel panel--force" }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "panel.force" })]),
    body,
  ]);
  const render = (): void => {
    const responders = getLiveState().responders;
    if (responders === null) {
      replaceChildren(body, [el("div", { className: "empty empty--loading" }, [el("p", { i18n: "state.loading" })])]);
      return;
    }
    if (responders.length === 0) {
      replaceChildren(body, [el("div", { className: "empty" }, [el("p", { i18n: "state.noResponders" })])]);
      return;
    }
    const { counts, stale } = countByStatus(responders);
    const rows: [string, string, number][] = [
      ...SHOWN.map((status): [string, string, number] => [status, t(RESPONDER_STATUS_LABELS[status]), counts[status]]),
      ["stale", t("responderStatus.stale"), stale],
    ];
    const max = Math.max(1, ...rows.map((r) => r[2]));
    replaceChildren(
      body,
      rows.map(([status, label, count]) => {
        const bar = el("span", { className: "force__bar", attrs: { "aria-hidden": "true" } });
        bar.style.setProperty("--share", String(count / max));
        return el("div", { className: `force__row force__row--${status}` }, [
          el("span", { className: "force__label", text: label }),
          el("span", { className: "force__track" }, [bar]),
          el("span", { className: "force__count", text: String(count) }),
        ]);
      }),
    );
  };
  render();
  onLiveChange((_, part) => part === "responders" && render());
  onLocaleChange(render);
  parent.append(root);
  return root;
}
