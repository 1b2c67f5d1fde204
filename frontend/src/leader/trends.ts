/**
 * KPI trends: incidents opened and closed, and p50/p90 time to accept and to arrive, per day or
 * week, for the whole jurisdiction or one street/community (pick a row, or drill down on the
 * map). Everything is computed by the server (`GET /api/kpi/trends`); this only draws it.
 */

import { el, replaceChildren } from "../shared/dom";
import { formatDuration, getLocale, localName, onLocaleChange, t, tk, type MessageKey } from "../shared/i18n";
import { getLiveState, onLiveChange } from "../shared/live";
import { bucketDay } from "./chart-axes";
import { getTrends, type KpiTrends, type TrendBucket, type TrendLevel, type UnitSeries } from "./leader-api";
import { drawChart } from "./svg-chart";

const COLORS = { opened: "#38bdf8", closed: "#2ee59d", accept: "#facc15", arrive: "#f472b6" };

/** "11/29" (or "11/23 周" for a week): the district's day the bucket starts on, not the browser's. */
function bucketLabel(start: string, bucket: TrendBucket): string {
  const text = new Intl.DateTimeFormat(getLocale(), { month: "numeric", day: "numeric", timeZone: "UTC" }).format(bucketDay(start));
  return bucket === "week" ? t("leader.trends.weekOf", { date: text }) : text;
}

function minutes(v: number): string {
  return formatDuration(v);
}

export function mountTrends(parent: HTMLElement): HTMLElement {
  let bucket: TrendBucket = "day";
  let data: KpiTrends | null = null;
  let selected: string | null = null;
  let error = false;
  let request = 0;

  const controls = el("div", { className: "trends__controls" });
  const charts = el("div", { className: "trends__charts" });
  const table = el("div", { className: "trends__table" });
  const root = el("section", { className: "panel trends", dataset: { loaded: "false" } }, [controls, charts, table]);

  const level = (): TrendLevel => (getLiveState().focus === null ? "street" : "community");
  const load = async (): Promise<void> => {
    const mine = (request += 1);
    root.dataset.loaded = "false";
    try {
      const answer = await getTrends(bucket, level(), getLiveState().focus?.path ?? null);
      if (mine === request) {
        data = answer;
        error = false;
        if (selected !== null && !answer.units.some((u) => u.path === selected)) {
          selected = null;
        }
      }
    } catch (err) {
      console.warn("trends failed to load", err);
      error = true;
    }
    render();
    root.dataset.loaded = "true";
  };

  const toggle = (value: TrendBucket, label: MessageKey): HTMLElement => {
    const b = el("button", { className: `seg__btn${bucket === value ? " is-active" : ""}`, text: t(label), attrs: { type: "button", "aria-pressed": String(bucket === value) }, dataset: { bucket: value } });
    b.addEventListener("click", () => {
      bucket = value;
      void load();
    });
    return b;
  };

  const render = (): void => {
    replaceChildren(controls, [
      el("h2", { className: "panel__title", text: t("leader.trends.title") }),
      el("div", { className: "seg" }, [toggle("day", tk("leader.trends.day")), toggle("week", tk("leader.trends.week"))]),
    ]);
    if (data === null) {
      replaceChildren(charts, [el("p", { className: "empty", text: t(error ? "leader.loadFailed" : "state.loading") })]);
      replaceChildren(table, []);
      return;
    }
    const series: UnitSeries = data.units.find((u) => u.path === selected) ?? data.total;
    const labels = series.buckets.map((b) => bucketLabel(b.start, data?.bucket ?? "day"));
    const f = series.buckets.map((b) => b.figures);
    replaceChildren(charts, [
      el("h3", { className: "trends__subject", text: t("leader.trends.subject", { name: localName(series) }) }),
      el("p", { className: "chart__title", text: t("leader.trends.volume") }),
      drawChart({
        kind: "bars",
        title: t("leader.trends.volume"),
        xLabels: labels,
        yKind: "count",
        formatY: (v) => String(Math.round(v)),
        series: [
          { label: t("leader.trends.opened"), color: COLORS.opened, values: f.map((x) => x.opened) },
          { label: t("leader.trends.closed"), color: COLORS.closed, values: f.map((x) => x.closed) },
        ],
      }),
      legendRow([
        [t("leader.trends.opened"), COLORS.opened, false],
        [t("leader.trends.closed"), COLORS.closed, false],
      ]),
      el("p", { className: "chart__title", text: t("leader.trends.times") }),
      drawChart({
        kind: "lines",
        title: t("leader.trends.times"),
        xLabels: labels,
        yKind: "duration",
        formatY: minutes,
        series: [
          { label: t("leader.trends.acceptP50"), color: COLORS.accept, values: f.map((x) => x.to_accept.p50_s) },
          { label: t("leader.trends.acceptP90"), color: COLORS.accept, values: f.map((x) => x.to_accept.p90_s), dashed: true },
          { label: t("leader.trends.arriveP50"), color: COLORS.arrive, values: f.map((x) => x.to_arrive.p50_s) },
          { label: t("leader.trends.arriveP90"), color: COLORS.arrive, values: f.map((x) => x.to_arrive.p90_s), dashed: true },
        ],
      }),
      legendRow([
        [t("leader.trends.acceptP50"), COLORS.accept, false],
        [t("leader.trends.acceptP90"), COLORS.accept, true],
        [t("leader.trends.arriveP50"), COLORS.arrive, false],
        [t("leader.trends.arriveP90"), COLORS.arrive, true],
      ]),
    ]);
    replaceChildren(table, [unitTable(data, selected, (path) => {
      selected = selected === path ? null : path;
      render();
    })]);
  };

  render();
  void load();
  onLiveChange((_, part) => part === "focus" && void load());
  onLocaleChange(render);
  parent.append(root);
  return root;
}

