/**
 * KPI tiles: live and escalated incidents and responders on duty (from the live feeds), then
 * today's figures as the server computed them (`TodayKpis`): time to alert / accept / arrive
 * (p50 large, p90 below), incidents opened and closed since midnight, and who is on duty by
 * capability. Tiles carry `data-kpi` (and the raw number in `data-value`) for tests.
 */

import { el, replaceChildren } from "../dom";
import { capabilityLabel } from "../capabilities";
import { formatDuration, onLocaleChange, t, tk, type MessageKey } from "../i18n";
import { getLiveState, onLiveChange, type LivePart, type LiveState } from "../live";
import type { KpiDurations } from "../types";

interface Tile {
  id: string;
  label: MessageKey;
  /** The raw value, null = not known yet ("—"); undefined = still loading. */
  value: (s: LiveState) => number | null | undefined;
  format?: (v: number) => string;
  /** A second line: a unit, or the p90 of a duration. */
  note?: (s: LiveState) => string;
  tone?: "alert" | "good";
}

const durationOf = (pick: (d: { to_alert: KpiDurations; to_accept: KpiDurations; to_arrive: KpiDurations }) => KpiDurations) => ({
  value: (s: LiveState) => (s.today === null ? (s.kpis === null ? undefined : null) : pick(s.today.figures).p50_s),
  format: formatDuration,
  note: (s: LiveState) => {
    const d = s.today === null ? null : pick(s.today.figures);
    return t("kpi.p50p90", { p90: formatDuration(d?.p90_s ?? null), n: d?.n ?? 0 });
  },
});

const TILES: readonly Tile[] = [
  { id: "live", label: tk("kpi.liveIncidents"), value: (s) => s.incidents?.length },
  { id: "escalated", label: tk("kpi.escalated"), value: (s) => s.incidents?.filter((i) => i.escalated).length, tone: "alert" },
  { id: "on-duty", label: tk("kpi.respondersOnDuty"), value: onDuty, tone: "good" },
  { id: "alert", label: tk("kpi.timeToAlert"), ...durationOf((f) => f.to_alert) },
  { id: "accept", label: tk("kpi.timeToAck"), ...durationOf((f) => f.to_accept) },
  { id: "arrive", label: tk("kpi.timeToArrive"), ...durationOf((f) => f.to_arrive) },
  { id: "opened", label: tk("kpi.openedToday"), value: (s) => (s.today === null ? (s.kpis === null ? undefined : null) : s.today.figures.opened) },
  { id: "closed", label: tk("kpi.closedToday"), value: (s) => (s.today === null ? (s.kpis === null ? undefined : null) : s.today.figures.closed), tone: "good" },
];

/** On duty = live responders not `off_duty`; drilled down, those inside the focused unit. */
function onDuty(s: LiveState): number | undefined {
  if (s.focus === null || s.responders === null) {
    return s.kpis?.responders_on_duty;
  }
  return s.responders.filter((r) => r.status !== "off_duty").length;
}

const PARTS: ReadonlySet<LivePart> = new Set(["kpis", "today", "incidents", "responders"]);

export function mountKpiTiles(parent: HTMLElement): HTMLElement {
  const grid = el("div", { className: "kpis" });
  const duty = el("ul", { className: "kpi-duty", attrs: { "aria-label": t("kpi.onDutyByCapability") } });
  const root = el("section", { className: "panel panel--kpis" }, [
    el("header", { className: "panel__header" }, [el("h2", { className: "panel__title", i18n: "panel.kpis" })]),
    grid,
    duty,
  ]);
  const render = (): void => {
    const s = getLiveState();
    replaceChildren(grid, TILES.map((tile) => tileElement(tile, s)));
    const byCapability = Object.entries(s.today?.on_duty_by_capability ?? {}).sort((a, b) => b[1] - a[1]);
    duty.hidden = s.today === null;
    replaceChildren(duty, [
      el("li", { className: "kpi-duty__title", text: t("kpi.onDutyByCapability") }),
      ...(byCapability.length === 0
        ? [el("li", { className: "kpi-duty__none", text: t("kpi.nobodyOnDuty") })]
        : byCapability.map(([capability, n]) =>
            el("li", { className: "kpi-duty__item", dataset: { capability } }, [
              el("span", { className: "kpi-duty__name", text: capabilityLabel(capability) }),
              el("span", { className: "kpi-duty__count", text: String(n) }),
            ]),
          )),
    ]);
  };
  render();
  onLiveChange((_, part) => PARTS.has(part) && render());
  onLocaleChange(render);
  parent.append(root);
  return root;
}

function tileElement(tile: Tile, s: LiveState): HTMLElement {
  const value = tile.value(s);
  const loading = value === undefined;
  const text = value === undefined || value === null ? "—" : (tile.format ?? String)(value);
  return el(
    "div",
    {
      className: `kpi${tile.tone === undefined ? "" : ` kpi--${tile.tone}`}${loading ? " is-loading" : ""}`,
      dataset: { kpi: tile.id, ...(value === undefined || value === null ? {} : { value: String(value) }) },
    },
    [
      el("span", { className: "kpi__label", text: t(tile.label) }),
      loading
        ? el("span", { className: "kpi__value kpi__value--skeleton", attrs: { "aria-hidden": "true" } })
        : el("span", { className: "kpi__value", text }),
      el("span", { className: "kpi__unit", text: loading ? t("state.loading") : (tile.note?.(s) ?? "") }),
    ],
  );
}
