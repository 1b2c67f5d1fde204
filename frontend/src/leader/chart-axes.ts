/**
 * Axis arithmetic of the leader view's SVG charts, kept pure (no DOM, no i18n): y ticks for
 * counts and for durations, which x labels to show, and the calendar day of a bucket start as
 * the server wrote it. The frontend has no unit-test runner; `test_leader.py` checks the drawn
 * axes (distinct whole ticks, today's date last) in a browser running in UTC.
 */

/** What the y values are: whole counts, or durations in seconds (drawn as m:ss). */
export type YKind = "count" | "duration";

/** Most y ticks drawn (0 included), so at most `MAX_Y_TICKS - 1` intervals. */
export const MAX_Y_TICKS = 5;

/** Duration steps in seconds that read well as m:ss or h:mm:ss. */
const DURATION_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** The smallest 1, 2 or 5 × 10^k (k ≥ 0, so always a whole number) with `max / step <= intervals`. */
function countStep(max: number, intervals: number): number {
  for (let power = 1; ; power *= 10) {
    for (const m of [1, 2, 5]) {
      if (Math.ceil(max / (m * power)) <= intervals) {
        return m * power;
      }
    }
  }
}

function durationStep(max: number, intervals: number): number {
  const step = DURATION_STEPS.find((s) => Math.ceil(max / s) <= intervals);
  // Beyond a few days: whole days in 1-2-5 steps.
  return step ?? 86400 * countStep(max / 86400, intervals);
}

/**
 * The y ticks, from 0 up to the first multiple of a "nice" step that is at least `max`, with at
 * most `maxTicks` of them: counts step by 1, 2, 5, 10, 20, 50…; durations by 1, 2, 5, 10, 15,
 * 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h, 1 day… Every tick is a distinct whole number
 * (of items or of seconds), so no two labels read the same. Nothing above 0 gives `[0, 1]` for
 * counts and `[0, 60]` (0:00, 1:00) for durations.
 */
export function yTicks(max: number, kind: YKind, maxTicks = MAX_Y_TICKS): number[] {
  const intervals = Math.max(1, Math.floor(maxTicks) - 1);
  if (!Number.isFinite(max) || max <= 0) {
    return kind === "duration" ? [0, 60] : [0, 1];
  }
  const step = kind === "duration" ? durationStep(max, intervals) : countStep(max, intervals);
  const n = Math.max(1, Math.ceil(max / step));
  return Array.from({ length: n + 1 }, (_, k) => k * step);
}

/** Rough width of `text` in SVG user units at `fontSize` (CJK full width, the rest ~0.6 em). */
export function textWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) {
    em += /[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/u.test(ch) ? 1 : 0.6;
  }
  return em * fontSize;
}

/**
 * How many slots apart x labels must be so that none overlaps the next: the widest label plus
 * `gap` has to fit in `stride` slots of `slotWidth`. `edgeRoom` is the room right of the last
 * slot's centre; a last label wider than twice that gets pushed left (see `drawChart`), and the
 * stride grows by as much so it still clears its neighbour.
 */
export function labelStride(labels: readonly string[], slotWidth: number, fontSize: number, gap = 8, edgeRoom = Infinity): number {
  if (labels.length === 0 || !(slotWidth > 0)) {
    return 1;
  }
  const widest = Math.max(...labels.map((l) => textWidth(l, fontSize)));
  const nudge = Math.max(0, widest / 2 + 1 - edgeRoom);
  return Math.max(1, Math.ceil((widest + gap + nudge) / slotWidth));
}

/**
 * Indices of the x labels to draw, oldest first: every `stride`-th slot counted back from the
 * last, so the latest bucket (today, this week) is always labelled and the cadence is regular.
 */
export function labelIndices(count: number, stride: number): number[] {
  const every = Math.max(1, Math.floor(stride));
  const out: number[] = [];
  for (let i = count - 1; i >= 0; i -= every) {
    out.push(i);
  }
  return out.reverse();
}

/**
 * The calendar day a bucket starts on, as a `Date` at UTC midnight of that day (format it with
 * `timeZone: "UTC"`). The server sends local midnight of the district with its offset
 * (`2026-11-29T00:00:00+08:00`); the date written there is the district's day, whatever the
 * browser's time zone. Parsing the whole string with `new Date()` instead gives the instant,
 * which a browser west of the district formats as the day before.
 */
export function bucketDay(start: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(start);
  if (m === null) {
    const d = new Date(start);
    return new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()));
  }
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
}