function legendRow(items: [string, string, boolean][]): HTMLElement {
  return el(
    "ul",
    { className: "chart__legend" },
    items.map(([label, color, dashed]) => {
      const swatch = el("span", { className: `chart__swatch${dashed ? " is-dashed" : ""}`, attrs: { "aria-hidden": "true" } });
      swatch.style.setProperty("--swatch", color);
      return el("li", {}, [swatch, el("span", { text: label })]);
    }),
  );
}

/** One row per unit: totals over the window and the latest bucket's p90s; click to chart it. */
function unitTable(data: KpiTrends, selected: string | null, pick: (path: string) => void): HTMLElement {
  const head = el("tr", {}, [
    el("th", { text: t(data.level === "street" ? "leader.trends.street" : "leader.trends.community") }),
    el("th", { text: t("leader.trends.opened") }),
    el("th", { text: t("leader.trends.closed") }),
    el("th", { text: t("leader.trends.acceptP90") }),
    el("th", { text: t("leader.trends.arriveP90") }),
  ]);
  const rows = data.units.map((u) => {
    const opened = u.buckets.reduce((n, b) => n + b.figures.opened, 0);
    const closed = u.buckets.reduce((n, b) => n + b.figures.closed, 0);
    const latest = [...u.buckets].reverse().find((b) => b.figures.opened > 0)?.figures ?? null;
    const row = el("tr", { className: `trends__row${u.path === selected ? " is-selected" : ""}`, dataset: { path: u.path } }, [
      el("td", { text: localName(u) }),
      el("td", { text: String(opened) }),
      el("td", { text: String(closed) }),
      el("td", { text: formatDuration(latest?.to_accept.p90_s ?? null) }),
      el("td", { text: formatDuration(latest?.to_arrive.p90_s ?? null) }),
    ]);
    row.addEventListener("click", () => pick(u.path));
    return row;
  });
  return el("table", { className: "trends__units" }, [el("thead", {}, [head]), el("tbody", {}, rows)]);
}
