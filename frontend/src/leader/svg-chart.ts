/**
 * Small SVG charts drawn by hand (grouped bars, lines with gaps), so the leader view does not
 * ship a charting library. Pure builders: data in, an `<svg>` out, sized by its container.
 */

import { labelIndices, labelStride, textWidth, yTicks, type YKind } from "./chart-axes";

const NS = "http://www.w3.org/2000/svg";
const W = 600;
const H = 220;
const PAD = { left: 52, right: 12, top: 14, bottom: 28 };
/** Font size of axis labels in user units; keep in step with `.chart__axis` in leader.css. */
const AXIS_FONT = 11;

export interface ChartSeries {
  label: string;
  color: string;
  /** One value per x label; null = no sample (a gap in a line, no bar). */
  values: readonly (number | null)[];
  dashed?: boolean;
}

export interface ChartSpec {
  kind: "bars" | "lines";
  xLabels: readonly string[];
  series: readonly ChartSeries[];
  /** Counts get whole-number ticks; durations (seconds) get ticks at round m:ss steps. */
  yKind: YKind;
  formatY: (v: number) => string;
  title: string;
}

function node<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    n.setAttribute(k, String(v));
  }
  if (text !== undefined) {
    n.textContent = text;
  }
  return n;
}

export function drawChart(spec: ChartSpec): SVGSVGElement {
  const svg = node("svg", { viewBox: `0 0 ${W} ${H}`, class: `chart chart--${spec.kind}`, role: "img", "aria-label": spec.title });
  const values = spec.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const ticks = yTicks(Math.max(0, ...values), spec.yKind);
  const top = ticks[ticks.length - 1] ?? 1;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const n = Math.max(1, spec.xLabels.length);
  const slot = plotW / n;
  const x = (i: number): number => PAD.left + slot * (i + 0.5);
  const y = (v: number): number => PAD.top + plotH - (v / top) * plotH;

  for (const v of ticks) {
    svg.append(node("line", { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: "chart__grid" }));
    svg.append(node("text", { x: PAD.left - 6, y: y(v) + 4, class: "chart__axis", "text-anchor": "end" }, spec.formatY(v)));
  }
  // A regular cadence counted back from the latest bucket, spaced so labels never touch;
  // each centred under its slot, nudged inward if it would run past the edge of the drawing.
  for (const i of labelIndices(spec.xLabels.length, labelStride(spec.xLabels, slot, AXIS_FONT, 8, PAD.right + slot / 2))) {
    const label = spec.xLabels[i] ?? "";
    const half = textWidth(label, AXIS_FONT) / 2;
    const cx = Math.min(Math.max(x(i), half + 1), W - half - 1);
    svg.append(node("text", { x: cx, y: H - 8, class: "chart__axis", "text-anchor": "middle" }, label));
  }

  if (spec.kind === "bars") {
    const barW = (slot * 0.7) / Math.max(1, spec.series.length);
    spec.series.forEach((s, j) => {
      s.values.forEach((v, i) => {
        if (v === null || v <= 0) {
          return;
        }
        const left = x(i) - (slot * 0.7) / 2 + j * barW;
        const bar = node("rect", { x: left, y: y(v), width: Math.max(1, barW - 1), height: y(0) - y(v), fill: s.color, rx: 1.5 });
        bar.append(node("title", {}, `${s.label} ${spec.xLabels[i] ?? ""}: ${spec.formatY(v)}`));
        svg.append(bar);
      });
    });
  } else {
    for (const s of spec.series) {
      let d = "";
      s.values.forEach((v, i) => {
        if (v === null) {
          return;
        }
        d += `${d === "" || s.values[i - 1] === null ? "M" : "L"}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      });
      svg.append(node("path", { d, fill: "none", stroke: s.color, "stroke-width": 2.2, ...(s.dashed === true ? { "stroke-dasharray": "5 4" } : {}) }));
      s.values.forEach((v, i) => {
        if (v !== null) {
          const dot = node("circle", { cx: x(i), cy: y(v), r: 3, fill: s.color });
          dot.append(node("title", {}, `${s.label} ${spec.xLabels[i] ?? ""}: ${spec.formatY(v)}`));
          svg.append(dot);
        }
      });
    }
  }
  return svg;
}
