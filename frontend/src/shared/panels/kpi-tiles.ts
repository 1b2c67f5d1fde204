/** KPI tiles: live and escalated incidents, responders on duty, and median step times. */

import { el, replaceChildren } from "../dom";
import { formatDuration, onLocaleChange, t, tk, type MessageKey } from "../i18n";
import { getLiveState, onLiveChange } from "../live";
import type { KpiSnapshot } from "../types";

interface Tile {
  label: MessageKey;
  value: (k: KpiSnapshot) => string;
  unit?: MessageKey;
  tone?: "alert" | "good";
}

const TILES: readonly Tile[] = [
  { label: tk("kpi.liveIncidents"), value: (k) => String(k.live_incidents) },
  { label: tk("kpi.escalated"), value: (k) => String(k.escalated_incidents), tone: "alert" },
  { label: tk("kpi.respondersOnDuty"), value: (k) => String(k.responders_on_duty), tone: "good" },
  { label: tk("kpi.timeToAlert"), value: (k) => formatDuration(k.p50_time_to_alert_s), unit: tk("kpi.median") },
  { label: tk("kpi.timeToAck"), value: (k) => formatDuration(k.p50_time_to_ack_s), unit: tk("kpi.median") },
  { label: tk("kpi.timeToArrive"), value: (k) => formatDuration(k.p50_time_to_arrive_s), unit: tk("kpi.median") },
];

export function mountKpiTiles(parent: HTMLElement): HTMLElement {
  const grid = el("div", { className: "kpis" });
  const root = el("section", { className: "panel panel--kpis" }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "panel.kpis" })]),
    grid,
  ]);
  const render = (): void => {
    const kpis = getLiveState().kpis;
    replaceChildren(
      grid,
      TILES.map((tile) =>
        el("div", { className: `kpi${tile.tone === undefined ? "" : ` kpi--${tile.tone}`}${kpis === null ? " is-loading" : ""}` }, [
          el("span", { className: "kpi__label", text: t(tile.label) }),
          kpis === null
            ? el("span", { className: "kpi__value kpi__value--skeleton", attrs: { "aria-hidden": "true" } })
            : el("span", { className: "kpi__value", text: tile.value(kpis) }),
          el("span", { className: "kpi__unit", text: kpis === null ? t("state.loading") : tile.unit === undefined ? "" : t(tile.unit) }),
        ]),
      ),
    );
  };
  render();
  onLiveChange((_, part) => part === "kpis" && render());
  onLocaleChange(render);
  parent.append(root);
  return root;
}
